/**
 * @module cbor/encode
 * Deterministic encoding (RFC 8949 section 4.2.1, "core deterministic encoding"): shortest-form
 * arguments, definite lengths, map keys sorted by the bytewise order of their encodings.
 *
 * Why not cbor-x's encoder: it writes `bigint` values as 8-byte integers whatever their size and
 * safe integers above 2^32 as float64, neither of which is preferred serialisation, and it
 * keeps map insertion order. Rather than patch around each of those, this encoder is the few
 * lines the rules need; tests decode its output with cbor-x as an independent check.
 */
import { BaridError } from '../errors.js'
import { CborTag, type CborKey, type CborValue } from './types.js'

const utf8 = new TextEncoder()
const MAX_U64 = (1n << 64n) - 1n

/** Bytes of `s` in UTF-8 as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}

/** Grows as needed; one allocation per doubling rather than one per item. */
class Writer {
  private buf = new Uint8Array(256)
  private view = new DataView(this.buf.buffer)
  length = 0

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  head(major: number, arg: number | bigint): void {
    const m = major << 5
    if (typeof arg === 'bigint') {
      if (arg <= BigInt(Number.MAX_SAFE_INTEGER)) return this.head(major, Number(arg))
      this.ensure(9)
      this.buf[this.length] = m | 27
      this.view.setBigUint64(this.length + 1, arg)
      this.length += 9
      return
    }
    if (arg < 24) {
      this.ensure(1)
      this.buf[this.length++] = m | arg
    } else if (arg < 0x100) {
      this.ensure(2)
      this.buf[this.length++] = m | 24
      this.buf[this.length++] = arg
    } else if (arg < 0x10000) {
      this.ensure(3)
      this.buf[this.length] = m | 25
      this.view.setUint16(this.length + 1, arg)
      this.length += 3
    } else if (arg < 0x100000000) {
      this.ensure(5)
      this.buf[this.length] = m | 26
      this.view.setUint32(this.length + 1, arg)
      this.length += 5
    } else {
      this.ensure(9)
      this.buf[this.length] = m | 27
      this.view.setBigUint64(this.length + 1, BigInt(arg))
      this.length += 9
    }
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
  }

  /** A text string, encoded straight into the buffer (no array per string). */
  text(s: string): void {
    const n = utf8Length(s)
    this.head(3, n)
    this.ensure(n)
    utf8.encodeInto(s, this.buf.subarray(this.length, this.length + n))
    this.length += n
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length)
  }

  /** Starts over, keeping the buffer unless it grew past `keep` bytes. */
  reset(keep = Infinity): void {
    this.length = 0
    if (this.buf.length > keep) {
      this.buf = new Uint8Array(256)
      this.view = new DataView(this.buf.buffer)
    }
  }
}

function fail(message: string): never {
  throw new BaridError('ERR_CBOR_UNSUPPORTED_TYPE', message)
}

function writeInt(w: Writer, v: number | bigint): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      fail('only safe integers can be encoded; floats are not part of the Barid data model')
    // Safe integers need no bigint: -1 - v of a safe negative integer is safe too.
    return v >= 0 ? w.head(0, v) : w.head(1, -1 - v)
  }
  if (v >= 0n) {
    if (v > MAX_U64) fail('integer exceeds 64 bits')
    w.head(0, v)
  } else {
    const n = -1n - v
    if (n > MAX_U64) fail('integer exceeds 64 bits')
    w.head(1, n)
  }
}

/** One writer for every map key: a key is encoded, copied out, and the writer reused. */
const keyWriter = new Writer()

function encodeKey(k: CborKey): Uint8Array {
  const w = keyWriter
  w.reset()
  if (typeof k === 'string') w.text(k)
  else writeInt(w, k)
  return w.result()
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

function writeMap(w: Writer, entries: Iterable<[CborKey, CborValue]>, depth: number): void {
  const encoded: [Uint8Array, CborValue][] = []
  for (const [k, v] of entries) {
    if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'bigint') {
      fail('map keys must be integers or text strings')
    }
    encoded.push([encodeKey(k), v])
  }
  encoded.sort((a, b) => compareBytes(a[0], b[0]))
  for (let i = 1; i < encoded.length; i++) {
    if (compareBytes(encoded[i - 1]![0], encoded[i]![0]) === 0) {
      throw new BaridError('ERR_CBOR_DUPLICATE_KEY', 'map has two equal keys')
    }
  }
  w.head(5, encoded.length)
  for (const [k, v] of encoded) {
    w.bytes(k)
    write(w, v, depth + 1)
  }
}

function write(w: Writer, v: CborValue, depth: number): void {
  if (depth > 64) throw new BaridError('ERR_CBOR_TOO_DEEP', 'value nests deeper than 64 levels')
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return writeInt(w, v)
    case 'string':
      return w.text(v)
    case 'boolean':
      return w.head(7, v ? 21 : 20)
    case 'object':
      if (v === null) return w.head(7, 22)
      if (v instanceof Uint8Array) {
        w.head(2, v.length)
        return w.bytes(v)
      }
      if (Array.isArray(v)) {
        w.head(4, v.length)
        for (const item of v as readonly CborValue[]) write(w, item, depth + 1)
        return
      }
      if (v instanceof Map) return writeMap(w, v.entries(), depth)
      if (v instanceof CborTag) {
        if (!Number.isSafeInteger(v.tag) || v.tag < 0) fail('tag numbers are non-negative integers')
        w.head(6, v.tag)
        return write(w, v.value, depth + 1)
      }
      if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
        return writeMap(w, Object.entries(v as Record<string, CborValue>), depth)
      }
      return fail(`cannot encode an object of class ${v.constructor?.name ?? 'unknown'}`)
    default:
      return fail(`cannot encode a value of type ${typeof v}`)
  }
}

/**
 * Encodes a value in deterministic CBOR. Equal values always give equal bytes.
 *
 * @example
 * ```ts
 * encodeCanonical(new Map([[1, -8], [4, kid]])) // COSE protected header bytes
 * ```
 */
export function encodeCanonical(value: CborValue): Uint8Array {
  // One writer reused across calls, so that a value holding a letter's ciphertext is not copied
  // at every doubling from 256 bytes; a buffer grown past 64 KiB is let go, not kept for good.
  // An encode started while one runs (a getter of a plain object calling back) gets its own.
  if (mainBusy) {
    const own = new Writer()
    write(own, value, 0)
    return own.result()
  }
  mainBusy = true
  try {
    write(mainWriter, value, 0)
    return mainWriter.result()
  } finally {
    mainWriter.reset(64 * 1024)
    mainBusy = false
  }
}

const mainWriter = new Writer()
let mainBusy = false
