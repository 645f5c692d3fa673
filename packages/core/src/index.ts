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
export {
  ATTACHMENT_FORMAT_LABEL,
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_KEY_BYTES,
  ATTACHMENT_MAGIC,
  ATTACHMENT_TAG_BYTES,
  ATTACHMENT_VERSION,
  DEFAULT_ATTACHMENT_CHUNK_SIZE,
  DIGEST_BLOCK_SIZE,
  MAX_ATTACHMENT_CHUNK_SIZE,
  MAX_ATTACHMENT_CIPHERTEXT_SIZE,
  MAX_ATTACHMENT_ID_BYTES,
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  MAX_IN_MEMORY_ATTACHMENT_SIZE,
  MIN_ATTACHMENT_CHUNK_SIZE,
  attachmentCiphertextSize,
  computeCiphertextDigest,
  decryptAttachment,
  decryptAttachmentStream,
  digestingStream,
  encryptAttachment,
  encryptAttachmentStream,
  generateAttachmentKey,
  verifyCiphertextDigest,
} from './attachment/index.js'
export type {
  CiphertextDigest,
  DecryptAttachmentOptions,
  DecryptAttachmentStreamOptions,
  DigestingStream,
  EncryptAttachmentOptions,
  EncryptAttachmentStreamOptions,
  EncryptedAttachment,
  ExpectedCiphertext,
  GenerateAttachmentKeyOptions,
  RandomBytes,
} from './attachment/index.js'
