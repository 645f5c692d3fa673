/**
 * @module registered/delivery-feed
 * What happens after a letter lands in a mailbox here (spec 17.2, 17.4, 17.6, 17.7), decided in
 * the background from the delivery feed rather than on the letter's path: a letter in the
 * mailbox of a resident served on paper becomes a print job; a registered letter gets its
 * retrieval deadline; each notification target of the mailbox gets a notification, due when the
 * letter becomes visible. The plan and the feed's move are written in one step.
 */
import type { NodeServices } from '../services.js'
import type { DeliveryPlan, NotificationTarget } from '../storage/registered-types.js'
import { DELIVERY_FEED } from '../storage/sqlite/registered.js'

const DAY = 86_400_000

/**
 * Plans and writes one batch of new deliveries; returns how many it read.
 *
 * @example
 * ```ts
 * while ((await deliveryFeedStep(svc)) > 0);
 * ```
 */
export async function deliveryFeedStep(svc: NodeServices, limit = 500): Promise<number> {
  const from = await svc.storage.feedPosition(DELIVERY_FEED)
  const rows = await svc.storage.deliveriesAfter(from, limit)
  if (rows.length === 0) return 0
  const now = svc.now()
  const plan: DeliveryPlan = {
    from,
    to: rows[rows.length - 1]!.position,
    at: now,
    deadlines: [],
    printJobs: [],
    notifications: [],
  }
  const targets = new Map<number, NotificationTarget[]>()
  for (const d of rows) {
    const visibleAt = Math.max(d.receivedAt, d.terms?.visibleFrom ?? 0)
    if (d.paper) {
      // Not before the sender's date either: paper must not reach the resident earlier.
      plan.printJobs.push({
        letterId: d.letterId,
        mailboxId: d.mailboxId,
        nextAttemptAt: visibleAt,
      })
      continue
    }
    if (d.kind === 'registered') {
      const category = d.terms?.category ?? 'registered'
      const rule = svc.config.profile.registered[category]
      if (rule.onDeadline !== 'none')
        plan.deadlines.push({
          letterId: d.letterId,
          mailboxId: d.mailboxId,
          category,
          dueAt: visibleAt + rule.retrievalDays * DAY,
        })
    }
    let list = targets.get(d.mailboxId)
    if (!list)
      targets.set(d.mailboxId, (list = await svc.storage.listNotificationTargets(d.mailboxId)))
    for (const t of list)
      plan.notifications.push({
        mailboxId: d.mailboxId,
        letterId: d.letterId,
        targetId: t.id,
        channel: t.channel,
        address: t.address,
        nextAttemptAt: Math.max(now, visibleAt),
      })
  }
  await svc.storage.applyDeliveryPlan(plan)
  return rows.length
}
