/**
 * @module storage/sqlite/outbox
 * SQLite implementation of {@link OutboxStore}, the delivery engine's persistent queue.
 */
import { asc, eq, gt, sql } from 'drizzle-orm'
import { evidence, outbox, outboxDepth } from '../schema.js'
import type { OutboxStore } from '../storage.js'
import type { EvidenceRow, OutboxItem, OutboxSettlement } from '../types.js'
import type { Db } from './db.js'
import { groupCommit } from './group-commit.js'

/** An outbox row as SQLite returns it. */
interface OutboxRow {
  id: number
  peer: string
  kind: 'letter' | 'evidence'
  letter_id: string
  recipient: string | null
  evidence_id: string | null
  deliver_before: number
  attempts: number
  next_attempt_at: number
  ambiguous: number
  created_at: number
}

const ITEM_COLUMNS = `id, peer, kind, letter_id, recipient, evidence_id, deliver_before, attempts,
  next_attempt_at, ambiguous, created_at`

/**
 * A peer's pending items past their deadline (ambiguous letters past the give-up time), on the
 * partial index outbox_overdue: the held-peer sweep must not read the rest of the queue.
 * Parameters: peer, deadline, give-up deadline, limit.
 */
export const OVERDUE_ITEMS = `select ${ITEM_COLUMNS} from outbox
  where state = 'pending' and peer = ? and deliver_before < ?
    and (ambiguous = 0 or kind = 'evidence' or deliver_before < ?)
  limit ?`

/** What settling an item needs to know about it. */
interface Settled {
  kind: 'letter' | 'evidence'
  letter_id: string
  recipient: string | null
}

function toItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    peer: r.peer,
    kind: r.kind,
    letterId: r.letter_id,
    recipient: r.recipient,
    evidenceId: r.evidence_id,
    deliverBefore: r.deliver_before,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ambiguous: r.ambiguous !== 0,
    createdAt: r.created_at,
  }
}

/** Distinct peers with pending items: min(peer), then the next one above it, and so on. */
const PENDING_PEERS = `with recursive peers(peer) as (
    select (select peer from outbox where state = 'pending' order by peer limit 1)
    union all
    select (select peer from outbox where state = 'pending' and peer > peers.peer
             order by peer limit 1)
      from peers where peers.peer is not null
  )`

