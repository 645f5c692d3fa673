/**
 * @module storage/sqlite/misc
 * SQLite implementations of the idempotency, batch and retention parts of the storage seam.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lt, notInArray, sql } from 'drizzle-orm'
import {
  batchItems,
  batches,
  blobs,
  deliveries,
  fedTransactions,
  idempotencyKeys,
  letterAttachments,
  letters,
  outbox,
} from '../schema.js'
import type { BatchStore, IdempotencyStore, RetentionStore } from '../storage.js'
import type { Db } from './db.js'
import { groupCommit } from './group-commit.js'

/** @example `const idem = sqliteIdempotency(openDb({ file: ':memory:' }))` */
export function sqliteIdempotency(db: Db): IdempotencyStore {
  const group = groupCommit(db.$client)
  return {
    async getFedTransaction(origin, txid) {
      return db
        .select({
          requestDigest: fedTransactions.requestDigest,
          status: fedTransactions.status,
          body: fedTransactions.body,
        })
        .from(fedTransactions)
        .where(and(eq(fedTransactions.origin, origin), eq(fedTransactions.txid, txid)))
        .get()
    },
    async putFedTransaction(origin, txid, r, at) {
      await group.run(() =>
        db
          .insert(fedTransactions)
          .values({ origin, txid, ...r, createdAt: at })
          .onConflictDoNothing()
          .run(),
      )
    },
    async getIdempotent(scope, key) {
      return db
        .select({
          requestDigest: idempotencyKeys.requestDigest,
          status: idempotencyKeys.status,
          body: idempotencyKeys.body,
        })
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
        .get()
    },
    async putIdempotent(scope, key, r, at) {
      await group.run(() =>
        db
          .insert(idempotencyKeys)
          .values({ scope, key, ...r, createdAt: at })
          .onConflictDoNothing()
          .run(),
      )
    },
  }
}

/** @example `const b = sqliteBatches(openDb({ file: ':memory:' }))` */
export function sqliteBatches(db: Db): BatchStore {
  const group = groupCommit(db.$client)
  // One insert and one update per letter of a batch: raw statements prepared once (see
  // letters.ts on the cost of drizzle's).
  type ResultParams = [string, string | null, string | null, string | null, string, number]
  const setResult = db.$client.prepare<ResultParams>(
    `update batch_items set status = ?, letter_id = ?, code = ?, message = ?, bytes = null
      where batch_id = ? and idx = ?`,
  )
  const insertItem = db.$client.prepare<[string, number, Buffer]>(
    `insert into batch_items (batch_id, idx, bytes, status) values (?, ?, ?, 'pending')`,
  )
  // Prepared once: an agency sending small batches at a steady rate pays these per batch.
  const insertBatch = db.$client.prepare<[string, string, number, number]>(
    `insert into batches (id, sender_id, total, created_at) values (?, ?, ?, ?)`,
  )
  const pendingLeft = db.$client
    .prepare<[string], number>(
      `select count(*) from batch_items where batch_id = ? and status = 'pending'`,
    )
    .pluck()
  const completeBatch = db.$client.prepare<[number, string]>(
    `update batches set completed_at = ? where id = ?`,
  )
  const openBatches = db.$client.prepare<[], { id: string; senderId: string }>(
    `select id, sender_id as senderId from batches where completed_at is null order by rowid`,
  )
  const pendingOf = db.$client.prepare<[string, number], { idx: number; bytes: Buffer }>(
    `select idx, bytes from batch_items where batch_id = ? and status = 'pending'
      order by idx limit ?`,
  )
  return {
    async createBatch(id, senderId, items, at) {
      // Whole or not at all (its own savepoint), committed with what else this loop turn wrote.
      await group.run(() => {
        insertBatch.run(id, senderId, items.length, at)
        for (const [idx, b] of items.entries()) {
          insertItem.run(id, idx, Buffer.from(b.buffer, b.byteOffset, b.byteLength))
        }
      })
    },
    async pendingBatchItems(limit) {
      // Batch by batch in the order they were stored (rowid), each read in index order
      // (batch_items_pending): one query over every pending item sorted by batch would sort the
      // whole backlog, bytes and all, for each call.
      const out: { batchId: string; senderId: string; idx: number; bytes: Uint8Array }[] = []
      for (const b of openBatches.all()) {
        for (const r of pendingOf.all(b.id, limit - out.length))
          out.push({
            batchId: b.id,
            senderId: b.senderId,
            idx: r.idx,
            // A plain view of the same memory: no copy, and core's decoder slices it natively.
            bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
          })
        if (out.length >= limit) break
      }
      return out
    },
    async recordBatchResults(results, at) {
      await group.run(() => {
        const touched = new Set<string>()
        for (const r of results) {
          setResult.run(r.status, r.letterId, r.code, r.message, r.batchId, r.idx)
          touched.add(r.batchId)
        }
        for (const id of touched) if (pendingLeft.get(id) === 0) completeBatch.run(at, id)
      })
    },
    async getBatch(id) {
      const b = db.select().from(batches).where(eq(batches.id, id)).get()
      if (!b) return undefined
      const counts = db
        .select({ status: batchItems.status, n: sql<number>`count(*)` })
        .from(batchItems)
        .where(eq(batchItems.batchId, id))
        .groupBy(batchItems.status)
        .all()
      const n = (s: string) => counts.find((c) => c.status === s)?.n ?? 0
      return { ...b, pending: n('pending'), accepted: n('accepted'), rejected: n('rejected') }
    },
    async listBatchItems(id, offset, limit) {
      return db
        .select({
          idx: batchItems.idx,
          status: batchItems.status,
          letterId: batchItems.letterId,
          code: batchItems.code,
          message: batchItems.message,
        })
        .from(batchItems)
        .where(eq(batchItems.batchId, id))
        .orderBy(asc(batchItems.idx))
        .limit(limit)
        .offset(offset)
        .all()
    },
  }
}

