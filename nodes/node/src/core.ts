/**
 * @module core
 * Everything the node takes from `@barid/core`, in one place, plus Node-native versions of the
 * base64url helpers (below).
 */
export {
  BaridError,
  REFUSED_TYPES,
  TAKEN_TYPES,
  ERROR_CODES,
  MAX_REPORT_DAYS,
  MAX_ATTACHMENT_BYTES,
  MAX_LETTER_BYTES,
  codeOfReason,
  concatBytes,
  createEvidence,
  decryptAttachment,
  digestingStream,
  encryptAttachment,
  exportPrivateJwk,
  parseHttpDate,
  fromHex,
  generateKeyPair,
  identifierAuthority,
  importKeyPair,
  importPublicJwk,
  inspectLetter,
  isBaridError,
  isBaridErrorCode,
  jwkThumbprintBase64Url,
  newLetterId,
  openLetter,
  parseIdentifier,
  parseMailboxAddress,
  parseOperatorId,
  parsePublicJwk,
  recipientKeys,
  sealLetter,
  validateChain,
  sha256,
  timingSafeEqual,
  toHex,
  utf8,
  verifyEvidence,
  verifyEvidenceChain,
  // federation of trust and certificates (spec 08, 20-22)
  DOCUMENT_TYPE,
  DiscoveryClient,
  RevocationCache,
  TrustStore,
  authorisedSigners,
  boundedGet,
  bytesEqual,
  createCertificate,
  createDiscoveryDocument,
  createEvidenceBundle,
  derToPem,
  exportPublicJwk,
  parseCertificate,
  readEvidenceBundle,
  recipientStateOf,
  revocationListUrl,
  verifyEvidenceBundle,
  verifyEvidenceWithTrust,
  verifyRevocationList,
  verifyTrustList,
} from '@barid/core'
export type {
  SustainabilityReport,
  BaridErrorCode,
  EvidenceRecord as EvidenceRecordCore,
  IdentifierScheme,
  KeyPair,
  LetterHeader,
  OpenedLetter,
  ParticipantIdentifier,
  PublicJwk,
  PublicKeyHandle,
  SealLetterOptions,
  SignatureAlgorithm,
  DiscoveredKey,
  NodeKey,
  OperatorEntry,
  OperatorState,
  ParsedCertificate,
  TrustList,
  EvidenceBundle,
  VerifiedEvidenceBundle,
} from '@barid/core'
// JSON shapes of the sender and citizen APIs (spec 12, 13).
export type {
  AttachmentUploadView,
  BatchAccepted,
  BatchProgressView,
  CitizenProfileView,
  KeyListView,
  LetterPushEvent,
  LetterStatusView,
  MailboxEntryView,
  MailboxLetterView,
  MailboxPageView,
  OpenedView,
  PushMessage,
  RecipientStatus,
  RegisteredKeyView,
  SenderDisplay,
} from '@barid/core'
// A sender's display names (spec 15.5, 11.4).
export { parseSenderDisplay, parseSenderName, parseSenderNames } from '@barid/core'
// Transparency log and registered mail (spec 16, 17).
export {
  CborTag,
  consistencyProofValue,
  decryptAttachmentStream,
  verifyCiphertextDigest,
  decodeStrict,
  encodeCanonical,
  inclusionProofValue,
  leafHash,
  openLog,
  readConsistencyProof,
  readInclusionProof,
  signCheckpoint,
  signLogReset,
  verifyCheckpoint,
  verifyConsistency,
  verifyCosignature,
  verifyForkStatement,
  verifyInclusion,
  verifyLogReset,
  witnessCheckpoint,
  decodeSign1,
  LOG_RESET_MAX_BYTES,
} from '@barid/core'
export type {
  ConsistencyProof,
  InclusionProof,
  KeyResolver,
  KeyRole,
  LogCommit,
  LogStore,
  MerkleLog,
  NodeId,
  SignedCheckpoint,
} from '@barid/core'
import { BaridError as CoreError } from '@barid/core'

// The node encodes whole letters to base64url for every transaction and API answer; core's
// browser-safe versions go through strings, Node's Buffer does it natively (~20x faster). Same
// alphabet and the same refusals (RFC 4648 section 5, unpadded).
const B64URL = /^[A-Za-z0-9_-]*$/

/** Unpadded base64url of `bytes` (Node-native). */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

/** Parses unpadded base64url; refuses other alphabets, padding and impossible lengths. */
export function fromBase64Url(s: string): Uint8Array {
  if (s.length % 4 === 1 || !B64URL.test(s))
    throw new CoreError('ERR_INVALID_ARGUMENT', 'not unpadded base64url')
  const b = Buffer.from(s, 'base64url')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
