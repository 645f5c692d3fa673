/**
 * @module storage/sqlite/outbox
 * SQLite implementation of {@link OutboxStore}, the delivery engine's persistent queue.
 */
import { and, asc, eq, lte, min, sql } from 'drizzle-orm'
import { evidence, outbox, recipients } from '../schema.js'
import type { OutboxStore } from '../storage.js'
import type { OutboxItem } from '../types.js'
import type { Db } from './db.js'

function toItem(r: typeof outbox.$inferSelect): OutboxItem {
  return {
    id: r.id,
    peer: r.peer,
    kind: r.kind,
    letterId: r.letterId,
    recipient: r.recipient,
    evidenceId: r.evidenceId,
    deliverBefore: r.deliverBefore,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    ambiguous: r.ambiguous,
    createdAt: r.createdAt,
  }
}

/** @example `const q = sqliteOutbox(openDb({ file: ':memory:' }))` */
export function sqliteOutbox(db: Db): OutboxStore {
  // Prepared once: the engine runs these on every tick (see letters.ts on the cost).
  const p = (n: string) => sql.placeholder(n)
  // `.set()` takes SQL, not bare placeholders.
  const v = (n: string) => sql`${sql.placeholder(n)}`
  const q = {
    duePeers: db
      .select({ peer: outbox.peer, due: sql<number>`count(*)` })
      .from(outbox)
      .where(and(eq(outbox.state, 'pending'), lte(outbox.nextAttemptAt, p('now'))))
      .groupBy(outbox.peer)
      .prepare(),
    dueItems: db
      .select()
      .from(outbox)
      .where(
        and(
          eq(outbox.state, 'pending'),
          eq(outbox.peer, p('peer')),
          lte(outbox.nextAttemptAt, p('now')),
        ),
      )
      .orderBy(asc(outbox.id))
      .limit(p('limit'))
      .prepare(),
    nextDueAt: db
      .select({ at: min(outbox.nextAttemptAt) })
      .from(outbox)
      .where(eq(outbox.state, 'pending'))
      .prepare(),
    item: db
      .select()
      .from(outbox)
      .where(eq(outbox.id, p('id')))
      .prepare(),
    done: db
      .update(outbox)
      .set({ state: 'done', doneAt: v('at'), lastError: null })
      .where(eq(outbox.id, p('id')))
      .prepare(),
    retry: db
      .update(outbox)
      .set({
        attempts: v('attempts'),
        nextAttemptAt: v('next'),
        ambiguous: v('ambiguous'),
        lastError: v('error'),
      })
      .where(eq(outbox.id, p('id')))
      .prepare(),
    recipient: db
      .update(recipients)
      .set({ state: v('state'), code: v('code'), updatedAt: v('at') })
      .where(and(eq(recipients.letterId, p('letterId')), eq(recipients.address, p('address'))))
      .prepare(),
    evidence: db
      .insert(evidence)
      .values({
        id: p('id'),
        letterId: p('letterId'),
        recipient: p('recipient'),
        type: p('type'),
        issuer: p('issuer'),
        issuedAt: p('issuedAt'),
        prev: p('prev'),
        record: p('record'),
      })
      .onConflictDoNothing()
      .prepare(),
  }
  return {
    async duePeers(now) {
      return q.duePeers.all({ now })
    },
    async dueItems(peer, now, limit, exclude) {
      // Fetch a little more than asked so items already in flight can be skipped.
      const extra = exclude?.size ?? 0
      const rows = q.dueItems.all({ peer, now, limit: limit + extra })
      return rows
        .filter((r) => !exclude?.has(r.id))
        .slice(0, limit)
        .map(toItem)
    },
    async nextDueAt() {
      return q.nextDueAt.get()?.at ?? undefined
    },
    async settle(settlements, received, at) {
      db.transaction(
        () => {
          for (const e of received) {
            q.evidence.run({
              ...e,
              record: Buffer.from(e.record.buffer, e.record.byteOffset, e.record.byteLength),
            })
          }
          for (const s of settlements) {
            const item = q.item.get({ id: s.id })
            if (!item || item.state !== 'pending') continue
            if (s.outcome === 'done') q.done.run({ id: s.id, at })
            else {
              q.retry.run({
                id: s.id,
                attempts: item.attempts + 1,
                next: s.nextAttemptAt,
                ambiguous: item.ambiguous || s.ambiguous ? 1 : 0,
                error: s.error.slice(0, 200),
              })
            }
            if (s.recipientState && item.kind === 'letter' && item.recipient !== null) {
              q.recipient.run({
                letterId: item.letterId,
                address: item.recipient,
                state: s.recipientState,
                code: s.outcome === 'done' ? (s.code ?? null) : null,
                at,
              })
            }
          }
        },
        { behavior: 'immediate' },
      )
    },
    async resetBackoff(peer, now) {
      const r = db
        .update(outbox)
        .set({ nextAttemptAt: now, attempts: 0 })
        .where(
          and(
            eq(outbox.state, 'pending'),
            eq(outbox.peer, peer),
            sql`${outbox.nextAttemptAt} > ${now}`,
          ),
        )
        .run()
      return r.changes
    },
    async queueDepth() {
      return db
        .select({ peer: outbox.peer, depth: sql<number>`count(*)` })
        .from(outbox)
        .where(eq(outbox.state, 'pending'))
        .groupBy(outbox.peer)
        .all()
    },
  }
}
