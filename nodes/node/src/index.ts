/**
 * @module @barid/node
 * The Barid reference node: mailboxes, the sender, citizen and federation APIs, cross-border
 * delivery and evidence (spec sections 10 to 15).
 */
export { startNode, purge } from './node.js'
export type { RunningNode, StartNodeOptions } from './node.js'
export { loadConfig, resolveConfig, DEFAULT_DELIVERY, DEFAULT_LIMITS } from './config/config.js'
export type {
  CitizenAuthConfig,
  DeliveryConfig,
  LimitsConfig,
  LoadConfigOptions,
  NodeConfig,
  NodeConfigInput,
  TrustConfig,
} from './config/config.js'
export { loadProfile, parseProfile } from './config/profile.js'
export type { Profile, RetentionPolicy } from './config/profile.js'
export { createNodeApp } from './app.js'
export type { AppOptions } from './app.js'
export { createSqliteStorage } from './storage/sqlite-storage.js'
export type { Storage } from './storage/storage.js'
export { createDiskBlobStore } from './storage/blob-store.js'
export type { BlobStore } from './storage/blob-store.js'
export type { Peer, PeerDirectory, PeerKey } from './federation/peer-directory.js'
export { createTrustDirectory } from './federation/peer-directory-trust.js'
export type { TrustDirectory, TrustDirectoryOptions } from './federation/peer-directory-trust.js'
export { openNodeTrust } from './trust/node-trust.js'
export type { NodeTrust } from './trust/node-trust.js'
export { openHeldTrust } from './trust/held-list.js'
export type { HeldTrust } from './trust/held-list.js'
export {
  admitOperator,
  createLocalFederation,
  endpointOf,
  ensureTrustConfig,
  openLocalFederation,
} from './trust/local-federation.js'
export type { LocalFederation, LocalOperator } from './trust/local-federation.js'
export { loadOperatorCredentials } from './keys/operator-credentials.js'
export type { OperatorCredentials } from './keys/operator-credentials.js'
export { signRequest, verifyRequest } from './federation/http-signatures.js'
export { contentDigest, verifyContentDigest } from './federation/content-digest.js'
export {
  createX509Certifier,
  mailboxCertificateVerifier,
  readMailboxCertificate,
  verifyMailboxCertificate,
} from './keys/key-certificate.js'
export type { CertifiedMailboxKey, KeyCertifier } from './keys/key-certificate.js'
export { openMailbox, registerSender, setMailboxStatus } from './admin/admin.js'
export {
  MAX_API_KEY_GRACE_SECONDS,
  MAX_LIVE_SENDER_API_KEYS,
  listSenderApiKeys,
  revokeSenderApiKey,
  rotateSenderApiKey,
} from './admin/sender-api-keys.js'
export type { SenderApiKeyView } from './admin/sender-api-keys.js'
export { RETRY_TABLE, backoffDelay, classifyStatus } from './delivery/retry-policy.js'
export { emailChannel, smsChannel, SMS_MAX_UNITS } from './notify/channel.js'
export type {
  EmailTransport,
  Notification,
  NotificationChannel,
  SmsTransport,
} from './notify/channel.js'
export { notificationLanguage, notificationText } from './notify/notification-text.js'
export type { NotificationLanguage, NotificationText } from './notify/notification-text.js'
