/**
 * @module storage/sqlite/transparency
 * SQLite implementation of {@link TransparencyStore}: the Merkle log's subtree hashes by (level,
 * index), its size, the leaf-to-evidence map, checkpoints, cosignatures, and the witness's view
 * of each peer. Statements are prepared once and run on the raw better-sqlite3 handle: an append
 * of a 1,000-record batch writes about 2,000 nodes in one transaction.
 */
import { BaridError } from '../../core.js'
import type { TransparencyStore } from '../storage.js'
import type { FeedEvidence, StoredCheckpoint, WitnessView } from '../registered-types.js'
import type { Db } from './db.js'

/** The feed the log and the receipt queue read evidence from. */
export const EVIDENCE_FEED = 'evidence'

export function buf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}

export function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function moved(what: string, details: Record<string, unknown>): never {
  throw new BaridError('ERR_INTERNAL', `${what} moved: another writer is running`, { details })
}

/** Moves feed `name` from `from` to `to`, or throws if it is not at `from`. */
export function moveFeed(db: Db, name: string, from: number, to: number): void {
  const c = db.$client
  const cur = c.prepare('SELECT position FROM feed_cursors WHERE name = ?').get(name) as
    { position: number } | undefined
  if ((cur?.position ?? 0) !== from) moved('feed', { name, from, at: cur?.position ?? 0 })
  c.prepare(
    'INSERT INTO feed_cursors (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position',
  ).run(name, to)
}

type CheckpointRow = { digest: string; size: number; time: number; bytes: Buffer }
const checkpoint = (r: CheckpointRow): StoredCheckpoint => ({ ...r, bytes: bytes(r.bytes) })

