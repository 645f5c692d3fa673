/**
 * @module attachment
 * Streamed attachment encryption (spec/06-attachments.md): STREAM-construction AES-256-GCM over
 * fixed-size chunks, with the ciphertext's size and hash-list digest for the letter's manifest.
 */
export {
  ATTACHMENT_FORMAT_LABEL,
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_KEY_BYTES,
  ATTACHMENT_MAGIC,
  ATTACHMENT_TAG_BYTES,
  ATTACHMENT_VERSION,
  DEFAULT_ATTACHMENT_CHUNK_SIZE,
  MAX_ATTACHMENT_CHUNK_SIZE,
  MAX_ATTACHMENT_ID_BYTES,
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  MIN_ATTACHMENT_CHUNK_SIZE,
  attachmentCiphertextSize,
} from './format.js'
export { generateAttachmentKey } from './key.js'
export type { GenerateAttachmentKeyOptions, RandomBytes } from './key.js'
export { encryptAttachmentStream } from './encrypt-stream.js'
export type { EncryptAttachmentStreamOptions } from './encrypt-stream.js'
export { decryptAttachmentStream } from './decrypt-stream.js'
export type { DecryptAttachmentStreamOptions } from './decrypt-stream.js'
export {
  DIGEST_BLOCK_SIZE,
  MAX_ATTACHMENT_CIPHERTEXT_SIZE,
  computeCiphertextDigest,
  digestingStream,
  verifyCiphertextDigest,
} from './digest.js'
export type { CiphertextDigest, DigestingStream, ExpectedCiphertext } from './digest.js'
export { MAX_IN_MEMORY_ATTACHMENT_SIZE, decryptAttachment, encryptAttachment } from './in-memory.js'
export type {
  DecryptAttachmentOptions,
  EncryptAttachmentOptions,
  EncryptedAttachment,
} from './in-memory.js'
