/**
 * @module mailbox/views
 * JSON shapes of mailbox entries (spec 13.5; the shape itself is core's `MailboxEntryView`) and
 * the push event of a new one (13.6), which names the sender as the listing does. Times are
 * RFC 3339 UTC strings (the push event's `receivedAt` is formatted when it is sent).
 */
import type { MailboxEntryView } from '../core.js'
import { senderNameFor } from '../notify/sender-name.js'
import type { MailboxEvent } from '../push/push-hub.js'
import type { MailboxEntry } from '../storage/types.js'

const iso = (t: number) => new Date(t).toISOString()

/**
 * @param languages the operator's languages, first preferred (its profile's): the order the
 *   sender's name is chosen in, as for notifications (spec 13.5, 17.7)
 *
 * @example `c.json(entryView(entry, svc.config.profile.languages))`
 */
export function entryView(e: MailboxEntry, languages: readonly string[]): MailboxEntryView {
  const l = e.letter
  return {
    cursor: e.cursor,
    letterId: l.id,
    sender: l.senderAddress,
    senderName: senderNameFor(l.senderDisplay, languages, l.lang),
    senderNames: { ...l.senderDisplay?.names },
    kind: l.kind,
    createdAt: iso(l.createdAt),
    receivedAt: iso(e.receivedAt),
    openedAt: e.openedAt === null ? null : iso(e.openedAt),
    expiresAt: l.expiresAt === null ? null : iso(l.expiresAt),
    threadId: l.threadId,
    replyTo: l.replyTo,
    size: l.size,
    attachments: l.attachments.map((a, index) => ({ index, digest: a.digest, size: a.size })),
  }
}

/**
 * The push event (spec 13.6) of a mailbox entry, for the backlog and live events alike, so that
 * both name the sender as {@link entryView} does.
 *
 * @example `svc.push.publish(mailboxId, pushEvent(entry, svc.config.profile.languages))`
 */
export function pushEvent(e: MailboxEntry, languages: readonly string[]): MailboxEvent {
  const l = e.letter
  return {
    type: 'letter',
    cursor: e.cursor,
    letterId: l.id,
    sender: l.senderAddress,
    senderName: senderNameFor(l.senderDisplay, languages, l.lang),
    kind: l.kind,
    receivedAt: e.receivedAt,
  }
}
