/**
 * @module evidence/recipient-state
 * What a recipient's evidence records say about where its copy of a letter stands (spec 17.5,
 * "The sender's view of a recipient"): `delivered` once a record says the recipient's node took
 * the letter, `not-delivered` once one says it will not reach the recipient, otherwise the
 * state the attempt settled in (`pending` when nothing more is known). The sending node shows
 * this state; a sender holding the verified chain computes it from the records alone, and so
 * learns what the chain proves rather than what the node claims.
 */
import type { RecipientState } from '../api/sender-api.js'

/** A state and, for `not-delivered`, why (an error code). */
export interface RecipientView {
  readonly state: RecipientState
  readonly code: string | null
}

/** What the state takes from one record about the recipient. */
export interface StateEvidence {
  /** The record's type (spec 07 7.2). */
  readonly type: string
  /** The record's time (any unit, the same for all records compared). */
  readonly time: number
  /** The record's hex digest: orders records of the same time alike everywhere. */
  readonly id: string
  /** The record's reason, if any. */
  readonly reason?: string | null | undefined
}

/** Records saying the recipient's node took the letter for delivery, or what followed it. */
export const TAKEN_TYPES: readonly string[] = [
  'relay-accepted',
  'delivered',
  'retrieved',
  'deemed-delivered',
  'expired',
  'handed-to-paper',
  'notification-failed',
]

/** Records saying the letter will not reach the recipient. */
export const REFUSED_TYPES: readonly string[] = ['not-delivered', 'relay-rejected']

/** Order of the states: the view only ever moves up it (spec 17.5). */
const RANK: Readonly<Record<RecipientState, number>> = {
  pending: 0,
  unconfirmed: 1,
  delivered: 2,
  'not-delivered': 3,
}

const CODE_OF_REASON: Readonly<Record<string, string>> = {
  'mailbox-unknown': 'ERR_RECIPIENT_UNKNOWN',
  'mailbox-closed': 'ERR_RECIPIENT_UNKNOWN',
  'recipient-exempt': 'ERR_RECIPIENT_EXEMPT',
  'operator-unreachable': 'ERR_PEER_UNAVAILABLE',
}

/**
 * The `code` shown for a record that ends the chain in failure with `reason` (spec 17.5): an
 * error code as it is, a reason of spec 07 (7.4) mapped to the code of the same meaning, any
 * other reason `ERR_FORBIDDEN`.
 *
 * @example
 * ```ts
 * codeOfReason('recipient-exempt') // 'ERR_RECIPIENT_EXEMPT'
 * codeOfReason('ERR_INPUT_TOO_LARGE') // 'ERR_INPUT_TOO_LARGE'
 * ```
 */
export function codeOfReason(reason: string | null | undefined): string {
  if (typeof reason === 'string' && /^ERR_[A-Z0-9_]+$/.test(reason)) return reason
  return (typeof reason === 'string' && CODE_OF_REASON[reason]) || 'ERR_FORBIDDEN'
}

/**
 * The state for a recipient from the state its delivery attempt settled in and the records
 * about it (spec 17.5): the highest of the settled state, `delivered` if a record says the
 * recipient's node took the letter, `not-delivered` if one says it will not reach them. The
 * result depends on the set of records only, not their order or repeats. The code of a
 * `not-delivered` is the settled one if the attempt settled so, else that of the earliest
 * refusal (by time, then id).
 *
 * @example
 * ```ts
 * recipientStateOf([{ type: 'submission-accepted', time, id }]) // { state: 'pending', code: null }
 * recipientStateOf(records, { state: 'delivered', code: null }) // what the node shows
 * ```
 */
export function recipientStateOf(
  records: Iterable<StateEvidence>,
  settled: RecipientView = { state: 'pending', code: null },
): RecipientView {
  if (settled.state === 'not-delivered') return { state: settled.state, code: settled.code }
  let taken = false
  let refusal: StateEvidence | undefined
  for (const r of records) {
    if (TAKEN_TYPES.includes(r.type)) taken = true
    else if (
      REFUSED_TYPES.includes(r.type) &&
      (refusal === undefined ||
        r.time < refusal.time ||
        (r.time === refusal.time && r.id < refusal.id))
    )
      refusal = r
  }
  if (refusal) return { state: 'not-delivered', code: codeOfReason(refusal.reason) }
  if (taken && RANK[settled.state] < RANK.delivered) return { state: 'delivered', code: null }
  return { state: settled.state, code: settled.code }
}
