/**
 * @module registered/deadlines
 * Retrieval deadlines of registered mail (spec 17.4). When a registered letter's retrieval period
 * ends and the recipient has not opened it, the recipient's node issues the record its category
 * calls for under the operator's law: `deemed-delivered` (service of process: the letter counts
 * as served) or `expired` (it was not collected), with reason `not-retrieved`, dated at the
 * deadline, chained after the newest record, and carried back to the sender's node.
 */
import { chainKey, issueNext, withChainLock } from '../evidence/chain-tip.js'
import { evidenceBack } from '../paper/print-channel.js'
import type { NodeServices } from '../services.js'

/**
 * Settles the deadlines that are due; returns how many.
 *
 * @example
 * ```ts
 * await deadlineStep(svc)
 * ```
 */
export async function deadlineStep(svc: NodeServices, limit = 200): Promise<number> {
  const now = svc.now()
  const due = await svc.storage.dueDeadlines(now, limit)
  let wake = false
  for (const d of due) {
    const rule =
      svc.config.profile.registered[d.category as keyof typeof svc.config.profile.registered]
    await withChainLock(chainKey(d.letterId, d.address), async () => {
      if (d.openedAt !== null || !rule || rule.onDeadline === 'none') {
        await svc.storage.settleDeadline(
          d.letterId,
          d.mailboxId,
          d.openedAt !== null ? 'retrieved' : 'none',
          {
            evidence: [],
            outbox: [],
          },
        )
        return
      }
      const row = await issueNext(svc, {
        letterId: d.letterId,
        letterDigest: d.digest,
        recipient: d.address,
        type: rule.onDeadline,
        reason: 'not-retrieved',
        time: d.dueAt,
      })
      const outbox = row ? evidenceBack(svc, { id: d.letterId, origin: d.origin }, row, now) : []
      wake ||= outbox.length > 0
      await svc.storage.settleDeadline(d.letterId, d.mailboxId, row ? rule.onDeadline : 'closed', {
        evidence: row ? [row] : [],
        outbox,
      })
    })
  }
  if (wake) svc.outbox.wake()
  return due.length
}
