/**
 * @module storage/sqlite/evidence-retention
 * SQLite implementation of {@link EvidenceRetentionStore}: evidence retention (spec 15.4), one
 * bounded step at a time, atomic in its own savepoint of a group commit. A step:
 *
 * 1. reads up to `limit` records issued before the cutoff and after the pass's cursor, in order
 *    of (issue time, letter), through the index `evidence_retention` (schema.ts);
 * 2. for each of their letters, skips it while anything holds it (below), else deletes every
 *    record of the letter and the acknowledged receipts that name them.
 *
 * A letter's records go together, never one by one: later records name earlier ones (`prev`,
 * spec 07, 7.6), so a partial chain could neither be exported as a bundle (21.7) nor extended
 * correctly. A letter is held while:
 *
 * - one of its records is younger than the cutoff (it is kept, so the chain it ends is too);
 * - one of its records is after the evidence feed's position (not yet logged nor queued as a
 *   receipt), or is the newest stored: SQLite gives a new row max(rowid) + 1, so deleting the
 *   newest row could let the next record take a position the feed already passed (17.10);
 * - a mailbox entry of it is live (opening it issues `retrieved` after the chain's tip), or a
 *   held-back delivery, retrieval deadline, print job or notification of it is pending (each
 *   issues a record into the chain when it ends);
 * - an outbox item of it is pending (a relay carries the chain; an evidence item carries one of
 *   its records to the sender's node);
 * - a receipt of one of its records is not acknowledged by its sender (17.5). Receipts are
 *   queued only for the letter's sender (`transparency.ts`), which is how they are found: the
 *   receipts table has no index on the record's id alone, and none is worth its write cost.
 *
 * The transparency log (leaves, nodes, checkpoints, cosignatures, witness views) and the letter's
 * rows are never touched: the log keeps the records' hashes, so checkpoints, inclusion proofs and
 * bundles exported before stay valid. A log leaf still maps the removed record's id to its index,
 * which is not personal data and lets a holder of the record fetch its inclusion proof.
 */
import { BaridError } from '../../core.js'
import type { EvidenceCursor, EvidenceRetentionStore } from '../storage.js'
import type { Db } from './db.js'
import { groupCommit } from './group-commit.js'
import { MAX_RETENTION_STEP } from './retention.js'
import { EVIDENCE_FEED } from './transparency.js'

function prepare(db: Db) {
  const c = db.$client
  return {
    feed: c.prepare<[string], number>('SELECT position FROM feed_cursors WHERE name = ?').pluck(),
    head: c.prepare<[], number | null>('SELECT max(rowid) FROM evidence').pluck(),
    due: c.prepare<
      { before: number; afterAt: number; afterLetter: string; limit: number },
      EvidenceCursor
    >(
      `SELECT issued_at AS issuedAt, letter_id AS letterId FROM evidence
        WHERE issued_at < @before AND (issued_at, letter_id) > (@afterAt, @afterLetter)
        ORDER BY issued_at, letter_id LIMIT @limit`,
    ),
    // Letters of the step that a pending outbox item still needs (one pass over the pending
    // queue: the outbox has no index on letter_id, see retention.ts).
    sending: c
      .prepare<[string], string>(
        `SELECT DISTINCT letter_id FROM outbox
          WHERE state = 'pending' AND letter_id IN (SELECT value FROM json_each(?))`,
      )
      .pluck(),
    // `+state`: look the letter up by its key, not through the (state, due) indexes.
    held: c
      .prepare<{ id: string; before: number; keepAfter: number }, number>(
        `SELECT EXISTS (SELECT 1 FROM evidence WHERE letter_id = @id
                         AND (issued_at >= @before OR rowid > @keepAfter))
             OR EXISTS (SELECT 1 FROM deliveries WHERE letter_id = @id AND purged_at IS NULL)
             OR EXISTS (SELECT 1 FROM scheduled_deliveries
                         WHERE letter_id = @id AND +state = 'pending')
             OR EXISTS (SELECT 1 FROM retrieval_deadlines
                         WHERE letter_id = @id AND +state = 'pending')
             OR EXISTS (SELECT 1 FROM print_jobs WHERE letter_id = @id AND +state = 'pending')
             OR EXISTS (SELECT 1 FROM notifications WHERE letter_id = @id AND +state = 'pending')`,
      )
      .pluck(),
    sender: c.prepare<[string], string>('SELECT sender_address FROM letters WHERE id = ?').pluck(),
    acked: c
      .prepare<[string], number>('SELECT acked_through FROM receipt_cursors WHERE sender = ?')
      .pluck(),
    unacked: c
      .prepare<{ id: string; sender: string; acked: number }, number>(
        // From the letter's few records to their receipts (CROSS JOIN fixes that order), not
        // through the sender's whole unacknowledged queue.
        `SELECT EXISTS (SELECT 1 FROM evidence e
                         CROSS JOIN receipts r ON r.sender = @sender AND r.evidence_id = e.id
                         WHERE e.letter_id = @id AND r.seq > @acked)`,
      )
      .pluck(),
    count: c.prepare<[string], number>('SELECT count(*) FROM evidence WHERE letter_id = ?').pluck(),
    dropReceipts: c.prepare<{ id: string; sender: string }>(
      `DELETE FROM receipts WHERE sender = @sender
          AND evidence_id IN (SELECT id FROM evidence WHERE letter_id = @id)`,
    ),
    dropEvidence: c.prepare<[string]>('DELETE FROM evidence WHERE letter_id = ?'),
  }
}

