/**
 * @module cbor/decode
 * The strict, bounded decoder. It reads bytes from strangers, so every declared length is
 * checked against the bytes actually present before anything is allocated, and every limit
 * (size, depth, item count, allowed tags) is enforced as it goes. Hostile input ends in a
 * {@link BaridError}, never a crash, hang or large allocation.
 */
import { BaridError, type BaridErrorCode } from '../errors.js'
import { CborTag, DEFAULT_LIMITS, type CborKey, type CborValue, type DecodeLimits } from './types.js'

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const NO_TAGS: ReadonlySet<number> = new Set()

function fail(code: BaridErrorCode, message: string, offset: number): never {
  throw new BaridError(code, `${message} (at byte ${offset})`, { details: { offset } })
}

class Reader {
  pos = 0
  items = 0
  constructor(
    readonly buf: Uint8Array,
    readonly maxDepth: number,
    readonly maxItems: number,
    readonly tags: ReadonlySet<number>,
    readonly canonical: boolean,
  ) {}

  /** Big-endian unsigned integer of `n` (2 or 4) bytes at `pos`, already checked present. */
  uint(n: number): number {
    const b = this.buf
    let v = 0
    for (let i = 0; i < n; i++) v = v * 256 + b[this.pos + i]!
    this.pos += n
    return v
  }

  need(n: number): void {
    if (n > this.buf.length - this.pos) fail('ERR_CBOR_TRUNCATED', `need ${n} more bytes`, this.pos)
  }

  /** Reads an initial byte's argument; returns a number when safe, else a bigint. */
  argument(info: number, start: number): number | bigint {
    if (info < 24) return info
    let v: number | bigint
    let min: number | bigint
    switch (info) {
      case 24:
        this.need(1)
        v = this.buf[this.pos++]!
        min = 24
        break
      case 25:
        this.need(2)
        v = this.uint(2)
        min = 0x100
        break
      case 26:
        this.need(4)
        v = this.uint(4)
        min = 0x10000
        break
      case 27: {
        this.need(8)
        const hi = this.uint(4)
        const lo = this.uint(4)
        // Below 2^53 the two halves combine exactly as a number; above, as a bigint.
        v = hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo)
        min = 0x100000000
        break
      }
      case 31:
        return fail('ERR_CBOR_INDEFINITE_LENGTH', 'indefinite length is not allowed', start)
      default:
        return fail('ERR_CBOR_MALFORMED', `reserved additional information ${info}`, start)
    }
    if (this.canonical && v < min) fail('ERR_CBOR_NOT_CANONICAL', 'argument not in shortest form', start)
    return v
  }

  length(info: number, start: number): number {
    const n = this.argument(info, start)
    // Any length beyond the bytes present is truncation; checking here keeps allocations bounded.
    if (typeof n === 'bigint' || n > this.buf.length - this.pos) {
      fail('ERR_CBOR_TRUNCATED', 'declared length exceeds the input', start)
    }
    return n
  }

  countItem(start: number): void {
    if (++this.items > this.maxItems) fail('ERR_CBOR_TOO_MANY_ITEMS', `more than ${this.maxItems} items`, start)
  }

  item(depth: number): CborValue {
    const start = this.pos
    this.need(1)
    this.countItem(start)
    const ib = this.buf[this.pos++]!
    const major = ib >> 5
    const info = ib & 0x1f
    switch (major) {
      case 0:
        return this.argument(info, start)
      case 1: {
        const n = this.argument(info, start)
        return typeof n === 'number' && n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n)
      }
      case 2: {
        const n = this.length(info, start)
        const b = this.buf.slice(this.pos, this.pos + n)
        this.pos += n
        return b
      }
      case 3: {
        const n = this.length(info, start)
        let s = n <= 64 ? ascii(this.buf, this.pos, n) : undefined
        if (s === undefined) {
          try {
            s = utf8.decode(this.buf.subarray(this.pos, this.pos + n))
          } catch {
            return fail('ERR_CBOR_INVALID_UTF8', 'text string is not valid UTF-8', start)
          }
        }
        this.pos += n
        return s
      }
      case 4: {
        if (depth >= this.maxDepth) fail('ERR_CBOR_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, start)
        const n = this.length(info, start)
        const out: CborValue[] = []
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1))
        return out
      }
      case 5:
        return this.map(info, start, depth)
      case 6: {
        if (depth >= this.maxDepth) fail('ERR_CBOR_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, start)
        const tag = this.argument(info, start)
        if (typeof tag === 'bigint' || !this.tags.has(tag)) {
          fail('ERR_CBOR_UNKNOWN_TAG', `tag ${String(tag)} is not allowed here`, start)
        }
        return new CborTag(tag, this.item(depth + 1))
      }
      default:
        return this.simple(info, start)
    }
  }

  map(info: number, start: number, depth: number): Map<CborKey, CborValue> {
    if (depth >= this.maxDepth) fail('ERR_CBOR_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, start)
    // Each entry takes at least two bytes, so a count beyond half the rest is truncation.
    const n = this.length(info, start)
    if (n * 2 > this.buf.length - this.pos) fail('ERR_CBOR_TRUNCATED', 'map longer than the input', start)
    const out = new Map<CborKey, CborValue>()
    // The previous key's encoding, as offsets into the input (compared in place, not copied).
    let prevStart = -1
    let prevEnd = -1
    for (let i = 0; i < n; i++) {
      const keyStart = this.pos
      const key = this.item(depth + 1)
      if (typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'string') {
        fail('ERR_CBOR_UNSUPPORTED_TYPE', 'map keys must be integers or text strings', keyStart)
      }
      if (out.has(key)) fail('ERR_CBOR_DUPLICATE_KEY', 'map repeats a key', keyStart)
      if (
        this.canonical &&
        prevStart >= 0 &&
        compareRanges(this.buf, prevStart, prevEnd, keyStart, this.pos) >= 0
      ) {
        fail('ERR_CBOR_NOT_CANONICAL', 'map keys are not in bytewise order', keyStart)
      }
      prevStart = keyStart
      prevEnd = this.pos
      out.set(key, this.item(depth + 1))
    }
    return out
  }

  simple(info: number, start: number): CborValue {
    switch (info) {
      case 20:
        return false
      case 21:
        return true
      case 22:
        return null
      case 31:
        return fail('ERR_CBOR_MALFORMED', 'break outside an indefinite-length item', start)
      case 25:
      case 26:
      case 27:
        return fail('ERR_CBOR_UNSUPPORTED_TYPE', 'floating-point values are not allowed', start)
      case 28:
      case 29:
      case 30:
        return fail('ERR_CBOR_MALFORMED', `reserved additional information ${info}`, start)
      default:
        return fail('ERR_CBOR_UNSUPPORTED_TYPE', `simple value ${info} is not allowed`, start)
    }
  }
}

