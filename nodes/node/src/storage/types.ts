/**
 * @module storage/types
 * The records that cross the {@link Storage} seam. Plain data, no driver types, so a
 * PostgreSQL implementation returns the same shapes as the SQLite one.
 */
import type { SenderDisplay } from '../core.js'
import type { LetterTerms, ScheduledDelivery } from './registered-types.js'

/** Who a mailbox belongs to. */
export type MailboxKind = 'person' | 'organisation'

/** `exempt`: the person is exempt from digital post; letters to them are not delivered. */
export type MailboxStatus = 'active' | 'exempt' | 'closed'

export interface Mailbox {
  id: number
  address: string
  identifier: string | null
  kind: MailboxKind
  status: MailboxStatus
  displayName: string | null
  /**
   * A sender organisation's names per language (BCP 47 tag to name, spec 15.5), absent for none.
   * With `displayName` they travel with each letter it sends (spec 11.4).
   */
  displayNames?: Record<string, string>
  createdAt: number
}

export interface NewMailbox {
  address: string
  identifier?: string | null
  kind: MailboxKind
  status?: MailboxStatus
  displayName?: string | null
  displayNames?: Record<string, string>
  createdAt: number
}

/** A key registered for a mailbox: `enc` to seal letters to it, `sig` for letters it signs. */
export interface MailboxKey {
  mailboxId: number
  kid: string
  use: 'enc' | 'sig'
  /** The public JWK, as JSON text. */
  jwk: string
  /** The node's certification of the key (see spec 13). */
  certificate: string
  label: string | null
  createdAt: number
  revokedAt: number | null
  /**
   * The certificate's notAfter (ms since the epoch), kept for renewal (spec 13.4); 0 when not
   * read yet (keys stored before it was kept).
   */
  certNotAfter: number
  /**
   * Key identifier (base64url) of the CA that issued the certificate, kept so that keys still
   * certified under a CA the operator rotated away from are found and renewed (spec 13.4, 21.4);
   * '' when not read yet (keys stored before it was kept).
   */
  certIssuer: string
}

/** A key to add: without `certNotAfter` and `certIssuer` they are stored as not read yet. */
export type NewMailboxKey = Omit<MailboxKey, 'certNotAfter' | 'certIssuer'> & {
  certNotAfter?: number
  certIssuer?: string
}

/** A key due for renewal, with the address its certificate names (spec 13.4). */
export interface KeyDueForRenewal extends MailboxKey {
  /** Row id: with `certNotAfter` (or `certIssuer`), the position a renewal pass resumes after. */
  id: number
  address: string
}

/** A renewed (or first read) certificate of a key, replacing `previous` (spec 13.4). */
export interface KeyCertificateRenewal {
  mailboxId: number
  kid: string
  /** The certificate the renewal replaces: nothing is written if another has replaced it since. */
  previous: string
  certificate: string
  certNotAfter: number
  /** Key identifier of the CA that issued `certificate`, base64url. */
  certIssuer: string
}

export interface Sender {
  id: string
  name: string
  mailboxId: number
  createdAt: number
}

/** A sender's API key as the node keeps it (spec 12.1): never the secret, only its hash. */
export interface SenderApiKey {
  /** The `<keyId>` of `barid_sk_<keyId>.<secret>`: finds the key. */
  keyId: string
  senderId: string
  /** Hex SHA-256 of the secret. */
  hash: string
  createdAt: number
  /** When the key stops working; null: when a rotation or revocation sets a time. */
  expiresAt: number | null
}

/** What issuing a sender API key did ({@link DirectoryStore.issueSenderApiKey}). */
export type SenderApiKeyIssue =
  | {
      issued: true
      /** The sender's other keys still live before the issue, with their end as it now is. */
      previous: SenderApiKey[]
    }
  | {
      issued: false
      /** How many keys the sender would hold live: more than the limit. */
      live: number
    }

export interface AttachmentRef {
  /** Lower-case hex of the attachment ciphertext's digest (core's hash-list digest, spec 06). */
  digest: string
  size: number
}

export type LetterKind = 'letter' | 'registered'

/** A sealed letter as the node stores it (ciphertext plus the verified routing header). */
export interface LetterRow {
  id: string
  /** Lower-case hex of the letter digest (core's `letterDigest`). */
  digest: string
  senderAddress: string
  /** Key id of the key that signed the letter (to find its certification when relaying). */
  senderKid: string
  kind: LetterKind
  createdAt: number
  expiresAt: number | null
  threadId: string | null
  replyTo: string | null
  /**
   * BCP 47 tag of the body (header `lang`, spec 05, 5.3), what notifications follow (17.7); null
   * for a letter stored before the node kept it.
   */
  lang: string | null
  /**
   * The sender's display names as they came with the letter (spec 11.4, 15.5): from this node's
   * registration of its own sender, or from the sending operator's transaction; absent or null
   * when none came.
   */
  senderDisplay?: SenderDisplay | null
  /** Operator id of the node that accepted the letter from its sender. */
  origin: string
  receivedAt: number
  size: number
  attachments: AttachmentRef[]
}

