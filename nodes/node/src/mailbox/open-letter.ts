/**
 * @module mailbox/open-letter
 * Marking a letter opened (spec 13.5). For registered mail the first opening issues a
 * `retrieved` evidence record, chained to the `delivered` record, and queues it for the
 * sender's node when the letter came from a peer (spec 14.5). Opening twice changes nothing.
 */
import { BaridError } from '../core.js'
import { issueEvidence } from '../evidence/evidence-records.js'
import type { NodeServices } from '../services.js'
import type { EvidenceRow, Mailbox, NewOutboxItem } from '../storage/types.js'

/**
 * @example
 * ```ts
 * const { openedAt } = await markOpened(svc, mailbox, letterId)
 * ```
 */
export async function markOpened(
  svc: NodeServices,
  mailbox: Mailbox,
  letterId: string,
): Promise<{ openedAt: number; first: boolean }> {
  const entry = await svc.storage.getMailboxEntry(mailbox.id, letterId)
  if (!entry) throw new BaridError('ERR_NOT_FOUND', 'no such letter')
  const now = svc.now()
  const evidence: EvidenceRow[] = []
  const outbox: NewOutboxItem[] = []
  const l = entry.letter
  if (entry.openedAt === null && l.kind === 'registered') {
    const chain = await svc.storage.listEvidence(l.id)
    const delivered = chain.find(
      (e) =>
        e.type === 'delivered' &&
        e.recipient === mailbox.address &&
        e.issuer === svc.directory.self,
    )
    const rec = await issueEvidence(svc, {
      type: 'retrieved',
      letterId: l.id,
      letterDigest: l.digest,
      recipient: mailbox.address,
      time: now,
      ...(delivered ? { prev: delivered.record } : {}),
    })
    evidence.push(rec)
    if (l.origin !== svc.directory.self) {
      outbox.push({
        peer: l.origin,
        kind: 'evidence',
        letterId: l.id,
        evidenceId: rec.id,
        deliverBefore: now + 30 * 24 * 3600_000,
        nextAttemptAt: now,
        createdAt: now,
      })
    }
  }
  const r = await svc.storage.markOpened(mailbox.id, letterId, now, { evidence, outbox })
  if (!r.found) throw new BaridError('ERR_NOT_FOUND', 'no such letter')
  if (r.first && outbox.length > 0) svc.outbox.wake()
  return { openedAt: r.openedAt ?? now, first: r.first }
}
