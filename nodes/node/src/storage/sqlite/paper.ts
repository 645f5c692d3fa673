/**
 * @module storage/sqlite/paper
 * SQLite implementation of the exemption registry and the print queue (spec 17.6), and of the
 * notification targets and queue (spec 17.7).
 */
import type { RegisteredMailStore } from '../storage.js'
import type {
  Exemption,
  NotificationJob,
  NotificationTarget,
  PrintJob,
} from '../registered-types.js'
import type { Db } from './db.js'
import type { DirectoryCache } from './directory-cache.js'
import { writeEvidence } from './registered.js'

type PaperPart = Pick<
  RegisteredMailStore,
  | 'putExemption'
  | 'getExemption'
  | 'listExemptions'
  | 'syncExemptions'
  | 'duePrintJobs'
  | 'finishPrintJob'
  | 'retryPrintJob'
  | 'addNotificationTarget'
  | 'listNotificationTargets'
  | 'removeNotificationTarget'
  | 'dueNotifications'
  | 'finishNotification'
  | 'retryNotification'
>

type ExemptionSql = Omit<Exemption, 'postalAddress'> & { postalAddress: string }
const exemption = (r: ExemptionSql): Exemption => ({
  ...r,
  postalAddress: JSON.parse(r.postalAddress) as string[],
})
const EXEMPTION_COLUMNS = `mailbox_id AS mailboxId, reason, valid_from AS validFrom,
  valid_until AS validUntil, name, postal_address AS postalAddress, created_at AS createdAt,
  updated_at AS updatedAt`
// An exemption is in force at `now` when it has begun and not ended.
const IN_FORCE = 'valid_from <= @now AND (valid_until IS NULL OR valid_until > @now)'

/**
 * @param directory cleared when exemptions change mailbox statuses
 *
 * @example `const p = sqlitePaper(db, directoryCache({ max: 10_000, version: () => 0 }))`
 */
export function sqlitePaper(db: Db, directory: DirectoryCache): PaperPart {
  const c = db.$client
  const q = {
    putExemption: c.prepare(
      `INSERT INTO exemptions (mailbox_id, reason, valid_from, valid_until, name, postal_address, created_at, updated_at)
       VALUES (@mailboxId, @reason, @validFrom, @validUntil, @name, @postalAddress, @createdAt, @updatedAt)
       ON CONFLICT(mailbox_id) DO UPDATE SET reason = excluded.reason, valid_from = excluded.valid_from,
         valid_until = excluded.valid_until, name = excluded.name,
         postal_address = excluded.postal_address, updated_at = excluded.updated_at`,
    ),
    exemption: c.prepare(`SELECT ${EXEMPTION_COLUMNS} FROM exemptions WHERE mailbox_id = ?`),
    exemptions: c.prepare(`SELECT ${EXEMPTION_COLUMNS} FROM exemptions ORDER BY mailbox_id`),
    exempt: c.prepare(
      `UPDATE mailboxes SET status = 'exempt' WHERE status = 'active'
          AND id IN (SELECT mailbox_id FROM exemptions WHERE ${IN_FORCE})`,
    ),
    restore: c.prepare(
      `UPDATE mailboxes SET status = 'active' WHERE status = 'exempt'
          AND id IN (SELECT mailbox_id FROM exemptions WHERE NOT (${IN_FORCE}))`,
    ),
    duePrint: c.prepare(
      `SELECT id, letter_id AS letterId, mailbox_id AS mailboxId, attempts, created_at AS createdAt
         FROM print_jobs WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
    ),
    finishPrint: c.prepare(
      `UPDATE print_jobs SET state = @state, pages = @pages, sheets = @sheets, file = @file,
         evidence_id = @evidenceId, error = @error, done_at = @at, attempts = attempts + 1
       WHERE id = @id AND state = 'pending'`,
    ),
    retryPrint: c.prepare(
      `UPDATE print_jobs SET attempts = attempts + 1, next_attempt_at = ?, error = ?
        WHERE id = ? AND state = 'pending'`,
    ),
    addTarget: c.prepare(
      `INSERT INTO notification_targets (mailbox_id, channel, address, created_at) VALUES (?, ?, ?, ?)`,
    ),
    targets: c.prepare(
      `SELECT id, mailbox_id AS mailboxId, channel, address, created_at AS createdAt
         FROM notification_targets WHERE mailbox_id = ? ORDER BY id LIMIT 32`,
    ),
    removeTarget: c.prepare('DELETE FROM notification_targets WHERE mailbox_id = ? AND id = ?'),
    dueNotifications: c.prepare(
      `SELECT id, mailbox_id AS mailboxId, letter_id AS letterId, target_id AS targetId, channel,
              address, attempts, next_attempt_at AS nextAttemptAt, created_at AS createdAt
         FROM notifications WHERE state = 'pending' AND next_attempt_at <= ?
        ORDER BY next_attempt_at LIMIT ?`,
    ),
    finishNotification: c.prepare(
      `UPDATE notifications SET state = ?, done_at = ?, last_error = ?, attempts = attempts + 1
        WHERE id = ? AND state = 'pending'`,
    ),
    retryNotification: c.prepare(
      `UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
        WHERE id = ? AND state = 'pending'`,
    ),
  }
  return {
    async putExemption(e) {
      q.putExemption.run({ ...e, postalAddress: JSON.stringify(e.postalAddress) })
    },
    async getExemption(mailboxId) {
      const r = q.exemption.get(mailboxId) as ExemptionSql | undefined
      return r && exemption(r)
    },
    async listExemptions() {
      return (q.exemptions.all() as ExemptionSql[]).map(exemption)
    },
    async syncExemptions(now) {
      const changed = c
        .transaction(() => ({
          exempted: q.exempt.run({ now }).changes,
          restored: q.restore.run({ now }).changes,
        }))
        .immediate()
      directory.clear()
      return changed
    },
    async duePrintJobs(now, limit) {
      return q.duePrint.all(now, limit) as PrintJob[]
    },
    async finishPrintJob(id, r, at, w) {
      c.transaction(() => {
        const changed = q.finishPrint.run({
          id,
          state: r.state,
          pages: r.pages,
          sheets: r.sheets,
          file: r.file,
          evidenceId: w.evidence[0]?.id ?? null,
          error: r.error ?? null,
          at,
        }).changes
        if (changed === 1) writeEvidence(db, w)
      }).immediate()
    },
    async retryPrintJob(id, next, error) {
      q.retryPrint.run(next, error, id)
    },
    async addNotificationTarget(t) {
      const id = Number(
        q.addTarget.run(t.mailboxId, t.channel, t.address, t.createdAt).lastInsertRowid,
      )
      return { id, ...t }
    },
    async listNotificationTargets(mailboxId) {
      return q.targets.all(mailboxId) as NotificationTarget[]
    },
    async removeNotificationTarget(mailboxId, id) {
      return q.removeTarget.run(mailboxId, id).changes === 1
    },
    async dueNotifications(now, limit) {
      return q.dueNotifications.all(now, limit) as NotificationJob[]
    },
    async finishNotification(id, state, at, error, w) {
      c.transaction(() => {
        if (q.finishNotification.run(state, at, error, id).changes === 1) writeEvidence(db, w)
      }).immediate()
    },
    async retryNotification(id, next, error) {
      q.retryNotification.run(next, error, id)
    },
  }
}
