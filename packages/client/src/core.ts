/**
 * @module core
 * Everything the client takes from `@barid/core`, in one place. Areas that core's package index
 * does not export yet (sealed letters, evidence) are imported from their own area index by
 * relative path; when the index exports them, only this file changes.
 */
export {
  BaridError,
  isBaridError,
  isBaridErrorCode,
  bytesEqual,
  fromBase64Url,
  toBase64Url,
  toHex,
  fromHex,
  utf8,
  sha256,
  decryptAttachmentStream,
  digestingStream,
  encryptAttachment,
  encryptAttachmentStream,
  generateAttachmentKey,
  verifyCiphertextDigest,
  MAX_IN_MEMORY_ATTACHMENT_SIZE,
  exportPrivateJwk,
  generateKeyPair,
  importKeyPair,
  importPublicJwk,
  jwkThumbprintBase64Url,
  parseIdentifier,
  parseMailboxAddress,
  parseOperatorId,
  // federation of trust and certificates (spec 08, 20-22)
  DiscoveryClient,
  RevocationCache,
  TrustStore,
  boundedGet,
  parseCertificate,
  verifyTrustList,
} from '@barid/core'
export type { BaridErrorCode, KeyPair, PublicJwk, PrivateJwk, PublicKeyHandle } from '@barid/core'
export type {
  CertificateRole,
  FetchLike as CoreFetchLike,
  GovernanceKeyInput,
  NodeKey,
  ParsedCertificate,
  TrustList,
} from '@barid/core'
// JSON shapes of the sender and citizen APIs (spec 12, 13).
export type {
  BatchAccepted,
  BatchItemView,
  BatchProgressView,
  CitizenProfileView,
  KeyListEntry,
  KeyListView,
  LetterPushEvent,
  LetterStatusView,
  MailboxEntryView,
  MailboxLetterView,
  MailboxPageView,
  OpenedView,
  PushAuthMessage,
  RecipientState as CoreRecipientState,
  RegisteredKeyView,
} from '@barid/core'
export { openLetter, sealLetter } from '../../core/src/letter/index.js'
export type {
  LetterHeader,
  LetterKind,
  OpenedLetter,
  SealAttachment,
  SealedLetter,
} from '../../core/src/letter/index.js'
export { verifyEvidence, verifyEvidenceChain } from '../../core/src/evidence/index.js'
export type { EvidenceRecord, VerifiedEvidence } from '../../core/src/evidence/index.js'
