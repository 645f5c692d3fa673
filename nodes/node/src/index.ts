/**
 * @module @barid/node
 * The Barid reference node: mailboxes, the sender, citizen and federation APIs, cross-border
 * delivery and evidence (spec sections 10 to 15).
 */
export { startNode, nodeIdentity, purge } from './node.js'
export type { RunningNode, StartNodeOptions } from './node.js'
export { loadConfig, resolveConfig, DEFAULT_DELIVERY, DEFAULT_LIMITS } from './config/config.js'
export type {
  CitizenAuthConfig,
  DeliveryConfig,
  LimitsConfig,
  LoadConfigOptions,
  NodeConfig,
  NodeConfigInput,
} from './config/config.js'
export { loadProfile, parseProfile } from './config/profile.js'
export type { Profile, RetentionPolicy } from './config/profile.js'
export { createNodeApp } from './app.js'
export type { AppOptions } from './app.js'
export { createSqliteStorage } from './storage/sqlite-storage.js'
export type { Storage } from './storage/storage.js'
export { createDiskBlobStore } from './storage/blob-store.js'
export type { BlobStore } from './storage/blob-store.js'
export {
  createFileDirectory,
  createStaticDirectory,
  parseFederationFile,
} from './federation/peer-directory.js'
export type { Peer, PeerDirectory, PeerKey } from './federation/peer-directory.js'
export { signRequest, verifyRequest } from './federation/http-signatures.js'
export { contentDigest, verifyContentDigest } from './federation/content-digest.js'
export { verifyKeyCertificate } from './keys/key-certificate.js'
export type { KeyCertClaims } from './keys/key-certificate.js'
export { openMailbox, registerSender, setMailboxStatus } from './admin/admin.js'
export { RETRY_TABLE, backoffDelay, classifyStatus } from './delivery/retry-policy.js'
