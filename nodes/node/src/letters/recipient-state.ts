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
import {
  CborTag,
  REFUSED_TYPES,
  TAKEN_TYPES,
  decodeStrict,
  parseMailboxAddress,
  recipientStateOf,
  toHex,
} from '../core.js'
import type { EvidenceRow, RecipientState } from '../storage/types.js'

/** What a recipient's state is made of: a state and, for `not-delivered`, why. */
export interface RecipientView {
  state: RecipientState
  code: string | null
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
 * 17.5, the rule that core's `recipientStateOf` implements for senders and nodes alike). Only
 * records that can move the state count: those naming the recipient, issued by this
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
  const taken = stored.state !== 'delivered'
  let operator: string | undefined
  const records: { id: string; type: string; time: number; reason: string | null }[] = []
  for (const r of rows) {
    if (r.recipient !== o.recipient) continue
    if (!REFUSED_TYPES.includes(r.type) && !(taken && TAKEN_TYPES.includes(r.type))) continue
    operator ??= parseMailboxAddress(o.recipient).operator
    if (r.issuer !== o.self && r.issuer !== operator) continue
    const p = payloadOf(r.record)
    if (p?.digest === o.digest)
      records.push({ id: r.id, type: r.type, time: r.issuedAt, reason: p.reason })
  }
  return recipientStateOf(records, stored)
}
