// Canonical CBOR (spec/02-canonical-cbor.md), written from the spec text alone.
// Values: integers are numbers when safe, else bigints; byte strings Uint8Array; text strings
// strings; arrays arrays; maps Map (keys number, bigint or string); tags { tag, value };
// simple values false, true, null.

export class CheckError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`)
    this.code = code
  }
}

export const fail = (code, message = '') => {
  throw new CheckError(code, message)
}

export class Tag {
  constructor(tag, value) {
    this.tag = tag
    this.value = value
  }
}

const DEFAULTS = { maxBytes: 1 << 20, maxDepth: 16, maxItems: 10000, tags: [] }

/** Decodes `bytes` strictly (2.3); options: maxBytes, maxDepth, maxItems, tags (allowed). */
export function decode(bytes, options = {}) {
  const opt = { ...DEFAULTS, ...options }
  if (bytes.length > opt.maxBytes) fail('ERR_INPUT_TOO_LARGE', `${bytes.length} bytes`)
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  let pos = 0
  let items = 0
  const count = () => {
    items += 1
    if (items > opt.maxItems) fail('ERR_CBOR_TOO_MANY_ITEMS', `over ${opt.maxItems}`)
  }
  const need = (n) => {
    if (BigInt(n) > BigInt(bytes.length - pos)) fail('ERR_CBOR_TRUNCATED', `needs ${n} bytes`)
  }
  const head = () => {
    need(1)
    const ib = bytes[pos++]
    const major = ib >> 5
    const ai = ib & 31
    if (ai < 24) return { major, ai, arg: BigInt(ai) }
    if (ai === 31) {
      // 2.3: a lone break is malformed; ai 31 on any other major type is indefinite length.
      if (major === 7) fail('ERR_CBOR_MALFORMED', 'lone break')
      fail('ERR_CBOR_INDEFINITE_LENGTH', `major ${major}`)
    }
    if (ai > 27) fail('ERR_CBOR_MALFORMED', `reserved additional information ${ai}`)
    const n = 1 << (ai - 24)
    need(n)
    let arg = 0n
    for (let i = 0; i < n; i++) arg = (arg << 8n) | BigInt(bytes[pos++])
    if (major !== 7) {
      const min = ai === 24 ? 24n : 1n << BigInt(4 * n)
      if (arg < min) fail('ERR_CBOR_NOT_CANONICAL', 'argument not in shortest form')
    }
    return { major, ai, arg }
  }
  const num = (b) =>
    b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b
  const item = (depth) => {
    count()
    const { major, ai, arg } = head()
    switch (major) {
      case 0:
        return num(arg)
      case 1:
        return num(-1n - arg)
      case 2:
      case 3: {
        need(arg)
        const n = Number(arg)
        const raw = bytes.subarray(pos, pos + n)
        pos += n
        if (major === 2) return Uint8Array.from(raw)
        try {
          return utf8.decode(raw)
        } catch {
          return fail('ERR_CBOR_INVALID_UTF8')
        }
      }
      case 4: {
        if (depth >= opt.maxDepth) fail('ERR_CBOR_TOO_DEEP', `depth ${depth}`)
        need(arg)
        const out = []
        for (let i = 0n; i < arg; i++) out.push(item(depth + 1))
        return out
      }
      case 5: {
        if (depth >= opt.maxDepth) fail('ERR_CBOR_TOO_DEEP', `depth ${depth}`)
        need(arg * 2n)
        const out = new Map()
        let prev = null
        for (let i = 0n; i < arg; i++) {
          const start = pos
          const key = item(depth + 1)
          if (typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'string') {
            fail('ERR_CBOR_UNSUPPORTED_TYPE', 'map key not an integer or text')
          }
          const enc = bytes.subarray(start, pos)
          if (prev !== null) {
            const c = Buffer.compare(Buffer.from(prev), Buffer.from(enc))
            if (c === 0) fail('ERR_CBOR_DUPLICATE_KEY')
            if (c > 0) fail('ERR_CBOR_NOT_CANONICAL', 'map keys out of order')
          }
          prev = enc
          out.set(key, item(depth + 1))
        }
        return out
      }
      case 6: {
        if (!opt.tags.includes(Number(arg))) fail('ERR_CBOR_UNKNOWN_TAG', `tag ${arg}`)
        if (depth >= opt.maxDepth) fail('ERR_CBOR_TOO_DEEP', `depth ${depth}`)
        return new Tag(Number(arg), item(depth + 1))
      }
      default:
        if (ai === 20) return false
        if (ai === 21) return true
        if (ai === 22) return null
        return fail('ERR_CBOR_UNSUPPORTED_TYPE', `simple/float ai ${ai}`)
    }
  }
  const value = item(0)
  if (pos !== bytes.length) fail('ERR_CBOR_TRAILING_BYTES', `${bytes.length - pos} left`)
  return value
}

const headBytes = (major, n) => {
  const v = BigInt(n)
  const m = major << 5
  if (v < 24n) return [m | Number(v)]
  const size = v < 0x100n ? 1 : v < 0x10000n ? 2 : v < 0x100000000n ? 4 : 8
  const out = [m | (24 + Math.log2(size))]
  for (let i = size - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn))
  return out
}

/** Encodes canonically (2.2). Plain objects are maps with text keys. */
export function encode(value) {
  const parts = []
  const put = (v) => {
    if (v === false) parts.push(Uint8Array.of(0xf4))
    else if (v === true) parts.push(Uint8Array.of(0xf5))
    else if (v === null) parts.push(Uint8Array.of(0xf6))
    else if (typeof v === 'number' || typeof v === 'bigint') {
      const b = BigInt(v)
      parts.push(Uint8Array.from(b >= 0n ? headBytes(0, b) : headBytes(1, -1n - b)))
    } else if (typeof v === 'string') {
      const u = new TextEncoder().encode(v)
      parts.push(Uint8Array.from(headBytes(3, u.length)), u)
    } else if (v instanceof Uint8Array) {
      parts.push(Uint8Array.from(headBytes(2, v.length)), v)
    } else if (Array.isArray(v)) {
      parts.push(Uint8Array.from(headBytes(4, v.length)))
      for (const x of v) put(x)
    } else if (v instanceof Tag) {
      parts.push(Uint8Array.from(headBytes(6, v.tag)))
      put(v.value)
    } else {
      const entries = v instanceof Map ? [...v] : Object.entries(v)
      const enc = entries
        .map(([k, x]) => [encode(k), encode(x)])
        .sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])))
      parts.push(Uint8Array.from(headBytes(5, enc.length)))
      for (const [k, x] of enc) parts.push(k, x)
    }
  }
  put(value)
  return Uint8Array.from(Buffer.concat(parts))
}
