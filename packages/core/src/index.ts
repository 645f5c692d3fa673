/**
 * @module @barid/core
 * Barid's formats and crypto, for nodes, integrators and citizens' devices alike.
 * Browser-safe: WebCrypto only, no `node:` imports.
 */
export { BaridError, isBaridError, isBaridErrorCode } from './errors.js'
export type { BaridErrorCode } from './errors.js'
export { ERROR_CODES } from './error-codes.js'
export {
  bytesEqual,
  concatBytes,
  fromBase64Url,
  fromHex,
  sha256,
  timingSafeEqual,
  toBase64Url,
  toHex,
  utf8,
} from './bytes.js'
export { CborTag, DEFAULT_LIMITS, MapReader, decodeStrict, encodeCanonical, untag } from './cbor/index.js'
export type { CborKey, CborMap, CborValue, DecodeLimits } from './cbor/index.js'
