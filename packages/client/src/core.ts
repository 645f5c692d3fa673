/**
 * @module core
 * Everything the client takes from `@barid/core`, in one place, through the package's public
 * index only (the client is published and built against core's published API).
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
  parseHttpDate,
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
  // evidence bundles (spec 21.7)
  EVIDENCE_BUNDLE_LIMITS,
  readEvidenceBundle,
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
export {
  openLetter,
  recipientKeys,
  recipientStateOf,
  sealLetter,
  verifyEvidence,
  verifyEvidenceChain,
} from '@barid/core'
export type {
  EvidenceRecord,
  LetterHeader,
  LetterKind,
  OpenedLetter,
  SealAttachment,
  SealedLetter,
  VerifiedEvidence,
} from '@barid/core'
