/**
 * @module @barid/client
 * The Barid integrator SDK: a sender organisation looks up, seals, submits and tracks letters
 * (spec 12); a citizen's device lists, opens, replies to and is pushed letters (spec 13).
 * Sealing and opening happen in the caller's process; the node sees ciphertext only.
 * Runs in browsers and Node 20+ (global fetch and WebCrypto; `ws` is loaded only where the
 * runtime has no WebSocket).
 */
export { createSenderClient, allSettled } from './sender/sender-client.js'
export type {
  KeyExpiring,
  SendInput,
  SenderClient,
  SenderClientOptions,
} from './sender/sender-client.js'
export type {
  BatchLetterResult,
  BatchOutcome,
  BatchRunProgress,
  SendBatchOptions,
} from './sender/batch.js'
export { createCitizenClient } from './citizen/citizen-client.js'
export type {
  CitizenAccount,
  CitizenClient,
  CitizenClientOptions,
  ReplyInput,
} from './citizen/citizen-client.js'
export { requestDevToken } from './citizen/dev-token.js'
export type { ListOptions, Mailbox } from './mailbox/mailbox.js'
export { subscribe } from './push/subscribe.js'
export type { SubscribeOptions, Subscription } from './push/subscribe.js'
export type { WebSocketFactory, WebSocketLike } from './push/websocket.js'
export { exportPartyKeys, generatePartyKeys, importPartyKeys } from './keys/party-keys.js'
export type { PartyKeyAlgorithms, PartyKeys, PartyKeysJson } from './keys/party-keys.js'
export { verifyKeyCertificate } from './keys/key-certificate.js'
export type { CertifiedKey, VerifyKeyCertificateOptions } from './keys/key-certificate.js'
export { toLookupQuery, verifyLookupResult } from './directory/lookup.js'
export type { LookupQuery, Recipient } from './directory/lookup.js'
export { trustFromStore, trustFromTrustList } from './trust/key-trust.js'
export type { KeyTrust, TrustOptions, TrustedNodeKey } from './trust/key-trust.js'
export { trustFromNode } from './trust/node-trust.js'
export type { TrustFromNodeOptions } from './trust/node-trust.js'
export type { EvidenceBundleOptions } from './evidence/bundle.js'
export { verifyTrail } from './evidence/trail.js'
export type { EvidenceItem, EvidenceTrail, RecipientTrail } from './evidence/trail.js'
export type { AttachmentInput, PreparedAttachment } from './letters/attachments.js'
export type { LetterContentInput, SealedSubmission } from './letters/seal.js'
export type { OpenedAttachment, OpenedMail } from './letters/open.js'
export { errorFromBody, errorFromResponse } from './http/errors.js'
export { DEFAULT_RETRY_POLICY, isRetryable, retryDelay } from './http/retry-policy.js'
export type { RetryPolicy } from './http/retry-policy.js'
export type { FetchLike } from './http/transport.js'
export type {
  BatchItemResult,
  BatchProgress,
  LetterEvent,
  LetterStatus,
  MailboxEntry,
  MailboxPage,
  RecipientState,
  RegisteredKey,
} from './types.js'
