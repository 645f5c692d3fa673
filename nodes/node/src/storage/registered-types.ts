/**
 * @module storage/registered-types
 * The records of registered mail (spec 17) and of the transparency log (spec 16) that cross the
 * {@link Storage} seam. Plain data, like `types.ts`.
 */
import type { EvidenceRow, MailboxStatus, NewOutboxItem } from './types.js'

/** Registered-mail categories (spec 17.1). */
export type RegisteredCategory = 'registered' | 'proof-of-receipt' | 'service-of-process'

/** Delivery terms of a letter, from its signed header (spec 05, 5.3). Times in ms. */
export interface LetterTerms {
  letterId: string
  category: RegisteredCategory | null
  visibleFrom: number | null
  title: string | null
  replyBy: number | null
}

/** An evidence record as the evidence feed reads it (in the order records were stored). */
export interface FeedEvidence {
  /** Position in the feed (strictly increasing). */
  position: number
  id: string
  letterId: string
  issuer: string
  type: string
  recipient: string | null
  record: Uint8Array
  /** The letter's origin, when this node holds the letter. */
  origin: string | null
  /** The letter's sender, when it is one of this node's sender organisations. */
  sender: string | null
}

/** A receipt to queue for a sender (spec 17.5). */
export interface NewReceipt {
  sender: string
  evidenceId: string
}

/** One receipt as a sender pulls it. */
export interface Receipt {
  seq: number
  evidence: EvidenceRow
}

/** A checkpoint this node signed. */
export interface StoredCheckpoint {
  /** Lower-case hex checkpoint digest. */
  digest: string
  size: number
  /** Seconds. */
  time: number
  bytes: Uint8Array
}

/** A witness's last accepted view of a peer's log. */
export interface WitnessView {
  log: string
  checkpoint: Uint8Array
  size: number
  time: number
  updatedAt: number
  forkedAt: number | null
}

/** A new delivery as the delivery feed reads it. */
export interface FeedDelivery {
  position: number
  letterId: string
  mailboxId: number
  address: string
  mailboxStatus: MailboxStatus
  /** True when the mailbox is exempt and in the exemption registry: served on paper. */
  paper: boolean
  receivedAt: number
  kind: 'letter' | 'registered'
  origin: string
  terms: LetterTerms | undefined
}

export interface NewDeadline {
  letterId: string
  mailboxId: number
  category: RegisteredCategory
  dueAt: number
}

export interface DueDeadline extends NewDeadline {
  address: string
  openedAt: number | null
  origin: string
  digest: string
}

export interface NewPrintJob {
  letterId: string
  mailboxId: number
  nextAttemptAt: number
}

export interface PrintJob {
  id: number
  letterId: string
  mailboxId: number
  attempts: number
  createdAt: number
}

export interface NewNotification {
  mailboxId: number
  letterId: string
  targetId: number
  channel: string
  address: string | null
  nextAttemptAt: number
}

export interface NotificationJob extends NewNotification {
  id: number
  attempts: number
  createdAt: number
}

/** What a delivery feed step writes, with the feed's move from `from` to `to`. */
export interface DeliveryPlan {
  from: number
  to: number
  /** When the plan was made (ms): the jobs' creation time. */
  at: number
  deadlines: NewDeadline[]
  printJobs: NewPrintJob[]
  notifications: NewNotification[]
}

/** Evidence issued by a background step, with what carries it to the sender's node. */
export interface EvidenceWrite {
  evidence: EvidenceRow[]
  outbox: NewOutboxItem[]
}

/** Reasons a resident is served on paper (spec 17.6). */
export const EXEMPTION_REASONS = [
  'cognitive-impairment',
  'physical-impairment',
  'no-internet-access',
  'language',
  'abroad',
  'no-digital-mailbox',
  'other',
] as const
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number]

export interface Exemption {
  mailboxId: number
  reason: ExemptionReason
  validFrom: number
  validUntil: number | null
  name: string
  postalAddress: string[]
  createdAt: number
  updatedAt: number
}

export interface NotificationTarget {
  id: number
  mailboxId: number
  channel: string
  address: string | null
  createdAt: number
}

/** Counts behind the sustainability report (spec 17.8), per UTC day. */
export interface DeliveryCounts {
  /** Day start (ms, UTC). */
  day: number
  digital: number
  paper: number
  pages: number
  sheets: number
}

/** A delivery held back until the letter may be shown (spec 17.2). */
export interface ScheduledDelivery {
  letterId: string
  mailboxId: number
  address: string
  /** Milliseconds. */
  visibleAt: number
}
