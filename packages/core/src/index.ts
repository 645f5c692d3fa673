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
export {
  EG_GOVERNORATES,
  IDENTIFIER_SCHEMES,
  MAX_IDENTIFIER_LENGTH,
  MAX_LOCAL_PART_LENGTH,
  MAX_MAILBOX_ADDRESS_LENGTH,
  MAX_OPERATOR_ID_LENGTH,
  assertIdentifier,
  assertMailboxAddress,
  assertOperatorId,
  formatIdentifier,
  formatMailboxAddress,
  identifierAuthority,
  isIdentifier,
  isMailboxAddress,
  isOperatorId,
  parseIdentifier,
  parseMailboxAddress,
  parseOperatorId,
} from './address/index.js'
export type {
  DkCprNumber,
  DkCvrNumber,
  EgCommercialRegisterNumber,
  EgGovernorate,
  EgNationalId,
  IdentifierAuthority,
  IdentifierCountry,
  IdentifierDateOptions,
  IdentifierScheme,
  IdentifierText,
  MailboxAddress,
  OpaqueIdentifier,
  OperatorId,
  ParseIdentifierOptions,
  ParseMailboxAddressOptions,
  ParseOperatorIdOptions,
  ParsedMailboxAddress,
  ParticipantIdentifier,
} from './address/index.js'
