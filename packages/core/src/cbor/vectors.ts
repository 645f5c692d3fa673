/**
 * @module cbor/vectors
 * Builds spec/vectors/cbor.json: canonical encodings other implementations must reproduce, and
 * inputs they must refuse with the given code.
 */
import { toHex } from '../bytes.js'
import { encodeCanonical } from './encode.js'
import { CborTag, type CborKey, type CborValue } from './types.js'

const valid: [string, CborValue][] = [
  ['0', 0],
  ['23', 23],
  ['24', 24],
  ['1000000', 1000000],
  ['4294967296', 4294967296],
  ['18446744073709551615', 18446744073709551615n],
  ['-1', -1],
  ['-18446744073709551616', -18446744073709551616n],
  ['"IETF"', 'IETF'],
  ['"بريد"', 'بريد'],
  ["h'01020304'", new Uint8Array([1, 2, 3, 4])],
  ['[1, [2, 3], [4, 5]]', [1, [2, 3], [4, 5]]],
  ['{10: 5, 100: 4, -1: 3, "z": 2, "aa": 1}', new Map<CborKey, CborValue>([['aa', 1], ['z', 2], [-1, 3], [100, 4], [10, 5]])],
  ['[false, true, null]', [false, true, null]],
  ["18(h'00')", new CborTag(18, new Uint8Array([0]))],
  ['[' .repeat(16) + '0' + ']'.repeat(16), nest(16)],
]

/** `n` arrays, each holding the next, the innermost holding 0. */
function nest(n: number): CborValue {
  return n === 0 ? 0 : [nest(n - 1)]
}

/** Entries decoded with other limits than the defaults, to pin how items are counted (2.3). */
type Limits = { maxBytes?: number; maxItems?: number }
const validWithLimits: [string, string, Limits][] = [
  ['[1, 2, 3, 4]', '8401020304', { maxItems: 5 }],
  ['{1: 2, 3: 4}', 'a201020304', { maxItems: 5 }],
  ['18([0])', 'd28100', { maxItems: 3 }],
  ['[1, 1]', '820101', { maxBytes: 3 }],
]

const invalid: [string, string, string][] = [
  ['1817', 'ERR_CBOR_NOT_CANONICAL', '23 encoded in two bytes'],
  ['a2616201616101', 'ERR_CBOR_NOT_CANONICAL', 'map keys out of order'],
  ['a2616101616102', 'ERR_CBOR_DUPLICATE_KEY', 'repeated map key'],
  ['5f42010243030405ff', 'ERR_CBOR_INDEFINITE_LENGTH', 'indefinite-length byte string'],
  ['9fff', 'ERR_CBOR_INDEFINITE_LENGTH', 'indefinite-length array'],
  ['f93c00', 'ERR_CBOR_UNSUPPORTED_TYPE', 'half-precision float'],
  ['f7', 'ERR_CBOR_UNSUPPORTED_TYPE', 'undefined'],
  ['c11a514b67b0', 'ERR_CBOR_UNKNOWN_TAG', 'tag 1 is not allowed'],
  ['62c3', 'ERR_CBOR_TRUNCATED', 'text string shorter than declared'],
  ['5bffffffffffffffff', 'ERR_CBOR_TRUNCATED', 'byte string of 2^64-1 bytes declared'],
  ['9affffffff', 'ERR_CBOR_TRUNCATED', 'array of 2^32-1 items declared'],
  ['0000', 'ERR_CBOR_TRAILING_BYTES', 'two top-level items'],
  ['62c328', 'ERR_CBOR_INVALID_UTF8', 'invalid UTF-8'],
  ['1c', 'ERR_CBOR_MALFORMED', 'reserved additional information'],
  ['a1f600', 'ERR_CBOR_UNSUPPORTED_TYPE', 'null as a map key'],
  ['81'.repeat(17) + '00', 'ERR_CBOR_TOO_DEEP', 'nesting depth 17 over the default limit 16'],
  ['ff', 'ERR_CBOR_MALFORMED', 'a lone break'],
  ['1f', 'ERR_CBOR_INDEFINITE_LENGTH', 'additional information 31 on an integer'],
  ['df', 'ERR_CBOR_INDEFINITE_LENGTH', 'additional information 31 on a tag'],
  ['f0', 'ERR_CBOR_UNSUPPORTED_TYPE', 'simple value 16'],
  ['f818', 'ERR_CBOR_UNSUPPORTED_TYPE', 'simple value 24 in two bytes'],
  ['fb3ff0000000000000', 'ERR_CBOR_UNSUPPORTED_TYPE', 'double-precision float'],
  ['a14100f6', 'ERR_CBOR_UNSUPPORTED_TYPE', 'a byte string as a map key'],
]

const invalidWithLimits: [string, string, string, Limits][] = [
  ['8401020304', 'ERR_CBOR_TOO_MANY_ITEMS', '[1, 2, 3, 4] is 5 items', { maxItems: 4 }],
  ['a201020304', 'ERR_CBOR_TOO_MANY_ITEMS', '{1: 2, 3: 4} is 5 items', { maxItems: 4 }],
  ['d28100', 'ERR_CBOR_TOO_MANY_ITEMS', '18([0]) is 3 items', { maxItems: 2 }],
  ['820101', 'ERR_INPUT_TOO_LARGE', '3 bytes over a limit of 2', { maxBytes: 2 }],
]

export async function makeVectors(): Promise<unknown> {
  return {
    description:
      'Barid canonical CBOR (spec/02-canonical-cbor.md). Default limits: 1 MiB, depth 16, 10000 items; allowed tags for these vectors: 18. ' +
      'An entry with "limits" is decoded with those limits (maxBytes, maxItems) in place of the defaults.',
    valid: [
      ...valid.map(([diag, v]) => ({ diagnostic: diag, hex: toHex(encodeCanonical(v)) })),
      ...validWithLimits.map(([diagnostic, hex, limits]) => ({ diagnostic, hex, limits })),
    ],
    invalid: [
      ...invalid.map(([hex, reason, description]) => ({ hex, reason, description })),
      ...invalidWithLimits.map(([hex, reason, description, limits]) => ({
        hex,
        reason,
        description,
        limits,
      })),
    ],
  }
}
