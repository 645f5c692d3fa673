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
]

export async function makeVectors(): Promise<unknown> {
  return {
    description: 'Barid canonical CBOR (spec/02-canonical-cbor.md). Default limits: 1 MiB, depth 16, 10000 items; allowed tags for these vectors: 18.',
    valid: valid.map(([diag, v]) => ({ diagnostic: diag, hex: toHex(encodeCanonical(v)) })),
    invalid: invalid.map(([hex, reason, description]) => ({ hex, reason, description })),
  }
}
