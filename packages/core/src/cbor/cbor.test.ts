import fc from 'fast-check'
import { Decoder } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { fromHex, toHex } from '../bytes.js'
import { decodeStrict } from './decode.js'
import { encodeCanonical } from './encode.js'
import { CborTag, type CborKey, type CborValue } from './types.js'

const key: fc.Arbitrary<CborKey> = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 8 }))

/** Values in the Barid data model, with maps as Map (what the decoder returns). */
const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.uniqueArray(fc.tuple(key, tie('v')), { maxLength: 5, selector: ([k]) => k }).map((e) => new Map(e)),
    fc.tuple(fc.constantFrom(18, 96), tie('v')).map(([t, v]) => new CborTag(t, v)),
  ),
})).v

const tags = new Set([18, 96])

function codeOf(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (e instanceof BaridError) return e.code
    throw e
  }
  return 'ok'
}

describe('canonical CBOR', () => {
  it('encodes the RFC 8949 appendix A examples in their preferred form', () => {
    const cases: [CborValue, string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [100, '1864'],
      [1000, '1903e8'],
      [1000000, '1a000f4240'],
      [1000000000000, '1b000000e8d4a51000'],
      [18446744073709551615n, '1bffffffffffffffff'],
      [-1, '20'],
      [-1000, '3903e7'],
      [-18446744073709551616n, '3bffffffffffffffff'],
      ['IETF', '6449455446'],
      ['\u00fc', '62c3bc'],
      [new Uint8Array([1, 2, 3, 4]), '4401020304'],
      [[1, [2, 3], [4, 5]], '8301820203820405'],
      [new Map<CborKey, CborValue>([[1, 2], [3, 4]]), 'a201020304'],
      [false, 'f4'],
      [null, 'f6'],
    ]
    for (const [v, hex] of cases) expect(toHex(encodeCanonical(v))).toBe(hex)
  })

  it('encodes any text as TextEncoder does, lone surrogates as U+FFFD, in the shortest head', () => {
    const units = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 20, maxLength: 300 }),
    )
    fc.assert(
      fc.property(units, (s) => {
        const utf8 = new TextEncoder().encode(s)
        const head = encodeCanonical(utf8.length)
        head[0]! |= 0x60 // major type 3 with the same argument as the unsigned integer
        expect(toHex(encodeCanonical(s))).toBe(toHex(head) + toHex(utf8))
        expect(toHex(encodeCanonical(new Map([[s, 1]])))).toBe(`a1${toHex(head)}${toHex(utf8)}01`)
      }),
      { numRuns: 500 },
    )
  })

  it('sorts map keys by the bytewise order of their encodings', () => {
    // RFC 8949 4.2.1: 10, 100, -1, "z", "aa" sort as 0a, 1864, 20, 617a, 626161
    const m = new Map<CborKey, CborValue>([['aa', 1], ['z', 2], [-1, 3], [100, 4], [10, 5]])
    expect(toHex(encodeCanonical(m))).toBe('a50a05186404200361 7a02626161 01'.replace(/ /g, ''))
  })

  it('decodes then re-encodes every canonical encoding to the same bytes', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCanonical(v)
        expect(toHex(encodeCanonical(decodeStrict(bytes, { tags })))).toBe(toHex(bytes))
      }),
      { numRuns: 300 },
    )
  })

  it('agrees with cbor-x, an independent decoder, on what its output means', () => {
    const other = new Decoder({ useRecords: false, mapsAsObjects: false })
    const plain = (v: unknown): unknown =>
      v instanceof Uint8Array ? toHex(v)
      : Array.isArray(v) ? v.map(plain)
      : v instanceof Map ? [...v.entries()].map(([k, x]) => [typeof k === 'bigint' ? Number(k) : k, plain(x)])
      : v instanceof CborTag ? ['tag', v.tag, plain(v.value)]
      : v !== null && typeof v === 'object' && 'tag' in v && 'value' in v ? ['tag', v.tag, plain(v.value)]
      : typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v)
      : v
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCanonical(v)
        expect(plain(other.decode(bytes))).toEqual(plain(decodeStrict(bytes, { tags })))
      }),
      { numRuns: 200 },
    )
  })

  it('gives equal bytes for equal maps whatever their insertion order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, fc.integer()), { maxLength: 10, selector: ([k]) => k }), (entries) => {
        const a = encodeCanonical(new Map(entries))
        const b = encodeCanonical(new Map([...entries].reverse()))
        expect(toHex(a)).toBe(toHex(b))
      }),
    )
  })

  it('keeps every encoding it returned intact whatever it encodes next, small or over 64 KiB', () => {
    // Byte strings on both sides of the 64 KiB at which the reused buffer is let go.
    const big = fc.integer({ min: 60_000, max: 70_000 }).map((n) => new Uint8Array(n).fill(n & 255))
    const sized = fc.oneof(value, big)
    fc.assert(
      fc.property(fc.array(sized, { minLength: 2, maxLength: 6 }), (values) => {
        const out = values.map((v) => encodeCanonical(v))
        const hex = out.map(toHex)
        for (const v of values) encodeCanonical(v)
        expect(out.map(toHex)).toEqual(hex)
        out.forEach((b, i) => expect(toHex(encodeCanonical(decodeStrict(b, { tags, maxBytes: 1 << 20 })))).toBe(hex[i]))
      }),
      // Shrinking arrays of 64 KiB values takes minutes: report the first failure as found.
      { numRuns: 30, endOnFailure: true },
    )
  })

  it('encodes a value whose getter encodes another value in the middle', () => {
    const inner = new Map<CborKey, CborValue>([[1, 'inner'], [2, new Uint8Array(300).fill(2)]])
    let innerBytes: Uint8Array | undefined
    // The getter runs when its map's entries are read, after the array's first item is written.
    const withGetter = {
      get b(): CborValue {
        innerBytes = encodeCanonical(inner)
        return 'b'
      },
    }
    const outer = [new Uint8Array(200).fill(1), withGetter as unknown as CborValue, 'after']
    const bytes = encodeCanonical(outer)
    expect(decodeStrict(bytes)).toEqual([outer[0], new Map([['b', 'b']]), 'after'])
    expect(decodeStrict(innerBytes!)).toEqual(inner)
  })

  it('refuses floats, undefined and non-plain objects when encoding', () => {
    expect(codeOf(() => encodeCanonical(1.5))).toBe('ERR_CBOR_UNSUPPORTED_TYPE')
    expect(codeOf(() => encodeCanonical(undefined as unknown as CborValue))).toBe('ERR_CBOR_UNSUPPORTED_TYPE')
    expect(codeOf(() => encodeCanonical(new Date() as unknown as CborValue))).toBe('ERR_CBOR_UNSUPPORTED_TYPE')
  })
})

