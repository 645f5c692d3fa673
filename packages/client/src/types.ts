/**
 * @module types
 * The JSON shapes of the node's answers that the client passes on (spec 12.3, 12.4, 13.5,
 * 13.6). Times are RFC 3339 strings, as on the wire.
 */

/** Where one recipient's copy of a letter stands (spec 12.3). */
export type RecipientState = 'pending' | 'delivered' | 'not-delivered' | 'unconfirmed'

/** The status of a letter its sender submitted (spec 12.3, 12.8). */
export interface LetterStatus {
  letterId: string
  /** SHA-256 of the sealed letter, hex. */
  digest: string
  /** True when the node had accepted this very letter before. */
  duplicate: boolean
  recipients: {
    address: string
    state: RecipientState
    /** Why a copy was not delivered (an error code), else null. */
    code: string | null
    /** Registered mail: this recipient's evidence chain so far (base64url records). */
    chain?: string[]
  }[]
  /** Every evidence record about the letter (base64url). */
  evidence: string[]
}

/** An entry of a mailbox listing (spec 13.5). */
export interface MailboxEntry {
  /** Orders the mailbox: higher is newer. */
  cursor: number
  letterId: string
  sender: string
  kind: 'letter' | 'registered'
  createdAt: string
  receivedAt: string
  openedAt: string | null
  expiresAt: string | null
  threadId: string | null
  replyTo: string | null
  size: number
  attachments: { index: number; digest: string; size: number }[]
}

/** One page of a mailbox listing. */
export interface MailboxPage {
  letters: MailboxEntry[]
  /** `before` for the next (older) page, or null at the end. */
  nextCursor: number | null
}

/** A new-letter event pushed over the citizen WebSocket (spec 13.6). */
export interface LetterEvent {
  type: 'letter'
  cursor: number
  letterId: string
  sender: string
  kind: 'letter' | 'registered'
  receivedAt: string
}

/** A key registered for the caller's mailbox and certified by its node (spec 12.7, 13.4). */
export interface RegisteredKey {
  kid: string
  use: 'enc' | 'sig'
  certificate: string
  address: string
}

/** Per-letter result of a batch (spec 12.4). */
export interface BatchItemResult {
  index: number
  status: 'pending' | 'accepted' | 'rejected'
  letterId: string | null
  code?: string
  message?: string
}

/** A batch's progress (spec 12.4). */
export interface BatchProgress {
  batchId: string
  total: number
  processed: number
  accepted: number
  rejected: number
  completedAt: string | null
  results: BatchItemResult[]
}
