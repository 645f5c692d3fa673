/**
 * @module mailbox/views
 * JSON shapes of mailbox entries (spec 13.5). Times are RFC 3339 UTC strings.
 */
import type { MailboxEntry } from '../storage/types.js'

export interface EntryView {
  cursor: number
  letterId: string
  sender: string
  kind: 'letter' | 'registered'
  createdAt: string
  receivedAt: string
  openedAt: string | null
  expiresAt: string | null
  threadId: string | null
  replyTo: string | null
  size: number
  attachments: { index: number; digest: string; size: number }[]
}

const iso = (t: number) => new Date(t).toISOString()

/** @example `c.json(entryView(entry))` */
export function entryView(e: MailboxEntry): EntryView {
  const l = e.letter
  return {
    cursor: e.cursor,
    letterId: l.id,
    sender: l.senderAddress,
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