export type RecipientState = 'pending' | 'unconfirmed' | 'delivered' | 'not-delivered'

/** Sender-side view of one recipient of a letter. */
export interface RecipientStatus {
  address: string
  state: RecipientState
  code: string | null
  updatedAt: number
}

/** One evidence record (COSE_Sign1 bytes), with the fields the node indexes it by. */
export interface EvidenceRow {
  /** Lower-case hex SHA-256 of `record`. */
  id: string
  letterId: string
  recipient: string | null
  type: string
  issuer: string
  issuedAt: number
  prev: string | null
  record: Uint8Array
}

/** A letter in a mailbox. `cursor` orders a mailbox: higher is newer. */
export interface MailboxEntry {
  cursor: number
  letter: LetterRow
  receivedAt: number
  openedAt: number | null
}

export interface OutboxItem {
  id: number
  peer: string
  kind: 'letter' | 'evidence'
  letterId: string
  recipient: string | null
  evidenceId: string | null
  deliverBefore: number
  attempts: number
  nextAttemptAt: number
  ambiguous: boolean
  createdAt: number
}

export interface NewOutboxItem {
  peer: string
  kind: 'letter' | 'evidence'
  letterId: string
  recipient?: string | null
  evidenceId?: string | null
  deliverBefore: number
  nextAttemptAt: number
  createdAt: number
}

/** A new delivery into a local mailbox, with the evidence to keep if (and only if) it is new. */
export interface DeliveryWrite {
  mailboxId: number
  address: string
  evidence: EvidenceRow[]
}

/**
 * Everything a node writes when it accepts one letter, applied atomically: the letter, the
 * sender-side recipient statuses, local deliveries, outbox items and evidence.
 */
export interface LetterWrite {
  letter: LetterRow
  bytes: Uint8Array
  recipients: { address: string; state: RecipientState; code?: string | null }[]
  deliveries: DeliveryWrite[]
  outbox: NewOutboxItem[]
  evidence: EvidenceRow[]
  /**
   * Written with the letter unless it conflicts, each kept if already there (a federation
   * transaction commits them with its letters, spec 11.4): the letter's delivery terms, its
   * sender's certified key (print channel, spec 17.6) and the deliveries it holds back (17.2).
   */
  terms?: LetterTerms
  senderKey?: { kid: string; jwk: string }
  schedule?: readonly ScheduledDelivery[]
}

/** What happened to one delivery of a {@link LetterWrite}. */
export interface DeliveryOutcome {
  address: string
  /** False when the letter was already in that mailbox (a duplicate). */
  inserted: boolean
  receivedAt: number
}

export type LetterWriteResult =
  | { status: 'stored'; deliveries: DeliveryOutcome[] }
  /** Same id and same digest already stored: the write was a duplicate. */
  | { status: 'duplicate'; deliveries: DeliveryOutcome[] }
  /** Same id, different digest: refused. */
  | { status: 'conflict' }
  /**
   * A new letter naming an attachment whose blob is not (or no longer) stored with that size:
   * nothing was written. Checked inside the write, so that a blob that mailbox retention
   * removed after the caller's own check cannot end up named by a letter (spec 15.4).
   */
  | { status: 'attachment-missing'; index: number }

/** How the outcome of a delivery attempt changes one outbox item. */
export type OutboxSettlement =
  | {
      id: number
      outcome: 'done'
      /** Sender-side status to record for the item's (letter, recipient). */
      recipientState?: RecipientState
      code?: string | null
    }
  | {
      id: number
      outcome: 'retry'
      nextAttemptAt: number
      ambiguous: boolean
      error: string
      /** Set when the peer answered for this recipient, to show it (e.g. `unconfirmed`). */
      recipientState?: RecipientState
    }

export interface StoredResponse {
  requestDigest: string
  status: number
  body: string
}

export interface BatchSummary {
  id: string
  senderId: string
  total: number
  pending: number
  accepted: number
  rejected: number
  createdAt: number
  completedAt: number | null
}

export interface BatchItemResult {
  idx: number
  status: 'pending' | 'accepted' | 'rejected'
  letterId: string | null
  code: string | null
  message: string | null
}

export interface ListMailboxOptions {
  /** Only entries older than this cursor (paging newest first). */
  before?: number
  limit: number
  unreadOnly?: boolean
}
