/**
 * @module storage/sqlite/registered
 * SQLite implementation of the registered-mail part of the storage seam (spec 17): delivery
 * terms, the delivery feed, retrieval deadlines, the receipt queue and the report counts. The
 * exemption registry and print queue are in `paper.ts`, notifications in `notify.ts`.
 */
import { BaridError } from '../../core.js'
import type { RegisteredMailStore } from '../storage.js'
import type {
  DueDeadline,
  EvidenceWrite,
  FeedDelivery,
  LetterTerms,
  RegisteredCategory,
  ScheduledDelivery,
} from '../registered-types.js'
import type { EvidenceRow, MailboxStatus } from '../types.js'
import type { Db } from './db.js'
import { buf, bytes, moveFeed } from './transparency.js'

/** The feed the registered-mail worker reads new deliveries from. */
export const DELIVERY_FEED = 'deliveries'

const DAY = 86_400_000

/** Writes evidence issued in the background and the outbox items that carry it to a peer. */
export function writeEvidence(db: Db, w: EvidenceWrite): void {
  const c = db.$client
  const ev = c.prepare(
    `INSERT INTO evidence (id, letter_id, recipient, type, issuer, issued_at, prev, record)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  )
  const ob = c.prepare(
    `INSERT INTO outbox (peer, kind, letter_id, recipient, evidence_id, deliver_before, next_attempt_at, state, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
  )
  for (const e of w.evidence)
    ev.run(e.id, e.letterId, e.recipient, e.type, e.issuer, e.issuedAt, e.prev, buf(e.record))
  for (const o of w.outbox)
    ob.run(
      o.peer,
      o.kind,
      o.letterId,
      o.recipient ?? null,
      o.evidenceId ?? null,
      o.deliverBefore,
      o.nextAttemptAt,
      o.createdAt,
    )
}

type EvidenceSql = Omit<EvidenceRow, 'record'> & { record: Buffer }
export const toEvidenceRow = (r: EvidenceSql): EvidenceRow => ({ ...r, record: bytes(r.record) })
const EVIDENCE_COLUMNS = `e.id, e.letter_id AS letterId, e.recipient, e.type, e.issuer,
  e.issued_at AS issuedAt, e.prev, e.record`

type RegisteredPart = Pick<
  RegisteredMailStore,
  | 'putLetterTerms'
  | 'getLetterTerms'
  | 'putSenderKey'
  | 'getSenderKey'
  | 'scheduleDeliveries'
  | 'scheduledFor'
  | 'scheduledForLetters'
  | 'dueScheduledDeliveries'
  | 'releaseDelivery'
  | 'deliveriesAfter'
  | 'applyDeliveryPlan'
  | 'dueDeadlines'
  | 'settleDeadline'
  | 'pullReceipts'
  | 'ackReceipts'
  | 'deliveryCounts'
>

/** @example `const r = sqliteRegistered(openDb({ file: ':memory:' }))` */
export function sqliteRegistered(db: Db): RegisteredPart {
  const c = db.$client
  const q = {
    putTerms: c.prepare(
      `INSERT INTO letter_terms (letter_id, category, visible_from, title, reply_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(letter_id) DO NOTHING`,
    ),
    terms: c.prepare(
      `SELECT letter_id AS letterId, category, visible_from AS visibleFrom, title, reply_by AS replyBy
         FROM letter_terms WHERE letter_id = ?`,
    ),
    putSenderKey: c.prepare(
      'INSERT INTO letter_sender_keys (letter_id, kid, jwk) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    senderKey: c.prepare('SELECT kid, jwk FROM letter_sender_keys WHERE letter_id = ?'),
    schedule: c.prepare(
      `INSERT INTO scheduled_deliveries (letter_id, mailbox_id, address, visible_at, state)
       VALUES (?, ?, ?, ?, 'pending') ON CONFLICT DO NOTHING`,
    ),
    scheduledFor: c.prepare(
      `SELECT letter_id AS letterId, mailbox_id AS mailboxId, address, visible_at AS visibleAt
         FROM scheduled_deliveries WHERE letter_id = ?`,
    ),
    scheduledForMany: c.prepare(
      `SELECT letter_id AS letterId, mailbox_id AS mailboxId, address, visible_at AS visibleAt
         FROM scheduled_deliveries WHERE letter_id IN (SELECT value FROM json_each(?))`,
    ),
    dueScheduled: c.prepare(
      `SELECT letter_id AS letterId, mailbox_id AS mailboxId, address, visible_at AS visibleAt
         FROM scheduled_deliveries WHERE state = 'pending' AND visible_at <= ? ORDER BY visible_at LIMIT ?`,
    ),
    // A letter that was never stored (its write failed after scheduling) is simply dropped.
    release: c.prepare(
      `INSERT INTO deliveries (letter_id, mailbox_id, received_at)
       SELECT @letterId, @mailboxId, @at WHERE EXISTS (SELECT 1 FROM letters WHERE id = @letterId)
       ON CONFLICT DO NOTHING`,
    ),
    releaseDone: c.prepare(
      `UPDATE scheduled_deliveries SET state = 'done' WHERE letter_id = ? AND mailbox_id = ?`,
    ),
    deliveries: c.prepare(
      `SELECT d.id AS position, d.letter_id AS letterId, d.mailbox_id AS mailboxId, m.address,
              m.status AS mailboxStatus, d.received_at AS receivedAt, l.kind, l.origin,
              (m.status = 'exempt' AND EXISTS (SELECT 1 FROM exemptions e WHERE e.mailbox_id = m.id)) AS paper,
              t.letter_id AS termsId, t.category, t.visible_from AS visibleFrom, t.title,
              t.reply_by AS replyBy
         FROM deliveries d
         JOIN mailboxes m ON m.id = d.mailbox_id
         JOIN letters l ON l.id = d.letter_id
         LEFT JOIN letter_terms t ON t.letter_id = d.letter_id
        WHERE d.id > ? ORDER BY d.id LIMIT ?`,
    ),
    putDeadline: c.prepare(
      `INSERT INTO retrieval_deadlines (letter_id, mailbox_id, category, due_at, state) VALUES (?, ?, ?, ?, 'pending')
       ON CONFLICT DO NOTHING`,
    ),
    putPrintJob: c.prepare(
      `INSERT INTO print_jobs (letter_id, mailbox_id, state, next_attempt_at, created_at) VALUES (?, ?, 'pending', ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    putNotification: c.prepare(
      `INSERT INTO notifications (mailbox_id, letter_id, target_id, channel, address, state, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
    ),
    dueDeadlines: c.prepare(
      `SELECT r.letter_id AS letterId, r.mailbox_id AS mailboxId, r.category, r.due_at AS dueAt,
              m.address, d.opened_at AS openedAt, l.origin, l.digest
         FROM retrieval_deadlines r
         JOIN mailboxes m ON m.id = r.mailbox_id
         JOIN deliveries d ON d.letter_id = r.letter_id AND d.mailbox_id = r.mailbox_id
         JOIN letters l ON l.id = r.letter_id
        WHERE r.state = 'pending' AND r.due_at <= ? ORDER BY r.due_at LIMIT ?`,
    ),
    settleDeadline: c.prepare(
      `UPDATE retrieval_deadlines SET state = 'done', outcome = ?
        WHERE letter_id = ? AND mailbox_id = ? AND state = 'pending'`,
    ),
    acked: c.prepare('SELECT acked_through FROM receipt_cursors WHERE sender = ?').pluck(),
    lastReceipt: c.prepare('SELECT max(seq) FROM receipts WHERE sender = ?').pluck(),
    receipts: c.prepare(
      `SELECT r.seq, ${EVIDENCE_COLUMNS} FROM receipts r JOIN evidence e ON e.id = r.evidence_id
        WHERE r.sender = ? AND r.seq > ? ORDER BY r.seq LIMIT ?`,
    ),
    ack: c.prepare(
      `INSERT INTO receipt_cursors (sender, acked_through) VALUES (?, ?)
       ON CONFLICT(sender) DO UPDATE SET acked_through = max(acked_through, excluded.acked_through)`,
    ),
    digital: c.prepare(
      `SELECT (d.received_at / ${DAY}) * ${DAY} AS day, count(*) AS n FROM deliveries d
        WHERE d.received_at >= ? AND d.received_at < ?
          AND NOT EXISTS (SELECT 1 FROM print_jobs p WHERE p.letter_id = d.letter_id AND p.mailbox_id = d.mailbox_id)
        GROUP BY day`,
    ),
    paper: c.prepare(
      `SELECT (done_at / ${DAY}) * ${DAY} AS day, count(*) AS n, coalesce(sum(pages), 0) AS pages,
              coalesce(sum(sheets), 0) AS sheets
         FROM print_jobs WHERE state = 'queued' AND done_at >= ? AND done_at < ? GROUP BY day`,
    ),
  }

  const applyPlan = c.transaction((p: Parameters<RegisteredPart['applyDeliveryPlan']>[0]) => {
    const at = p.at
    for (const d of p.deadlines) q.putDeadline.run(d.letterId, d.mailboxId, d.category, d.dueAt)
    for (const j of p.printJobs) q.putPrintJob.run(j.letterId, j.mailboxId, j.nextAttemptAt, at)
    for (const n of p.notifications)
      q.putNotification.run(
        n.mailboxId,
        n.letterId,
        n.targetId,
        n.channel,
        n.address,
        n.nextAttemptAt,
        at,
      )
    moveFeed(db, DELIVERY_FEED, p.from, p.to)
  })

  return {
    async putLetterTerms(t) {
      q.putTerms.run(t.letterId, t.category, t.visibleFrom, t.title, t.replyBy)
    },
    async getLetterTerms(ids) {
      const out = new Map<string, LetterTerms>()
      for (const id of new Set(ids)) {
        const t = q.terms.get(id) as LetterTerms | undefined
        if (t) out.set(id, t)
      }
      return out
    },
    async putSenderKey(letterId, kid, jwk) {
      q.putSenderKey.run(letterId, kid, jwk)
    },
    async getSenderKey(letterId) {
      return q.senderKey.get(letterId) as { kid: string; jwk: string } | undefined
    },
    async scheduleDeliveries(rows) {
      // Nearly every letter holds nothing back: no empty transaction on its path.
      if (rows.length === 0) return
      c.transaction(() => {
        for (const r of rows) q.schedule.run(r.letterId, r.mailboxId, r.address, r.visibleAt)
      }).immediate()
    },
    async scheduledFor(letterId) {
      return q.scheduledFor.all(letterId) as ScheduledDelivery[]
    },
    async scheduledForLetters(letterIds) {
      const out = new Map<string, ScheduledDelivery[]>()
      if (letterIds.length === 0) return out
      for (const r of q.scheduledForMany.all(JSON.stringify(letterIds)) as ScheduledDelivery[]) {
        const list = out.get(r.letterId)
        if (list) list.push(r)
        else out.set(r.letterId, [r])
      }
      return out
    },
    async dueScheduledDeliveries(now, limit) {
      return q.dueScheduled.all(now, limit) as ScheduledDelivery[]
    },
    async releaseDelivery(d, at, w) {
      return c
        .transaction(() => {
          const inserted =
            q.release.run({ letterId: d.letterId, mailboxId: d.mailboxId, at }).changes === 1
          if (inserted) writeEvidence(db, w)
          q.releaseDone.run(d.letterId, d.mailboxId)
          return { inserted }
        })
        .immediate()
    },
    async deliveriesAfter(after, limit) {
      const rows = q.deliveries.all(after, limit) as (Omit<FeedDelivery, 'terms' | 'paper'> & {
        termsId: string | null
        category: RegisteredCategory | null
        visibleFrom: number | null
        title: string | null
        replyBy: number | null
        mailboxStatus: MailboxStatus
        paper: number
      })[]
      return rows.map(({ termsId, category, visibleFrom, title, replyBy, paper, ...d }) => ({
        ...d,
        paper: paper === 1,
        terms:
          termsId === null
            ? undefined
            : { letterId: termsId, category, visibleFrom, title, replyBy },
      }))
    },
    async applyDeliveryPlan(p) {
      applyPlan.immediate(p)
    },
    async dueDeadlines(now, limit) {
      return q.dueDeadlines.all(now, limit) as DueDeadline[]
    },
    async settleDeadline(letterId, mailboxId, outcome, w) {
      c.transaction(() => {
        if (q.settleDeadline.run(outcome, letterId, mailboxId).changes === 1) writeEvidence(db, w)
      }).immediate()
    },
    async pullReceipts(sender, limit) {
      const ackedThrough = (q.acked.get(sender) as number | undefined) ?? 0
      const rows = q.receipts.all(sender, ackedThrough, limit) as (EvidenceSql & { seq: number })[]
      return {
        ackedThrough,
        receipts: rows.map(({ seq, ...e }) => ({ seq, evidence: toEvidenceRow(e) })),
      }
    },
    async ackReceipts(sender, through) {
      return c
        .transaction(() => {
          // Evidence retention (15.4) deletes acknowledged receipts: the acknowledged point
          // stays a receipt the sender was given.
          const last = Math.max(
            (q.lastReceipt.get(sender) as number | null) ?? 0,
            (q.acked.get(sender) as number | undefined) ?? 0,
          )
          if (!Number.isSafeInteger(through) || through < 0 || through > last) {
            throw new BaridError(
              'ERR_INVALID_ARGUMENT',
              'through must be the sequence number of a receipt you were given',
              { details: { last } },
            )
          }
          q.ack.run(sender, through)
          return { ackedThrough: q.acked.get(sender) as number }
        })
        .immediate()
    },
    async deliveryCounts(from, to) {
      const days = new Map<
        number,
        { digital: number; paper: number; pages: number; sheets: number }
      >()
      const day = (d: number) => {
        let v = days.get(d)
        if (!v) days.set(d, (v = { digital: 0, paper: 0, pages: 0, sheets: 0 }))
        return v
      }
      for (const r of q.digital.all(from, to) as { day: number; n: number }[])
        day(r.day).digital = r.n
      for (const r of q.paper.all(from, to) as {
        day: number
        n: number
        pages: number
        sheets: number
      }[])
        Object.assign(day(r.day), { paper: r.n, pages: r.pages, sheets: r.sheets })
      return [...days].sort(([a], [b]) => a - b).map(([d, v]) => ({ day: d, ...v }))
    },
  }
}
