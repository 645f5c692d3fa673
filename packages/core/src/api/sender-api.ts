/**
 * @module api/sender-api
 * JSON shapes of the sender API's answers (`spec/12-sender-api.md`), shared by the reference
 * node (which writes them) and the client SDK (which reads them). The citizen API (spec 13)
 * answers with the same shapes for what it shares with senders: letter status, keys and
 * attachments. Types only: these describe the wire, they do not validate it. Times are RFC 3339
 * UTC strings; bytes are unpadded base64url (spec 10.3) unless a field says hex.
 */

/**
 * Where one recipient's copy of a letter stands (spec 12.3): `pending` (queued for a peer),
 * `delivered` (taken by the recipient's node; it may still become `not-delivered`, spec 17.5),
 * `not-delivered` (final; `code` says why) or `unconfirmed` (spec 14.4).
 */
export type RecipientState = 'pending' | 'delivered' | 'not-delivered' | 'unconfirmed'

/**
 * One recipient of a submitted letter (spec 12.3).
 *
 * @example
 * ```ts
 * const failed = (r: RecipientStatus) => (r.state === 'not-delivered' ? r.code : null)
 * ```
 */
export interface RecipientStatus {
  address: string
  state: RecipientState
  /** Why a copy was not delivered (an error code, spec errors.md), else null. */
  code: string | null
  /** Registered mail: this recipient's evidence chain so far, oldest first (base64url records). */
  chain?: string[]
}

/**
 * The answer to a submission (`POST …/letters`, spec 12.3) and to a status request
 * (`GET /v1/sender/letters/{id}`, spec 12.8; `GET /v1/citizen/sent/{id}`, spec 13.5).
 *
 * @example
 * ```ts
 * const status: LetterStatusView = await res.json()
 * ```
 */
export interface LetterStatusView {
  letterId: string
  /** SHA-256 of the sealed letter, lower-case hex. */
  digest: string
  /** True when the node had accepted this very letter (same id, same bytes) before. */
  duplicate: boolean
  recipients: RecipientStatus[]
  /** Every evidence record about the letter (base64url COSE_Sign1), oldest first. */
  evidence: string[]
}

/**
 * The answer to `POST /v1/sender/batches` (spec 12.4, status 202).
 *
 * @example
 * ```ts
 * const { batchId, total }: BatchAccepted = await res.json()
 * ```
 */
export interface BatchAccepted {
  batchId: string
  total: number
}

/** The state of one letter of a batch (spec 12.4). */
export type BatchItemStatus = 'pending' | 'accepted' | 'rejected'

/**
 * Per-letter result of a batch (spec 12.4); `code` and `message` are present only for a
 * rejected letter.
 *
 * @example
 * ```ts
 * const why = (r: BatchItemView) => (r.status === 'rejected' ? r.code : undefined)
 * ```
 */
export interface BatchItemView {
  /** Position of the letter in the submitted batch, from 0. */
  index: number
  status: BatchItemStatus
  letterId: string | null
  code?: string
  message?: string
}

/**
 * A batch's progress (`GET /v1/sender/batches/{id}`, spec 12.4): `processed / total`, with the
 * page of `results` asked for by `offset` and `limit`.
 *
 * @example
 * ```ts
 * const done = (p: BatchProgressView) => p.completedAt !== null
 * ```
 */
export interface BatchProgressView {
  batchId: string
  total: number
  processed: number
  accepted: number
  rejected: number
  /** Set when no letter of the batch is pending, else null. */
  completedAt: string | null
  results: BatchItemView[]
}

/** What a key is for (spec 12.7, 13.4): encryption (`enc`) or signing (`sig`). */
export type MailboxKeyUse = 'enc' | 'sig'

/**
 * The answer to `POST …/keys` (spec 12.7, 13.4): the key as the node certified it.
 *
 * @example
 * ```ts
 * const k: RegisteredKeyView = await res.json()
 * ```
 */
export interface RegisteredKeyView {
  kid: string
  use: MailboxKeyUse
  /** The key's X.509 certificate, DER in unpadded base64url (spec 13.4). */
  certificate: string
  /** The mailbox the key is registered for. */
  address: string
  /**
   * Encryption keys of the mailbox that this registration pushed out of the four newest: senders
   * stop encrypting new letters to them (spec 13.4). Empty unless a new `enc` key did so.
   */
  displaced: string[]
}

/**
 * One key of `GET …/keys` (spec 12.7, 13.4).
 *
 * @example
 * ```ts
 * const labels = (l: KeyListView) => l.keys.map((k: KeyListEntry) => k.label)
 * ```
 */
export interface KeyListEntry {
  kid: string
  use: MailboxKeyUse
  label: string | null
  /** The public key as registered (an RFC 7517 JWK). */
  jwk: unknown
  certificate: string
  createdAt: string
}

/** The answer to `GET …/keys` (spec 12.7, 13.4). */
export interface KeyListView {
  keys: KeyListEntry[]
}

/**
 * The answer to `PUT …/attachments/{digest}` (spec 12.6): 201 when stored, 200 when already
 * present.
 *
 * @example
 * ```ts
 * const { digest, size }: AttachmentUploadView = await res.json()
 * ```
 */
export interface AttachmentUploadView {
  /** SHA-256 of the ciphertext, lower-case hex (spec 6.8). */
  digest: string
  size: number
}
