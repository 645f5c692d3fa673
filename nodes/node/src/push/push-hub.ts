/**
 * @module push/push-hub
 * In-process fan-out of mailbox events to connected clients. Events are not stored here: a
 * client that reconnects resumes from its last cursor by reading the mailbox itself (the
 * mailbox is the event log), so nothing is lost when a connection or the node goes down.
 */
import type { LetterPushEvent } from '../core.js'

/**
 * A new-letter event inside the node: the wire's `LetterPushEvent` (spec 13.6) with
 * `receivedAt` still in epoch milliseconds (citizen/push-socket.ts formats it when sending).
 */
export interface MailboxEvent extends Omit<LetterPushEvent, 'receivedAt'> {
  receivedAt: number
}

export type Listener = (e: MailboxEvent) => void

export interface PushHub {
  subscribe(mailboxId: number, listener: Listener): () => void
  publish(mailboxId: number, e: MailboxEvent): void
  /** True when some connection listens to `mailboxId` (so callers can skip building events). */
  has(mailboxId: number): boolean
  /** Number of live subscriptions (for metrics and tests). */
  readonly size: number
}

/**
 * @example
 * ```ts
 * const hub = createPushHub()
 * const off = hub.subscribe(mailbox.id, (e) => socket.send(JSON.stringify(e)))
 * ```
 */
export function createPushHub(): PushHub {
  const subs = new Map<number, Set<Listener>>()
  let size = 0
  return {
    subscribe(mailboxId, listener) {
      const set = subs.get(mailboxId) ?? new Set()
      subs.set(mailboxId, set)
      set.add(listener)
      size++
      return () => {
        if (set.delete(listener)) size--
        if (set.size === 0) subs.delete(mailboxId)
      }
    },
    publish(mailboxId, e) {
      for (const l of subs.get(mailboxId) ?? []) {
        try {
          l(e)
        } catch {
          // a failing listener must not stop the others
        }
      }
    },
    has(mailboxId) {
      return subs.has(mailboxId)
    },
    get size() {
      return size
    },
  }
}
