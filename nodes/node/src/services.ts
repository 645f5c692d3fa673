/**
 * @module services
 * The node's parts, wired once at start and handed to every route and worker. Everything with
 * state or I/O is here, so tests can replace any part (clock, fetch, storage).
 */
import type { NodeConfig } from './config/config.js'
import type { NodeKeys } from './config/node-keys.js'
import type { EvidencePort } from './evidence/evidence-port.js'
import type { StreamUpload } from './federation/http-upload.js'
import type { PeerDirectory } from './federation/peer-directory.js'
import type { ReplayCache } from './federation/replay-cache.js'
import type { KeyCertifier } from './keys/key-certificate.js'
import type { LetterInspector } from './letters/letter-port.js'
import type { Logger } from './ops/logger.js'
import type { NodeMetrics } from './ops/metrics.js'
import type { PushHub } from './push/push-hub.js'
import type { RegisteredMail } from './registered/registered-mail.js'
import type { BlobStore } from './storage/blob-store.js'
import type { Storage } from './storage/storage.js'
import type { NodeTrust } from './trust/node-trust.js'

/** Wakes the delivery engine when new outbox work is written. */
export interface OutboxSignal {
  wake(): void
  /** The peer was heard from: forget its backoff. */
  heardFrom(operator: string): void
}

export interface NodeServices {
  config: NodeConfig
  storage: Storage
  blobs: BlobStore
  keys: NodeKeys
  directory: PeerDirectory
  /** The federation of trust: held trust list, discovery, revocation, operator keys (spec 20-22). */
  trust: NodeTrust
  letters: LetterInspector
  evidence: EvidencePort
  certifier: KeyCertifier
  replay: ReplayCache
  push: PushHub
  metrics: NodeMetrics
  log: Logger
  outbox: OutboxSignal
  /** Registered mail in the background: transparency log, witness, print, notify (spec 16, 17). */
  registered: RegisteredMail
  /** Milliseconds since the epoch. */
  now: () => number
  /** Outgoing HTTP (federation); injectable for fault injection in tests. */
  fetch: typeof fetch
  /** Outgoing streamed uploads (attachment relay), with memory bounded by socket buffers. */
  upload: StreamUpload
}