function checkCursor(after: EvidenceCursor | undefined): void {
  if (
    after !== undefined &&
    (!Number.isSafeInteger(after.issuedAt) ||
      typeof after.letterId !== 'string' ||
      after.letterId.length > 256)
  )
    throw new BaridError('ERR_INVALID_ARGUMENT', 'evidence retention cursor is malformed')
}

/** @example `const r = sqliteEvidenceRetention(openDb({ file: ':memory:' }))` */
export function sqliteEvidenceRetention(db: Db): EvidenceRetentionStore {
  const q = prepare(db)
  const group = groupCommit(db.$client)

  /** True when an unacknowledged receipt names one of the letter's records. */
  function receiptPending(id: string, sender: string | undefined): boolean {
    if (sender === undefined) return false
    const acked = q.acked.get(sender) ?? 0
    return q.unacked.get({ id, sender, acked }) === 1
  }

  return {
    async purgeEvidence({ issuedBefore, limit, after }) {
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_RETENTION_STEP)
        throw new BaridError(
          'ERR_INVALID_ARGUMENT',
          `retention step limit must be in [1, ${MAX_RETENTION_STEP}]`,
        )
      if (!Number.isSafeInteger(issuedBefore))
        throw new BaridError('ERR_INVALID_ARGUMENT', 'retention times must be integers')
      checkCursor(after)
      return group.run(() => {
        const rows = q.due.all({
          before: issuedBefore,
          afterAt: after?.issuedAt ?? Number.MIN_SAFE_INTEGER,
          afterLetter: after?.letterId ?? '',
          limit,
        })
        // The feed's position, but never the newest row (see the module comment).
        const head = q.head.get() ?? 0
        const keepAfter = Math.min(q.feed.get(EVIDENCE_FEED) ?? 0, head - 1)
        // Each letter once, at the first row where the step met it.
        const first = new Map<string, number>()
        rows.forEach((r, i) => {
          if (!first.has(r.letterId)) first.set(r.letterId, i)
        })
        const sending = new Set(
          first.size > 0 ? q.sending.all(JSON.stringify([...first.keys()])) : [],
        )
        let next: EvidenceCursor | undefined = rows.at(-1) ?? after
        let more = rows.length === limit
        let records = 0
        let letters = 0
        let receipts = 0
        for (const [id, i] of first) {
          if (sending.has(id) || q.held.get({ id, before: issuedBefore, keepAfter }) === 1) continue
          const sender = q.sender.get(id)
          if (receiptPending(id, sender)) continue
          const n = q.count.get(id) ?? 0
          if (records > 0 && records + n > limit) {
            // The next step starts with this letter.
            next = i > 0 ? rows[i - 1] : after
            more = true
            break
          }
          if (sender !== undefined) receipts += q.dropReceipts.run({ id, sender }).changes
          records += q.dropEvidence.run(id).changes
          letters++
        }
        return { records, letters, receipts, next: next && { ...next }, more }
      })
    },
  }
}