/** @example `const q = sqliteOutbox(openDb({ file: ':memory:' }))` */
export function sqliteOutbox(db: Db): OutboxStore {
  // Prepared once: the engine runs these on every tick (see letters.ts on the cost).
  const p = (n: string) => sql.placeholder(n)
  const q = {
    // The peers with pending items, by a loose index scan of outbox_due (one index seek per
    // peer, however long the queues): drizzle has no recursive CTE, hence raw SQL.
    duePeers: db.$client.prepare<[number], { peer: string; due: number }>(
      `${PENDING_PEERS}
       select peer, (select count(*) from outbox
                      where state = 'pending' and peer = peers.peer and next_attempt_at <= ?) as due
         from peers where peer is not null and due > 0`,
    ),
    // The same loose index scan, with one index seek per peer for "any item due": counting
    // them would walk the whole due range of a long queue on every pass of the engine.
    peersDue: db.$client
      .prepare<[number], string>(
        `${PENDING_PEERS}
         select peer from peers where peer is not null and exists (select 1 from outbox
           where state = 'pending' and peer = peers.peer and next_attempt_at <= ?)`,
      )
      .pluck(),
    nextDueAt: db.$client.prepare<[string], { at: number | null }>(
      `${PENDING_PEERS}
       select min((select min(next_attempt_at) from outbox
                    where state = 'pending' and peer = peers.peer)) as at
         from peers where peer is not null and peer not in (select value from json_each(?))`,
    ),
    // Two steps: the ids from the outbox_due index alone (it covers them, and its order is
    // earliest due first, then oldest, so the limit stops the scan; in-flight items are skipped
    // here), then the rows of the chosen ids. Raw SQL: these run for every transaction sent.
    dueIds: db.$client
      .prepare<[string, number, number], number>(
        `select id from outbox where state = 'pending' and peer = ? and next_attempt_at <= ?
          order by next_attempt_at, id limit ?`,
      )
      .pluck(),
    rows: db.$client.prepare<[string], OutboxRow>(
      `select ${ITEM_COLUMNS} from outbox where id in (select value from json_each(?))`,
    ),
    // A scan of the peer's pending items (outbox_due's prefix): run only for a peer on hold,
    // at most once per idlePollMs, so no index of its own is kept up on every letter.
    overdue: db.$client.prepare<[string, number, number, number], OutboxRow>(OVERDUE_ITEMS),
    // Settling checks and changes an item in one statement: only a pending item changes, and
    // RETURNING gives what the recipient status update needs.
    done: db.$client.prepare<[number, number], Settled>(
      `update outbox set state = 'done', done_at = ?, last_error = null
        where id = ? and state = 'pending' returning kind, letter_id, recipient`,
    ),
    retry: db.$client.prepare<[number, number, string, number], Settled>(
      `update outbox set attempts = attempts + 1, next_attempt_at = ?,
              ambiguous = (ambiguous or ?), last_error = ?
        where id = ? and state = 'pending' returning kind, letter_id, recipient`,
    ),
    // Run whenever a peer is heard from (every transaction, both ways): prepared once.
    resetBackoff: db.$client.prepare<[number, string, number]>(
      `update outbox set next_attempt_at = ?, attempts = 0
        where state = 'pending' and peer = ? and next_attempt_at > ?`,
    ),
    recipient: db.$client.prepare<[string, string | null, number, string, string]>(
      `update recipients set state = ?, code = ?, updated_at = ?
        where letter_id = ? and address = ?`,
    ),
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
  const group = groupCommit(db.$client)
  const settleAll = (settlements: OutboxSettlement[], received: EvidenceRow[], at: number) => {
    for (const e of received) {
      q.evidence.run({
        ...e,
        record: Buffer.from(e.record.buffer, e.record.byteOffset, e.record.byteLength),
      })
    }
    for (const s of settlements) {
      const item =
        s.outcome === 'done'
          ? q.done.get(at, s.id)
          : q.retry.get(s.nextAttemptAt, s.ambiguous ? 1 : 0, s.error.slice(0, 200), s.id)
      if (!item) continue // settled already
      if (s.recipientState && item.kind === 'letter' && item.recipient !== null) {
        q.recipient.run(
          s.recipientState,
          s.outcome === 'done' ? (s.code ?? null) : null,
          at,
          item.letter_id,
          item.recipient,
        )
      }
    }
  }
  return {
    async duePeers(now) {
      return q.duePeers.all(now)
    },
    async peersWithDueItems(now) {
      return q.peersDue.all(now)
    },
    async dueItems(peer, now, limit, exclude, atLeast = 1) {
      // Fetch a little more than asked so items already in flight can be skipped.
      const ids = q.dueIds
        .all(peer, now, limit + (exclude?.size ?? 0))
        .filter((id) => !exclude?.has(id))
        .slice(0, limit)
      // Too few to be worth a transaction: the engine asks this on every pass while one is in
      // flight, and reading the rows it would not send was most of the cost of a pass.
      if (ids.length === 0 || ids.length < atLeast) return []
      const byId = new Map(q.rows.all(JSON.stringify(ids)).map((r) => [r.id, toItem(r)]))
      return ids.flatMap((id) => byId.get(id) ?? [])
    },
    async overdueItems(peer, deadline, ambiguousDeadline, limit) {
      return q.overdue.all(peer, deadline, ambiguousDeadline, limit).map(toItem)
    },
    async nextDueAt(exceptPeers = []) {
      return q.nextDueAt.get(JSON.stringify(exceptPeers))?.at ?? undefined
    },
    async settle(settlements, received, at) {
      // Shares a commit with the letters written in the same loop turn (group-commit.ts).
      await group.run(() => settleAll(settlements, received, at))
    },
    async resetBackoff(peer, now) {
      return q.resetBackoff.run(now, peer, now).changes
    },
    async queueDepth() {
      // Kept by triggers (migration 0005): one row a peer, however long its queue.
      return db
        .select({ peer: outboxDepth.peer, depth: outboxDepth.pending })
        .from(outboxDepth)
        .where(gt(outboxDepth.pending, 0))
        .orderBy(asc(outboxDepth.peer))
        .all()
    },
  }
}