/** Bytewise order of `buf[a0, a1)` and `buf[b0, b1)` (RFC 8949 4.2.1). */
function compareRanges(buf: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0)
  for (let i = 0; i < n; i++) {
    const d = buf[a0 + i]! - buf[b0 + i]!
    if (d !== 0) return d
  }
  return a1 - a0 - (b1 - b0)
}

/**
 * A short all-ASCII text string, decoded without TextDecoder (ASCII bytes are always valid
 * UTF-8 and decode to the same code units); undefined if any byte is not ASCII.
 */
function ascii(buf: Uint8Array, pos: number, n: number): string | undefined {
  // A reused array of char codes per length, so a short string costs one allocation: the string.
  const codes = (ASCII_CODES[n] ??= new Array<number>(n).fill(0))
  for (let i = 0; i < n; i++) {
    const c = buf[pos + i]!
    if (c >= 0x80) return undefined
    codes[i] = c
  }
  return String.fromCharCode.apply(null, codes)
}
const ASCII_CODES: number[][] = []

/**
 * Decodes exactly one CBOR item under the given limits. Maps come back as `Map`, byte strings as
 * `Uint8Array` (copies, so callers may keep them), tags as {@link CborTag}.
 *
 * @example
 * ```ts
 * const header = decodeStrict(bytes, { maxBytes: 16_384, tags: new Set([18]) })
 * ```
 */
export function decodeStrict(bytes: Uint8Array, limits: DecodeLimits = {}): CborValue {
  if (!(bytes instanceof Uint8Array)) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'decodeStrict expects a Uint8Array')
  }
  const maxBytes = limits.maxBytes ?? DEFAULT_LIMITS.maxBytes
  if (bytes.length > maxBytes) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', `CBOR input of ${bytes.length} bytes exceeds ${maxBytes}`, {
      details: { limit: maxBytes, size: bytes.length },
    })
  }
  const r = new Reader(
    bytes,
    limits.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    limits.maxItems ?? DEFAULT_LIMITS.maxItems,
    limits.tags ?? NO_TAGS,
    limits.canonical ?? true,
  )
  const value = r.item(0)
  if (r.pos !== bytes.length) fail('ERR_CBOR_TRAILING_BYTES', 'bytes after the top-level item', r.pos)
  return value
}
