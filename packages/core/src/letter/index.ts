/**
 * @module letter
 * The sealed letter (`spec/05-sealed-letter.md`): signed by its sender, encrypted to its
 * recipients and to the sender's own key, readable by operators only as far as its header.
 */
export { sealLetter } from './seal.js'
export type {
  RecipientKey,
  SealAttachment,
  SealLetterOptions,
  SealRandomness,
  SealRecipient,
  SealSender,
  SealedLetter,
} from './seal.js'
export { inspectLetter, letterDigest } from './inspect.js'
export type { InspectLetterOptions, InspectedLetter } from './inspect.js'
export { openLetter } from './open.js'
export type { OpenLetterOptions, OpenedLetter } from './open.js'
export { LETTER_PAYLOAD_CTY, LETTER_TYP } from './read.js'
export type { LetterSigner, ReadLetterOptions, ResolveSenderKey } from './read.js'
export {
  BARID_LETTER_LABEL,
  LETTER_KINDS,
  REGISTERED_CATEGORIES,
  encodeLetterHeader,
  parseLetterHeader,
  termsProblem,
} from './header.js'
export type { AttachmentRef, LetterHeader, LetterKind, RegisteredCategory } from './header.js'
export type { AttachmentSecret, LetterAttachment, LetterContent } from './content.js'
export {
  isLetterId,
  letterIdFromBytes,
  letterIdTime,
  letterIdToBytes,
  newLetterId,
} from './letter-id.js'
export type { LetterId } from './letter-id.js'
export { keyCommitment } from './commitment.js'
export {
  DEFAULT_CLOCK_SKEW,
  DEFAULT_LIFETIME,
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_BYTES,
  MAX_BODY_BYTES,
  MAX_COSE_RECIPIENTS,
  MAX_HEADER_BYTES,
  MAX_KEYS_PER_RECIPIENT,
  MAX_LETTER_BYTES,
  MAX_RECIPIENTS,
} from './limits.js'
export { recipientKeys } from './recipient-keys.js'