/** @example `const r = sqliteRetention(openDb({ file: ':memory:' }))` */
export function sqliteRetention(db: Db): RetentionStore {
  return {
    async purge(opts) {
      return db.transaction(
        () => {
          db.delete(fedTransactions)
            .where(lt(fedTransactions.createdAt, opts.idempotencyBefore))
            .run()
          db.delete(idempotencyKeys)
            .where(lt(idempotencyKeys.createdAt, opts.idempotencyBefore))
            .run()
          db.delete(outbox)
            .where(and(eq(outbox.state, 'done'), lt(outbox.doneAt, opts.outboxBefore)))
            .run()
          // Tombstones of mailbox retention stay: they keep a purged letter from being
          // delivered to the mailbox again (storage/sqlite/retention.ts).
          db.delete(deliveries)
            .where(
              and(
                isNotNull(deliveries.deletedAt),
                lt(deliveries.deletedAt, opts.deletedBefore),
                isNull(deliveries.purgedAt),
              ),
            )
            .run()
          // Letter bytes nobody needs: no mailbox entry and no pending outbox item. The row and
          // its evidence stay (the sender's status and proof outlive the content).
          const freed = db
            .update(letters)
            .set({ bytes: null })
            .where(
              and(
                isNotNull(letters.bytes),
                lt(letters.receivedAt, opts.deletedBefore),
                notInArray(
                  letters.id,
                  db
                    .select({ id: deliveries.letterId })
                    .from(deliveries)
                    .where(isNull(deliveries.purgedAt)),
                ),
                notInArray(
                  letters.id,
                  db
                    .select({ id: outbox.letterId })
                    .from(outbox)
                    .where(eq(outbox.state, 'pending')),
                ),
              ),
            )
            .run()
          const orphans = db
            .select({ digest: blobs.digest })
            .from(blobs)
            .where(
              and(
                lt(blobs.createdAt, opts.blobsBefore),
                notInArray(
                  blobs.digest,
                  db
                    .select({ s: letterAttachments.digest })
                    .from(letterAttachments)
                    .innerJoin(letters, eq(letters.id, letterAttachments.letterId))
                    .where(isNotNull(letters.bytes)),
                ),
              ),
            )
            .all()
            .map((r) => r.digest)
          if (orphans.length > 0) db.delete(blobs).where(inArray(blobs.digest, orphans)).run()
          return { letters: freed.changes, blobs: orphans }
        },
        { behavior: 'immediate' },
      )
    },
  }
}
