/**
 * @module mailbox/open-letter
 * Marking a letter opened (spec 13.5). For registered mail the first opening issues a
 * `retrieved` evidence record, chained to the newest record of the recipient's chain, and queues
 * it for the sender's node when the letter came from a peer (spec 14.5, 17.3). Opening twice
 * changes nothing.
 */
import { BaridError } from '../core.js'
import { chainKey, issueNext, withChainLock } from '../evidence/chain-tip.js'
import { evidenceBack } from '../paper/print-channel.js'
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
  const l = entry.letter
  // Serialised with the other records of this chain (spec 17.3): the retrieval record follows
  // the newest one (delivered, deemed-delivered, notification-failed), and none follows a record
  // that ended the chain (expired).
  return withChainLock(chainKey(l.id, mailbox.address), async () => {
    const evidence: EvidenceRow[] = []
    const outbox: NewOutboxItem[] = []
    if (entry.openedAt === null && l.kind === 'registered') {
      const rec = await issueNext(svc, {
        letterId: l.id,
        letterDigest: l.digest,
        recipient: mailbox.address,
        type: 'retrieved',
        time: now,
      })
      if (rec) {
        evidence.push(rec)
        outbox.push(...evidenceBack(svc, l, rec, now))
      }
    }
    const r = await svc.storage.markOpened(mailbox.id, letterId, now, { evidence, outbox })
    if (!r.found) throw new BaridError('ERR_NOT_FOUND', 'no such letter')
    if (r.first && outbox.length > 0) svc.outbox.wake()
    return { openedAt: r.openedAt ?? now, first: r.first }
  })
}
