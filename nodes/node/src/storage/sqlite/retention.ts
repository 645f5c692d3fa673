/**
 * @module storage/sqlite/retention
 * SQLite implementation of {@link MailboxRetentionStore}: mailbox retention (spec 15.4), one
 * bounded step at a time. A step, atomic in its own savepoint of a group commit:
 *
 * 1. reads up to `limit` live entries delivered before the cutoff, oldest first, through the
 *    partial index `deliveries_retention` (purged entries leave it), skipping entries held back:
 *    a registered letter with a pending retrieval deadline or print job, or an entry the
 *    delivery feed has not read yet (its deadline or print job may not exist yet);
 * 2. turns each into a tombstone (`purged_at`, and `deleted_at` so every query hides it); the
 *    row stays, so the unique (letter, mailbox) index still refuses a second delivery;
 * 3. deletes the ciphertext and the attachment manifest of each of their letters that no other
 *    entry, pending relay, held-back delivery or print job needs; the letter's row stays (it is
 *    what makes a resubmission a duplicate, and what the sender's status reads);
 * 4. deletes the `blobs` row of every attachment of those letters that no remaining manifest
 *    names, and returns those digests for the blob store.
 *
 * Evidence and the transparency log are never touched: proof outlives the letter.
 */
import { BaridError } from '../../core.js'
import type { MailboxRetentionStore } from '../storage.js'
import type { Db } from './db.js'
import { groupCommit } from './group-commit.js'
import { DELIVERY_FEED } from './registered.js'

/** Largest step: a step holds the write lock while it runs. */
export const MAX_RETENTION_STEP = 10_000

function prepare(db: Db) {
  const c = db.$client
  return {
    feed: c.prepare<[string], number>('SELECT position FROM feed_cursors WHERE name = ?').pluck(),
    due: c.prepare<
      { before: number; fed: number; limit: number },
      { id: number; letterId: string }
    >(
      `SELECT d.id, d.letter_id AS letterId FROM deliveries d
        WHERE d.purged_at IS NULL AND d.received_at < @before AND d.id <= @fed
          AND NOT EXISTS (SELECT 1 FROM retrieval_deadlines r
                           WHERE r.letter_id = d.letter_id AND r.mailbox_id = d.mailbox_id
                             AND r.state = 'pending')
          AND NOT EXISTS (SELECT 1 FROM print_jobs p
                           WHERE p.letter_id = d.letter_id AND p.mailbox_id = d.mailbox_id
                             AND p.state = 'pending')
        ORDER BY d.received_at LIMIT @limit`,
    ),
    tombstone: c.prepare<[number, number, number]>(
      'UPDATE deliveries SET purged_at = ?, deleted_at = coalesce(deleted_at, ?) WHERE id = ?',
    ),
    // Letters of the step that a pending relay still needs (one pass over the pending queue:
    // the outbox has no index on letter_id, and none is worth its cost on the letter path).
    relaying: c
      .prepare<[string], string>(
        `SELECT DISTINCT letter_id FROM outbox
          WHERE state = 'pending' AND kind = 'letter'
            AND letter_id IN (SELECT value FROM json_each(?))`,
      )
      .pluck(),
    // `+state`: look the letter up by its key, not through the (state, due) indexes.
    needed: c
      .prepare<{ id: string }, number>(
        `SELECT EXISTS (SELECT 1 FROM deliveries WHERE letter_id = @id AND purged_at IS NULL)
             OR EXISTS (SELECT 1 FROM scheduled_deliveries
                         WHERE letter_id = @id AND +state = 'pending')
             OR EXISTS (SELECT 1 FROM print_jobs WHERE letter_id = @id AND +state = 'pending')`,
      )
      .pluck(),
    dropBytes: c.prepare<[string]>(
      'UPDATE letters SET bytes = NULL WHERE id = ? AND bytes IS NOT NULL',
    ),
    manifest: c
      .prepare<[string], string>(
        'SELECT DISTINCT digest FROM letter_attachments WHERE letter_id = ?',
      )
      .pluck(),
    dropManifest: c.prepare<[string]>('DELETE FROM letter_attachments WHERE letter_id = ?'),
    // Any manifest row left names a letter that may still need the blob (a letter whose
    // ciphertext housekeeping purged keeps its manifest; housekeeping collects those blobs).
    referenced: c
      .prepare<[string], number>(
        'SELECT EXISTS (SELECT 1 FROM letter_attachments WHERE digest = ?)',
      )
      .pluck(),
    dropBlob: c.prepare<[string]>('DELETE FROM blobs WHERE digest = ?'),
  }
}

/** @example `const r = sqliteMailboxRetention(openDb({ file: ':memory:' }))` */
export function sqliteMailboxRetention(db: Db): MailboxRetentionStore {
  const q = prepare(db)
  const group = groupCommit(db.$client)
  return {
    async purgeMailboxes({ deliveredBefore, limit, at }) {
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_RETENTION_STEP)
        throw new BaridError(
          'ERR_INVALID_ARGUMENT',
          `retention step limit must be in [1, ${MAX_RETENTION_STEP}]`,
        )
      if (!Number.isSafeInteger(deliveredBefore) || !Number.isSafeInteger(at))
        throw new BaridError('ERR_INVALID_ARGUMENT', 'retention times must be integers')
      return group.run(() => {
        const fed = q.feed.get(DELIVERY_FEED) ?? 0
        const due = q.due.all({ before: deliveredBefore, fed, limit })
        for (const d of due) q.tombstone.run(at, at, d.id)
        const ids = [...new Set(due.map((d) => d.letterId))]
        const relaying = new Set(ids.length > 0 ? q.relaying.all(JSON.stringify(ids)) : [])
        let letters = 0
        const candidates = new Set<string>()
        for (const id of ids) {
          if (relaying.has(id) || q.needed.get({ id }) === 1) continue
          letters += q.dropBytes.run(id).changes
          for (const digest of q.manifest.all(id)) candidates.add(digest)
          q.dropManifest.run(id)
        }
        const blobs: string[] = []
        for (const digest of candidates) {
          if (q.referenced.get(digest) === 1) continue
          q.dropBlob.run(digest)
          blobs.push(digest)
        }
        return { entries: due.length, letters, blobs, more: due.length === limit }
      })
    },
  }
}