describe('the strict decoder', () => {
  const refusals: [string, string][] = [
    ['1817', 'ERR_CBOR_NOT_CANONICAL'], // 23 in two bytes
    ['190017', 'ERR_CBOR_NOT_CANONICAL'],
    ['a2616201616101', 'ERR_CBOR_NOT_CANONICAL'], // keys "b", "a"
    ['a2616101616102', 'ERR_CBOR_DUPLICATE_KEY'],
    ['5f42010243030405ff', 'ERR_CBOR_INDEFINITE_LENGTH'],
    ['9fff', 'ERR_CBOR_INDEFINITE_LENGTH'],
    ['bf6161f5ff', 'ERR_CBOR_INDEFINITE_LENGTH'],
    ['f93c00', 'ERR_CBOR_UNSUPPORTED_TYPE'], // half float 1.0
    ['fb3ff199999999999a', 'ERR_CBOR_UNSUPPORTED_TYPE'],
    ['f7', 'ERR_CBOR_UNSUPPORTED_TYPE'], // undefined
    ['c11a514b67b0', 'ERR_CBOR_UNKNOWN_TAG'], // tag 1 (epoch date)
    ['62c3', 'ERR_CBOR_TRUNCATED'],
    ['5bffffffffffffffff', 'ERR_CBOR_TRUNCATED'], // 2^64-1 byte string
    ['9affffffff', 'ERR_CBOR_TRUNCATED'], // 4 billion items declared
    ['bb0000000100000000', 'ERR_CBOR_TRUNCATED'],
    ['0000', 'ERR_CBOR_TRAILING_BYTES'],
    ['62c328', 'ERR_CBOR_INVALID_UTF8'],
    ['1c', 'ERR_CBOR_MALFORMED'],
    ['ff', 'ERR_CBOR_MALFORMED'],
    ['a1f600', 'ERR_CBOR_UNSUPPORTED_TYPE'], // null as a map key
    ['', 'ERR_CBOR_TRUNCATED'],
  ]
  for (const [hex, code] of refusals) {
    it(`refuses ${hex || 'empty input'} with ${code}`, () => {
      expect(codeOf(() => decodeStrict(fromHex(hex)))).toBe(code)
    })
  }

  it('refuses nesting deeper than the limit', () => {
    const deep = new Uint8Array(40).fill(0x81)
    const bytes = new Uint8Array([...deep, 0x00])
    expect(codeOf(() => decodeStrict(bytes))).toBe('ERR_CBOR_TOO_DEEP')
    expect(codeOf(() => decodeStrict(bytes, { maxDepth: 64 }))).toBe('ok')
  })

  it('refuses more items than the limit', () => {
    const bytes = encodeCanonical(Array.from({ length: 100 }, () => 0))
    expect(codeOf(() => decodeStrict(bytes, { maxItems: 50 }))).toBe('ERR_CBOR_TOO_MANY_ITEMS')
  })

  it('counts items and depth as section 02 (2.3) defines them', () => {
    const at = (hex: string, limits: Parameters<typeof decodeStrict>[1]) =>
      codeOf(() => decodeStrict(fromHex(hex), limits))
    // Every data item once: an array and its members, a map and each key and value, a tag and
    // its content; the bytes inside a byte string are not items, even when they encode CBOR.
    expect(at('820102', { maxItems: 3 })).toBe('ok')
    expect(at('820102', { maxItems: 2 })).toBe('ERR_CBOR_TOO_MANY_ITEMS')
    expect(at('a10102', { maxItems: 3 })).toBe('ok')
    expect(at('a10102', { maxItems: 2 })).toBe('ERR_CBOR_TOO_MANY_ITEMS')
    expect(at('d201', { maxItems: 2, tags: new Set([18]) })).toBe('ok')
    expect(at('d201', { maxItems: 1, tags: new Set([18]) })).toBe('ERR_CBOR_TOO_MANY_ITEMS')
    expect(at('43820102', { maxItems: 1 })).toBe('ok')
    // Depth: 16 nested arrays, maps or tags, counted from the top-level item.
    expect(at(`${'81'.repeat(16)}01`, {})).toBe('ok')
    expect(at(`${'81'.repeat(17)}01`, {})).toBe('ERR_CBOR_TOO_DEEP')
    expect(at(`${'81'.repeat(15)}d201`, { tags: new Set([18]) })).toBe('ok')
    expect(at(`${'81'.repeat(16)}d201`, { tags: new Set([18]) })).toBe('ERR_CBOR_TOO_DEEP')
  })

  it('refuses input over the size limit before reading it', () => {
    expect(codeOf(() => decodeStrict(new Uint8Array(2048), { maxBytes: 1024 }))).toBe('ERR_INPUT_TOO_LARGE')
  })

  it('reads non-canonical but well-formed input when told to, for interop', () => {
    expect(decodeStrict(fromHex('1817'), { canonical: false })).toBe(23)
    expect(codeOf(() => decodeStrict(fromHex('a2616101616102'), { canonical: false }))).toBe('ERR_CBOR_DUPLICATE_KEY')
  })

  it('answers random bytes with a value or a typed error, quickly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        // CPU time, not wall time: on a busy machine the test process may wait for a core, and
        // that wait says nothing about the decoder (a hang would spend CPU, not wait).
        const t = process.cpuUsage()
        const code = codeOf(() => decodeStrict(bytes, { tags }))
        expect(typeof code).toBe('string')
        const spent = process.cpuUsage(t)
        expect((spent.user + spent.system) / 1000).toBeLessThan(50)
      }),
      { numRuns: 2000 },
    )
  })

  it('answers every truncation and every bit flip of a valid encoding with a value or a typed error', () => {
    fc.assert(
      fc.property(value, fc.nat(), fc.nat(7), (v, at, bit) => {
        const bytes = encodeCanonical(v)
        const cut = bytes.subarray(0, at % bytes.length)
        expect(codeOf(() => decodeStrict(cut, { tags }))).not.toBe('ok')
        const flipped = bytes.slice()
        flipped[at % bytes.length]! ^= 1 << bit
        codeOf(() => decodeStrict(flipped, { tags }))
      }),
      { numRuns: 500 },
    )
  })
})
