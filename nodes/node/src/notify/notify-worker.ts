/**
 * @module notify/notify-worker
 * Sends the notifications the delivery feed queued (spec 17.7): one per letter and notification
 * target of the mailbox, not before the letter is visible. A failed attempt is retried after the
 * next delay of the schedule; when the schedule is exhausted the notification has failed, and for
 * registered mail a `notification-failed` record is issued and carried back to the sender's node.
 */
import { isBaridError } from '../core.js'
import { chainKey, issueNext, withChainLock } from '../evidence/chain-tip.js'
import { evidenceBack } from '../paper/print-channel.js'
import type { NodeServices } from '../services.js'
import type { NotificationJob } from '../storage/registered-types.js'
import type { EvidenceRow, NewOutboxItem } from '../storage/types.js'
import type { Notification, NotificationChannel } from './channel.js'
import { senderNameFor } from './sender-name.js'

/** The channels a node has, by name. */
export type ChannelRegistry = ReadonlyMap<string, NotificationChannel>

async function notificationOf(
  svc: NodeServices,
  job: NotificationJob,
): Promise<{ n: Notification; digest: string; origin: string; kind: string } | undefined> {
  const [letter, mailbox, terms] = await Promise.all([
    svc.storage.getLetter(job.letterId),
    svc.storage.getMailboxById(job.mailboxId),
    svc.storage.getLetterTerms([job.letterId]),
  ])
  if (!letter || !mailbox) return undefined
  const t = terms.get(job.letterId)
  return {
    digest: letter.digest,
    origin: letter.origin,
    kind: letter.kind,
    n: {
      id: `${job.id}`,
      channel: job.channel,
      contact: job.address,
      mailbox: mailbox.address,
      letterId: letter.id,
      sender: letter.senderAddress,
      senderName: senderNameFor(
        letter.senderDisplay,
        svc.config.profile.languages,
        letter.lang,
      ),
      title: t?.title ?? null,
      category: letter.kind === 'registered' ? (t?.category ?? 'registered') : null,
      receivedAt: letter.receivedAt,
      replyBy: t?.replyBy ?? null,
      link: `${svc.config.publicUrl}/v1/citizen/letters/${letter.id}`,
      lang: letter.lang,
      languages: svc.config.profile.languages,
      timeZone: svc.config.profile.timeZone,
    },
  }
}

/**
 * Sends the notifications that are due; returns how many it tried.
 *
 * @example
 * ```ts
 * await notifyStep(svc, new Map([['log', logChannel(svc.log)]]))
 * ```
 */
export async function notifyStep(
  svc: NodeServices,
  channels: ChannelRegistry,
  limit = 50,
): Promise<number> {
  const schedule = svc.config.registered.notifications.retryScheduleMs
  const jobs = await svc.storage.dueNotifications(svc.now(), limit)
  for (const job of jobs) {
    const found = await notificationOf(svc, job)
    const now = svc.now()
    if (!found) {
      await svc.storage.finishNotification(job.id, 'failed', now, 'ERR_NOT_FOUND', {
        evidence: [],
        outbox: [],
      })
      continue
    }
    const channel = channels.get(job.channel)
    // A channel the node no longer has fails like a channel that refuses.
    let error: string | null = channel ? null : 'ERR_NOTIFICATION_FAILED'
    if (channel) {
      try {
        await channel.send(found.n)
      } catch (e) {
        error = isBaridError(e) ? e.code : 'ERR_NOTIFICATION_FAILED'
      }
    }
    if (error === null) {
      await svc.storage.finishNotification(job.id, 'sent', now, null, { evidence: [], outbox: [] })
      continue
    }
    // attempts counts those before this one: the delay after attempt k is schedule[k - 1].
    const delay = schedule[job.attempts]
    if (delay !== undefined) {
      await svc.storage.retryNotification(job.id, now + delay, error)
      continue
    }
    svc.log.warn('notification failed after its retries', {
      notification: job.id,
      letterId: job.letterId,
      channel: job.channel,
    })
    const letter = { id: job.letterId, origin: found.origin }
    await withChainLock(chainKey(job.letterId, found.n.mailbox), async () => {
      let evidence: EvidenceRow[] = []
      let outbox: NewOutboxItem[] = []
      if (found.kind === 'registered') {
        const row = await issueNext(svc, {
          letterId: job.letterId,
          letterDigest: found.digest,
          recipient: found.n.mailbox,
          type: 'notification-failed',
          reason: 'channel-failed',
        })
        if (row) {
          evidence = [row]
          outbox = evidenceBack(svc, letter, row, now)
        }
      }
      await svc.storage.finishNotification(job.id, 'failed', now, error, { evidence, outbox })
    })
    svc.outbox.wake()
  }
  return jobs.length
}
