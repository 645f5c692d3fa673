/**
 * @module evidence/types
 * Evidence record types and reasons (`spec/07-evidence.md` sections 7.2 and 7.3). The lists are
 * closed in this implementation; the spec keeps them extensible by registration, and a reader
 * refuses a value it does not know rather than guess what it attests.
 */
import type { BaridErrorCode } from '../errors.js'
import type { MailboxAddress, OperatorId } from '../address/index.js'
import type { LetterId } from '../letter/letter-id.js'

/** What an evidence record attests. */
export const EVIDENCE_TYPES = [
  'submission-accepted',
  'submission-rejected',
  'relay-accepted',
  'relay-rejected',
  'delivered',
  'retrieved',
  'not-delivered',
  'expired',
  // Registered-mail lifecycle (spec/17): deemed delivery by deadline, the paper channel, and
  // notifications that could not be given.
  'deemed-delivered',
  'handed-to-paper',
  'notification-failed',
] as const
export type EvidenceType = (typeof EVIDENCE_TYPES)[number]

/** Types that attest a fact about one recipient, and so name it. */
export const PER_RECIPIENT_TYPES: readonly EvidenceType[] = [
  'delivered',
  'retrieved',
  'not-delivered',
  'expired',
  'deemed-delivered',
  'handed-to-paper',
  'notification-failed',
]

/** Types that attest a refusal or failure, and so give a reason. */
export const FAILURE_TYPES: readonly EvidenceType[] = [
  'submission-rejected',
  'relay-rejected',
  'not-delivered',
  'notification-failed',
]

/** Types that MAY give a reason without being failures (7.3). */
export const OPTIONAL_REASON_TYPES: readonly EvidenceType[] = [
  'expired',
  'deemed-delivered',
  'handed-to-paper',
]

/** Types after which nothing more can happen to the letter for that chain. */
export const TERMINAL_TYPES: readonly EvidenceType[] = [
  'submission-rejected',
  'relay-rejected',
  'not-delivered',
  'retrieved',
  'expired',
  'handed-to-paper',
]

/** Reasons that are not protocol errors: facts about the mailbox or the recipient. */
export const EVIDENCE_REASONS = [
  'mailbox-unknown',
  'mailbox-closed',
  'mailbox-full',
  'refused-by-recipient',
  'not-retrieved',
  'operator-unreachable',
  'policy',
  'recipient-exempt',
  'channel-failed',
] as const
export type EvidenceReason = (typeof EVIDENCE_REASONS)[number] | BaridErrorCode

/** An evidence record's content, as signed. */
export interface EvidenceRecord {
  /** Format version; this document defines 1. */
  readonly v: 1
  readonly type: EvidenceType
  readonly letterId: LetterId
  /** SHA-256 of the sealed letter. */
  readonly letterDigest: Uint8Array
  /** The operator whose node issued the record. */
  readonly issuer: OperatorId
  /** When the event happened, in milliseconds since the epoch. */
  readonly time: number
  readonly recipient?: MailboxAddress
  readonly reason?: EvidenceReason
  /** Digest of the previous record of this chain, or null for the first. */
  readonly prev: Uint8Array | null
  /** Short human-readable note; never personal data or letter content. */
  readonly detail?: string
}
