/**
 * @module letters/recipient-state
 * The state a sending node shows for one recipient of a letter (spec 12.3, 12.8), following the
 * recipient's evidence chain (spec 17.5, "The sender's view of a recipient"). The node records a
 * state when a delivery attempt settles; records that arrive later (a `not-delivered` from the
 * print channel after the transaction answered `delivered`, a `delivered` while an ambiguous
 * attempt is still open) move it on. The state is a join over the stored outcome and the set of
 * records, so records arriving in any order, or more than once, give the same state, and no
 * record moves it back.
 */
import { CborTag, decodeStrict, parseMailboxAddress, toHex } from '../core.js'
import type { EvidenceRow, RecipientState } from '../storage/types.js'

/** What a recipient's state is made of: a state and, for `not-delivered`, why. */
export interface RecipientView {
  state: RecipientState
  code: string | null
}

/** A recipient's view with what decided it (the fold's state; see {@link followRecord}). */
export interface FollowedView extends RecipientView {
  /**
   * The record that made the state `not-delivered` (its time and id), or null when the node's
   * own stored outcome decides it.
   */
  decidedBy: { issuedAt: number; id: string } | null
}

/** What the state takes from one stored record about the recipient. */
export interface StateEvidence {
  id: string
  type: string
  issuedAt: number
  /** The record's `reason`, read for records that end the chain in failure, else null. */
  reason: string | null
}

/** Records saying the recipient's node took the letter for delivery, or what followed it. */
const TAKEN: ReadonlySet<string> = new Set([
  'relay-accepted',
  'delivered',
  'retrieved',
  'deemed-delivered',
  'expired',
  'handed-to-paper',
  'notification-failed',
])

/**
 * Records saying the letter will not reach the recipient (they end the chain, spec 07 7.3). A
 * `submission-rejected` letter is not stored, so it has no state to show.
 */
const REFUSED: ReadonlySet<string> = new Set(['not-delivered', 'relay-rejected'])

/** Order of the states: the view only ever moves up it (spec 17.5). */
const RANK: Record<RecipientState, number> = {
  pending: 0,
  unconfirmed: 1,
  delivered: 2,
  'not-delivered': 3,
}

/**
 * The error code a `not-delivered` state shows for a record's reason (spec 17.5): an error code
 * as it is, a reason of spec 07 (7.4) mapped to the code of the same meaning.
 */
const CODE_OF_REASON: Readonly<Record<string, string>> = {
  'mailbox-unknown': 'ERR_RECIPIENT_UNKNOWN',
  'mailbox-closed': 'ERR_RECIPIENT_UNKNOWN',
  'recipient-exempt': 'ERR_RECIPIENT_EXEMPT',
  'operator-unreachable': 'ERR_PEER_UNAVAILABLE',
}

/**
 * The `code` shown for a record that ends the chain in failure with `reason`.
 *
 * @example
 * ```ts
 * codeOfReason('recipient-exempt') // 'ERR_RECIPIENT_EXEMPT'
 * codeOfReason('ERR_INPUT_TOO_LARGE') // 'ERR_INPUT_TOO_LARGE'
 * ```
 */
export function codeOfReason(reason: string | null): string {
  if (reason !== null && /^ERR_[A-Z0-9_]+$/.test(reason)) return reason
  return (reason !== null && CODE_OF_REASON[reason]) || 'ERR_FORBIDDEN'
}

/** Earlier record first; the id breaks ties, so every node orders records alike. */
function before(a: { issuedAt: number; id: string }, b: { issuedAt: number; id: string }): boolean {
  return a.issuedAt < b.issuedAt || (a.issuedAt === b.issuedAt && a.id < b.id)
}

/**
 * The view after one more record. A join: commutative, associative and idempotent, so the
 * result depends on the set of records only; and monotone, so a record never moves the state
 * back. Between two refusals the node's own stored outcome wins, then the earliest record.
 *
 * @example
 * ```ts
 * const start: FollowedView = { state: 'delivered', code: null, decidedBy: null }
 * followRecord(start, { id, type: 'not-delivered', issuedAt, reason: 'recipient-exempt' })
 * // { state: 'not-delivered', code: 'ERR_RECIPIENT_EXEMPT', decidedBy: { issuedAt, id } }
 * ```
 */
export function followRecord(view: FollowedView, e: StateEvidence): FollowedView {
  if (TAKEN.has(e.type)) {
    return RANK[view.state] < RANK.delivered
      ? { state: 'delivered', code: null, decidedBy: null }
      : view
  }
  if (!REFUSED.has(e.type)) return view
  const by = { issuedAt: e.issuedAt, id: e.id }
  if (view.state === 'not-delivered' && (view.decidedBy === null || !before(by, view.decidedBy)))
    return view
  return { state: 'not-delivered', code: codeOfReason(e.reason), decidedBy: by }
}

/**
 * The state shown for a recipient: the stored outcome, followed by every record about it.
 *
 * @example
 * ```ts
 * recipientView({ state: 'delivered', code: null }, records) // { state: 'not-delivered', … }
 * ```
 */
export function recipientView(
  stored: RecipientView,
  records: Iterable<StateEvidence>,
): RecipientView {
  let view: FollowedView = { ...stored, decidedBy: null }
  for (const e of records) view = followRecord(view, e)
  return { state: view.state, code: view.code }
}

/** Digest and reason from a stored record's payload (it verified when it was stored). */
function payloadOf(record: Uint8Array): { digest: string; reason: string | null } | undefined {
  try {
    const t = decodeStrict(record, { tags: new Set([18]), maxBytes: 8192 }) as CborTag
    const payload = (t.value as unknown[])[2]
    if (!(payload instanceof Uint8Array)) return undefined
    const m = decodeStrict(payload, { maxBytes: 8192, maxItems: 64 }) as Map<string, unknown>
    const digest = m.get('digest')
    const reason = m.get('reason')
    if (!(digest instanceof Uint8Array)) return undefined
    return { digest: toHex(digest), reason: typeof reason === 'string' ? reason : null }
  } catch {
    return undefined
  }
}

/**
 * The state shown for `recipient` from its stored outcome and the letter's stored records (spec
 * 17.5). Only records that can move the state count: those naming the recipient, issued by this
 * node or by the recipient's operator (a peer attests only for its own mailboxes, spec 11.4),
 * about this very letter (its digest: a receiver that holds another letter under the same id
 * speaks of that one).
 *
 * @example
 * ```ts
 * const view = followEvidence(stored, rows, { recipient, digest, self: 'post.eg' })
 * ```
 */
export function followEvidence(
  stored: RecipientView,
  rows: readonly EvidenceRow[],
  o: { recipient: string; digest: string; self: string },
): RecipientView {
  // Final: nothing moves it (and nothing need be read).
  if (stored.state === 'not-delivered') return stored
  const taken = RANK[stored.state] < RANK.delivered
  let operator: string | undefined
  const records: StateEvidence[] = []
  for (const r of rows) {
    if (r.recipient !== o.recipient) continue
    if (!REFUSED.has(r.type) && !(taken && TAKEN.has(r.type))) continue
    operator ??= parseMailboxAddress(o.recipient).operator
    if (r.issuer !== o.self && r.issuer !== operator) continue
    const p = payloadOf(r.record)
    if (p?.digest === o.digest)
      records.push({ id: r.id, type: r.type, issuedAt: r.issuedAt, reason: p.reason })
  }
  return recipientView(stored, records)
}
