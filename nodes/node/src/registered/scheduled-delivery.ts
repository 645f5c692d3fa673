/**
 * @module registered/scheduled-delivery
 * Delayed visibility (spec 17.2). A letter whose header says `nbf` is accepted, stored and
 * answered at once (with `relay-accepted` when it came from a peer), but put in the mailbox only
 * at `nbf`: only then does it get its mailbox cursor, its `delivered` record (the consignment,
 * ETSI ContentConsignment) and its push, so that a device syncing by cursor never skips it and
 * nobody sees it early.
 */
import { chainKey, issueNext, withChainLock } from '../evidence/chain-tip.js'
import { publishDelivery } from '../letters/submit.js'
import { evidenceBack } from '../paper/print-channel.js'
import type { NodeServices } from '../services.js'
import type { ScheduledDelivery } from '../storage/registered-types.js'

/** The deliveries of `recipients` (mailbox id and address) to hold back, or none. */
export function toSchedule(
  letterId: string,
  visibleFrom: number | undefined,
  now: number,
  recipients: readonly { mailboxId: number; address: string }[],
): ScheduledDelivery[] {
  if (visibleFrom === undefined || visibleFrom <= now) return []
  return recipients.map((r) => ({ letterId, ...r, visibleAt: visibleFrom }))
}

/**
 * Puts the held-back letters that are due in their mailboxes; returns how many it took.
 *
 * @example
 * ```ts
 * await releaseStep(svc)
 * ```
 */
export async function releaseStep(svc: NodeServices, limit = 200): Promise<number> {
  const now = svc.now()
  const due = await svc.storage.dueScheduledDeliveries(now, limit)
  let wake = false
  for (const d of due) {
    const letter = await svc.storage.getLetter(d.letterId)
    await withChainLock(chainKey(d.letterId, d.address), async () => {
      const row =
        letter?.kind === 'registered'
          ? await issueNext(svc, {
              letterId: letter.id,
              letterDigest: letter.digest,
              recipient: d.address,
              type: 'delivered',
              time: now,
            })
          : undefined
      const outbox = letter && row ? evidenceBack(svc, letter, row, now) : []
      const r = await svc.storage.releaseDelivery(d, now, { evidence: row ? [row] : [], outbox })
      if (r.inserted && letter) {
        wake ||= outbox.length > 0
        svc.metrics.lettersDelivered.inc({ route: 'scheduled' })
        void publishDelivery(svc, d.mailboxId, letter).catch(() => undefined)
      }
    })
  }
  if (wake) svc.outbox.wake()
  return due.length
}