/** @example `const t = sqliteTransparency(openDb({ file: ':memory:' }))` */
export function sqliteTransparency(db: Db): TransparencyStore {
  const c = db.$client
  const q = {
    feed: c.prepare('SELECT position FROM feed_cursors WHERE name = ?'),
    evidenceAfter: c.prepare(
      // The sender is named only when it is a sender organisation (they pull receipts, 17.5).
      `SELECT e.rowid AS position, e.id, e.letter_id AS letterId, e.issuer, e.type, e.recipient,
              e.record, l.origin,
              CASE WHEN EXISTS (SELECT 1 FROM senders s JOIN mailboxes m ON m.id = s.mailbox_id
                                 WHERE m.address = l.sender_address)
                   THEN l.sender_address END AS sender
         FROM evidence e LEFT JOIN letters l ON l.id = e.letter_id
        WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?`,
    ),
    head: c.prepare('SELECT max(rowid) AS head FROM evidence'),
    size: c.prepare('SELECT size FROM log_state WHERE id = 1'),
    setSize: c.prepare(
      'INSERT INTO log_state (id, size) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET size = excluded.size',
    ),
    node: c.prepare('SELECT hash FROM log_nodes WHERE level = ? AND idx = ?').pluck(),
    putNode: c.prepare('INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    putLeaf: c.prepare('INSERT INTO log_leaves (idx, evidence_id) VALUES (?, ?)'),
    leaf: c.prepare('SELECT idx FROM log_leaves WHERE evidence_id = ?').pluck(),
    putReceipt: c.prepare(
      'INSERT INTO receipts (sender, evidence_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    putCheckpoint: c.prepare(
      'INSERT INTO log_checkpoints (digest, size, time, bytes) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    latest: c.prepare(
      'SELECT digest, size, time, bytes FROM log_checkpoints ORDER BY size DESC, time DESC LIMIT 1',
    ),
    checkpoint: c.prepare('SELECT digest, size, time, bytes FROM log_checkpoints WHERE digest = ?'),
    epoch: c.prepare('SELECT coalesce(max(epoch), 0) FROM log_resets').pluck(),
    putReset: c.prepare(
      'INSERT INTO log_resets (epoch, bytes, installed_at) VALUES (?, ?, ?)',
    ),
    resets: c.prepare(
      'SELECT epoch, bytes, installed_at AS installedAt FROM log_resets ORDER BY epoch',
    ),
    putCosig: c.prepare(
      `INSERT INTO log_cosignatures (checkpoint_digest, witness, time, bytes) VALUES (?, ?, ?, ?)
       ON CONFLICT(checkpoint_digest, witness) DO UPDATE SET time = excluded.time, bytes = excluded.bytes`,
    ),
    cosigs: c
      .prepare(
        'SELECT bytes FROM log_cosignatures WHERE checkpoint_digest = ? ORDER BY witness LIMIT 64',
      )
      .pluck(),
    view: c.prepare(
      'SELECT log, checkpoint, size, time, updated_at AS updatedAt, forked_at AS forkedAt FROM witness_views WHERE log = ?',
    ),
    putView: c.prepare(
      `INSERT INTO witness_views (log, checkpoint, size, time, updated_at, forked_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(log) DO UPDATE SET checkpoint = excluded.checkpoint, size = excluded.size,
         time = excluded.time, updated_at = excluded.updated_at, forked_at = excluded.forked_at`,
    ),
    markForked: c.prepare(
      'UPDATE witness_views SET forked_at = coalesce(forked_at, ?), updated_at = ? WHERE log = ?',
    ),
    putFork: c.prepare(
      'INSERT INTO fork_statements (log, kind, bytes, created_at) VALUES (?, ?, ?, ?)',
    ),
    forks: c.prepare(
      'SELECT log, kind, bytes, created_at AS createdAt FROM fork_statements ORDER BY id LIMIT 1000',
    ),
  }
  const logSize = (): number => (q.size.get() as { size: number } | undefined)?.size ?? 0

  const commitLog = db.$client.transaction(
    (
      commit: Parameters<TransparencyStore['commitLog']>[0],
      leaves: readonly string[],
      feed: { from: number; to: number },
      receipts: Parameters<TransparencyStore['commitLog']>[3],
      at: number,
    ) => {
      if (commit) {
        const size = logSize()
        if (size !== commit.from || commit.to - commit.from !== leaves.length)
          moved('log size', { expected: commit.from, size })
        for (const n of commit.nodes) q.putNode.run(n.level, n.index, buf(n.hash))
        leaves.forEach((id, i) => q.putLeaf.run(commit.from + i, id))
        q.setSize.run(commit.to)
      }
      moveFeed(db, EVIDENCE_FEED, feed.from, feed.to)
      for (const r of receipts) q.putReceipt.run(r.sender, r.evidenceId, at)
    },
  )

  return {
    async feedPosition(name) {
      return (q.feed.get(name) as { position: number } | undefined)?.position ?? 0
    },
    async evidenceAfter(after, limit) {
      const rows = q.evidenceAfter.all(after, limit) as (Omit<FeedEvidence, 'record'> & {
        record: Buffer
      })[]
      return rows.map((r) => ({ ...r, record: bytes(r.record) }))
    },
    async evidenceHead() {
      return (q.head.get() as { head: number | null }).head ?? 0
    },
    async logSize() {
      return logSize()
    },
    async logNodes(ids) {
      return ids.map(({ level, index }) => {
        const h = q.node.get(level, index) as Buffer | undefined
        if (h === undefined)
          throw new BaridError('ERR_INTERNAL', 'log store is missing a node', {
            details: { level, index },
          })
        return bytes(h)
      })
    },
    async commitLog(commit, leaves, feed, receipts, at) {
      commitLog.immediate(commit, leaves, feed, receipts, at)
    },
    async leafIndex(evidenceId) {
      return q.leaf.get(evidenceId) as number | undefined
    },
    async putCheckpoint(cp) {
      q.putCheckpoint.run(cp.digest, cp.size, cp.time, buf(cp.bytes))
    },
    async latestCheckpoint() {
      const r = q.latest.get() as CheckpointRow | undefined
      return r && checkpoint(r)
    },
    async putLogReset(r) {
      c.transaction(() => {
        const current = q.epoch.get() as number
        if (r.epoch <= current)
          throw new BaridError(
            'ERR_LOG_RESET_INVALID',
            'the log is already at this epoch or a later one',
            { details: { current, epoch: r.epoch } },
          )
        q.putReset.run(r.epoch, buf(r.bytes), r.at)
      }).immediate()
    },
    async listLogResets() {
      const rows = q.resets.all() as { epoch: number; bytes: Buffer; installedAt: number }[]
      return rows.map((r) => ({ ...r, bytes: bytes(r.bytes) }))
    },
    async logEpoch() {
      return q.epoch.get() as number
    },
    async getCheckpoint(digest) {
      const r = q.checkpoint.get(digest) as CheckpointRow | undefined
      return r && checkpoint(r)
    },
    async putCosignature(digest, witness, time, b) {
      q.putCosig.run(digest, witness, time, buf(b))
    },
    async listCosignatures(digest) {
      return (q.cosigs.all(digest) as Buffer[]).map(bytes)
    },
    async getWitnessView(log) {
      const r = q.view.get(log) as
        (Omit<WitnessView, 'checkpoint'> & { checkpoint: Buffer }) | undefined
      return r && { ...r, checkpoint: bytes(r.checkpoint) }
    },
    async putWitnessView(v) {
      q.putView.run(v.log, buf(v.checkpoint), v.size, v.time, v.updatedAt, v.forkedAt)
    },
    async putForkStatement(log, kind, b, at) {
      c.transaction(() => {
        q.putFork.run(log, kind, buf(b), at)
        q.markForked.run(at, at, log)
      }).immediate()
    },
    async listForkStatements() {
      const rows = q.forks.all() as {
        log: string
        kind: string
        bytes: Buffer
        createdAt: number
      }[]
      return rows.map((r) => ({ ...r, bytes: bytes(r.bytes) }))
    },
  }
}
