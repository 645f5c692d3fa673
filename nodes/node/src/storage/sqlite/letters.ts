/**
 * @module storage/sqlite/letters
 * SQLite implementation of {@link LetterStore}. Each write method is atomic (letter writes in
 * their own savepoint of a group commit, see `group-commit.ts`); the unique index on deliveries
 * (letter, mailbox) is the exactly-once guarantee. The statements on a letter's path are
 * prepared once (drizzle's builder costs ~75 us a call, a prepared statement ~4 us), and those
 * run for every letter are raw SQL.
 */
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import type { SenderDisplay } from '../../core.js'
import { blobs, deliveries, evidence, letterAttachments, letters, recipients } from '../schema.js'
import type { LetterStore } from '../storage.js'
import type {
  AttachmentRef,
  DeliveryOutcome,
  EvidenceRow,
  LetterRow,
  LetterWrite,
  LetterWriteResult,
  MailboxEntry,
  NewOutboxItem,
} from '../types.js'
import type { Db } from './db.js'
import { groupCommit } from './group-commit.js'

type LetterSelect = Omit<typeof letters.$inferSelect, 'bytes'>

const letterColumns = {
  id: letters.id,
  digest: letters.digest,
  senderAddress: letters.senderAddress,
  senderKid: letters.senderKid,
  kind: letters.kind,
  createdAt: letters.createdAt,
  expiresAt: letters.expiresAt,
  threadId: letters.threadId,
  replyTo: letters.replyTo,
  lang: letters.lang,
  senderDisplay: letters.senderDisplay,
  origin: letters.origin,
  receivedAt: letters.receivedAt,
  size: letters.size,
}

const entrySelect = {
  cursor: deliveries.id,
  receivedAt: deliveries.receivedAt,
  openedAt: deliveries.openedAt,
  letter: letterColumns,
}

function toEvidence(r: typeof evidence.$inferSelect): EvidenceRow {
  return { ...r, record: new Uint8Array(r.record) }
}

function buf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}

const p = (name: string) => sql.placeholder(name)

function prepare(db: Db) {
  const c = db.$client
  return {
    // The write path of every letter: raw statements with positional parameters (drizzle's
    // prepared statements map parameters and rows in JavaScript, which shows in profiles; named
    // parameters cost an object per row).
    digestOf: c.prepare<[string], string>('select digest from letters where id = ?').pluck(),
    blobSize: c.prepare<[string], number>('select size from blobs where digest = ?').pluck(),
    insertLetter: c.prepare<
      [
        string,
        string,
        string,
        string,
        string,
        number,
        number | null,
        string | null,
        string | null,
        string | null,
        string | null,
        string,
        number,
        number,
        Buffer,
      ]
    >(
      `insert into letters (id, digest, sender_address, sender_kid, kind, created_at, expires_at,
         thread_id, reply_to, lang, sender_display, origin, received_at, size, bytes)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertAttachment: c.prepare<[string, number, string, number]>(
      `insert into letter_attachments (letter_id, idx, digest, size) values (?, ?, ?, ?)`,
    ),
    insertRecipient: c.prepare<[string, string, string, string | null, number]>(
      `insert into recipients (letter_id, address, state, code, updated_at)
       values (?, ?, ?, ?, ?) on conflict do nothing`,
    ),
    insertOutbox: c.prepare<
      [string, string, string, string | null, string | null, number, number, number]
    >(
      `insert into outbox (peer, kind, letter_id, recipient, evidence_id, deliver_before,
         next_attempt_at, created_at, state)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
    ),
    insertDelivery: c.prepare<[string, number, number]>(
      `insert into deliveries (letter_id, mailbox_id, received_at)
       values (?, ?, ?) on conflict do nothing`,
    ),
    deliveryOf: c.prepare<[string, number], { receivedAt: number }>(
      'select received_at as receivedAt from deliveries where letter_id = ? and mailbox_id = ?',
    ),
    insertEvidence: c.prepare<
      [string, string, string | null, string, string, number, string | null, Buffer]
    >(
      `insert into evidence (id, letter_id, recipient, type, issuer, issued_at, prev, record)
       values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
    ),
    letter: db
      .select(letterColumns)
      .from(letters)
      .where(eq(letters.id, p('id')))
      .prepare(),
    attachmentsOf: db
      .select({ digest: letterAttachments.digest, size: letterAttachments.size })
      .from(letterAttachments)
      .where(eq(letterAttachments.letterId, p('id')))
      .orderBy(asc(letterAttachments.idx))
      .prepare(),
    bytes: db
      .select({ bytes: letters.bytes })
      .from(letters)
      .where(eq(letters.id, p('id')))
      .prepare(),
    recipients: db
      .select({
        address: recipients.address,
        state: recipients.state,
        code: recipients.code,
        updatedAt: recipients.updatedAt,
      })
      .from(recipients)
      .where(eq(recipients.letterId, p('id')))
      .orderBy(asc(recipients.address))
      .prepare(),
    evidenceOf: db
      .select()
      .from(evidence)
      .where(eq(evidence.letterId, p('id')))
      .orderBy(asc(evidence.issuedAt), asc(evidence.id))
      .prepare(),
    evidenceById: db
      .select()
      .from(evidence)
      .where(eq(evidence.id, p('id')))
      .prepare(),
    // Asked for every letter a peer relays (the duplicate check): raw, like the writes.
    deliveriesOf: c.prepare<[string], { mailboxId: number; receivedAt: number }>(
      `select mailbox_id as mailboxId, received_at as receivedAt
         from deliveries where letter_id = ?`,
    ),
    deliveriesOfMany: c.prepare<
      [string],
      { letterId: string; mailboxId: number; receivedAt: number }
    >(
      `select letter_id as letterId, mailbox_id as mailboxId, received_at as receivedAt
         from deliveries where letter_id in (select value from json_each(?))`,
    ),
    // The order of `evidenceOf`, per letter.
    evidenceOfMany: c.prepare<[string], typeof evidence.$inferSelect>(
      `select id, letter_id as letterId, recipient, type, issuer, issued_at as issuedAt, prev,
              record
         from evidence where letter_id in (select value from json_each(?))
        order by letter_id, issued_at, id`,
    ),
    // Written with a relayed letter (see LetterWrite): each kept if already there.
    insertTerms: c.prepare<
      [string, string | null, number | null, string | null, number | null]
    >(
      `insert into letter_terms (letter_id, category, visible_from, title, reply_by)
       values (?, ?, ?, ?, ?) on conflict(letter_id) do nothing`,
    ),
    insertSenderKey: c.prepare<[string, string, string]>(
      'insert into letter_sender_keys (letter_id, kid, jwk) values (?, ?, ?) on conflict do nothing',
    ),
    insertSchedule: c.prepare<[string, number, string, number]>(
      `insert into scheduled_deliveries (letter_id, mailbox_id, address, visible_at, state)
       values (?, ?, ?, ?, 'pending') on conflict do nothing`,
    ),
    entry: db
      .select(entrySelect)
      .from(deliveries)
      .innerJoin(letters, eq(letters.id, deliveries.letterId))
      .where(
        and(
          eq(deliveries.mailboxId, p('mailboxId')),
          eq(deliveries.letterId, p('letterId')),
          isNull(deliveries.deletedAt),
        ),
      )
      .prepare(),
    blob: db
      .select({ digest: blobs.digest, size: blobs.size })
      .from(blobs)
      .where(eq(blobs.digest, p('digest')))
      .prepare(),
    putBlob: db
      .insert(blobs)
      .values({ digest: p('digest'), size: p('size'), createdAt: p('at') })
      .onConflictDoNothing()
      .prepare(),
  }
}

/** A letter's columns (alias `l`) in the shape of {@link LetterRow}, for raw statements. */
const LETTER_COLUMNS = `l.id, l.digest, l.sender_address as senderAddress,
  l.sender_kid as senderKid, l.kind, l.created_at as createdAt, l.expires_at as expiresAt,
  l.thread_id as threadId, l.reply_to as replyTo, l.lang, l.sender_display as senderDisplay,
  l.origin, l.received_at as receivedAt, l.size`

/** The attachment manifest of letter `l` as JSON `[[idx, digest, size], ...]`. */
const ATTACHMENTS_OF_L = `(select json_group_array(json_array(a.idx, a.digest, a.size))
  from letter_attachments a where a.letter_id = l.id)`

type LetterRowRaw = Omit<LetterRow, 'attachments' | 'senderDisplay'> & {
  attachments: string
  senderDisplay: string | null
}

/** The stored JSON of a letter's sender display names, as written from a checked value. */
const senderDisplay = (v: string | null): SenderDisplay | null =>
  v === null ? null : (JSON.parse(v) as SenderDisplay)
type EntryRow = LetterRowRaw & { cursor: number; entryReceivedAt: number; openedAt: number | null }

function toLetter(r: LetterRowRaw): LetterRow {
  const list = JSON.parse(r.attachments) as [number, string, number][]
  return {
    id: r.id,
    digest: r.digest,
    senderAddress: r.senderAddress,
    senderKid: r.senderKid,
    kind: r.kind,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    threadId: r.threadId,
    replyTo: r.replyTo,
    lang: r.lang,
    senderDisplay: senderDisplay(r.senderDisplay),
    origin: r.origin,
    receivedAt: r.receivedAt,
    size: r.size,
    attachments: list.sort((a, b) => a[0] - b[0]).map(([, digest, size]) => ({ digest, size })),
  }
}

function toEntry(r: EntryRow): MailboxEntry {
  return {
    cursor: r.cursor,
    receivedAt: r.entryReceivedAt,
    openedAt: r.openedAt,
    letter: toLetter(r),
  }
}

/** @example `const letters = sqliteLetters(openDb({ file: ':memory:' }))` */
export function sqliteLetters(db: Db): LetterStore {
  const q = prepare(db)
  const group = groupCommit(db.$client)
  // Mailbox pages (13.5), newest first: one prepared statement per shape of query, so each has
  // its plan (deliveries_mailbox_cursor, or deliveries_unread for the unread filter, see schema.ts),
  // with the attachment manifest of each letter in the same statement.
  const listPage = (before: boolean, unread: boolean) =>
    db.$client.prepare<unknown[], EntryRow>(
      `select d.id as cursor, d.received_at as entryReceivedAt, d.opened_at as openedAt,
              ${LETTER_COLUMNS}, ${ATTACHMENTS_OF_L} as attachments
         from deliveries d join letters l on l.id = d.letter_id
        where d.mailbox_id = ? and d.deleted_at is null
              ${before ? 'and d.id < ?' : ''} ${unread ? 'and d.opened_at is null' : ''}
        order by d.id desc limit ?`,
    )
  const listing = {
    top: { all: listPage(false, false), unread: listPage(false, true) },
    before: { all: listPage(true, false), unread: listPage(true, true) },
  }
  const letterWithAttachments = db.$client.prepare<[string], LetterRowRaw>(`select ${LETTER_COLUMNS}, ${ATTACHMENTS_OF_L} as attachments from letters l where l.id = ?`)

  const lettersWithBytes = db.$client.prepare<
    [string],
    LetterRowRaw & { bytes: Buffer | null }
  >(
    `select ${LETTER_COLUMNS}, ${ATTACHMENTS_OF_L} as attachments, l.bytes
       from letters l where l.id in (select value from json_each(?))`,
  )

  function attachmentsOf(ids: string[]): Map<string, AttachmentRef[]> {
    const out = new Map<string, AttachmentRef[]>()
    if (ids.length === 0) return out
    if (ids.length === 1) {
      out.set(ids[0]!, q.attachmentsOf.all({ id: ids[0]! }))
      return out
    }
    const rows = db
      .select()
      .from(letterAttachments)
      .where(inArray(letterAttachments.letterId, ids))
      .orderBy(asc(letterAttachments.letterId), asc(letterAttachments.idx))
      .all()
    for (const r of rows) {
      const list = out.get(r.letterId) ?? []
      list.push({ digest: r.digest, size: r.size })
      out.set(r.letterId, list)
    }
    return out
  }

  function withAttachments(rows: LetterSelect[]): LetterRow[] {
    const atts = attachmentsOf(rows.map((r) => r.id))
    return rows.map((r) => ({
      ...r,
      senderDisplay: senderDisplay(r.senderDisplay),
      attachments: atts.get(r.id) ?? [],
    }))
  }

  function insertEvidence(rows: EvidenceRow[]): void {
    for (const e of rows)
      q.insertEvidence.run(
        e.id,
        e.letterId,
        e.recipient ?? null,
        e.type,
        e.issuer,
        e.issuedAt,
        e.prev ?? null,
        buf(e.record),
      )
  }

  function insertOutbox(items: NewOutboxItem[]): void {
    for (const o of items) {
      q.insertOutbox.run(
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
  }

  function applyOne(w: LetterWrite): LetterWriteResult {
    const l = w.letter
    const existing = q.digestOf.get(l.id)
    if (existing !== undefined && existing !== l.digest) return { status: 'conflict' }
    if (existing === undefined) {
      // In the same transaction as the insert: a retention step deletes a blob's row only when
      // no manifest names it, so either it ran first (and this refuses) or it sees this letter.
      const index = l.attachments.findIndex((a) => q.blobSize.get(a.digest) !== a.size)
      if (index >= 0) return { status: 'attachment-missing', index }
    }
    const t = w.terms
    if (t) q.insertTerms.run(t.letterId, t.category, t.visibleFrom, t.title, t.replyBy)
    if (w.senderKey) q.insertSenderKey.run(l.id, w.senderKey.kid, w.senderKey.jwk)
    for (const d of w.schedule ?? [])
      q.insertSchedule.run(d.letterId, d.mailboxId, d.address, d.visibleAt)
    if (existing === undefined) {
      q.insertLetter.run(
        l.id,
        l.digest,
        l.senderAddress,
        l.senderKid,
        l.kind,
        l.createdAt,
        l.expiresAt ?? null,
        l.threadId ?? null,
        l.replyTo ?? null,
        l.lang ?? null,
        l.senderDisplay ? JSON.stringify(l.senderDisplay) : null,
        l.origin,
        l.receivedAt,
        l.size,
        buf(w.bytes),
      )
      l.attachments.forEach((a, idx) => q.insertAttachment.run(l.id, idx, a.digest, a.size))
      insertOutbox(w.outbox)
    }
    for (const r of w.recipients)
      q.insertRecipient.run(l.id, r.address, r.state, r.code ?? null, l.receivedAt)
    const outcomes: DeliveryOutcome[] = []
    for (const d of w.deliveries) {
      const ins = q.insertDelivery.run(l.id, d.mailboxId, l.receivedAt)
      if (ins.changes === 1) {
        insertEvidence(d.evidence)
        outcomes.push({ address: d.address, inserted: true, receivedAt: l.receivedAt })
      } else {
        const prior = q.deliveryOf.get(l.id, d.mailboxId)
        outcomes.push({
          address: d.address,
          inserted: false,
          receivedAt: prior?.receivedAt ?? l.receivedAt,
        })
      }
    }
    insertEvidence(w.evidence)
    return { status: existing !== undefined ? 'duplicate' : 'stored', deliveries: outcomes }
  }

  function entries(
    rows: { cursor: number; receivedAt: number; openedAt: number | null; letter: LetterSelect }[],
  ): MailboxEntry[] {
    const full = withAttachments(rows.map((r) => r.letter))
    return rows.map((r, i) => ({
      cursor: r.cursor,
      receivedAt: r.receivedAt,
      openedAt: r.openedAt,
      letter: full[i]!,
    }))
  }

  return {
    // Group commit: concurrent submissions and federation batches share one commit.
    async writeLetter(w) {
      return group.run(() => applyOne(w))
    },
    async writeLetters(ws) {
      return group.run(() => ws.map(applyOne))
    },
    async getLetter(id) {
      // One statement for the row and its attachment manifest: the delivery engine and
      // acceptance ask for every letter they handle.
      const r = letterWithAttachments.get(id)
      return r && toLetter(r)
    },
    async getLetterBytes(id) {
      const r = q.bytes.get({ id })
      return r?.bytes ? new Uint8Array(r.bytes) : undefined
    },
    async getLettersWithBytes(ids) {
      const out = new Map<string, { letter: LetterRow; bytes: Uint8Array | undefined }>()
      if (ids.length === 0) return out
      for (const r of lettersWithBytes.all(JSON.stringify(ids)))
        out.set(r.id, { letter: toLetter(r), bytes: r.bytes ?? undefined })
      return out
    },
    async getRecipients(letterId) {
      return q.recipients.all({ id: letterId })
    },
    async addEvidence(rows) {
      db.transaction(() => insertEvidence(rows))
    },
    async listEvidence(letterId) {
      return q.evidenceOf.all({ id: letterId }).map(toEvidence)
    },
    async getEvidence(id) {
      const r = q.evidenceById.get({ id })
      return r && toEvidence(r)
    },
    async findDeliveries(letterId) {
      return q.deliveriesOf.all(letterId)
    },
    async findDeliveriesOf(letterIds) {
      const out = new Map<string, { mailboxId: number; receivedAt: number }[]>()
      if (letterIds.length === 0) return out
      for (const r of q.deliveriesOfMany.all(JSON.stringify(letterIds))) {
        const d = { mailboxId: r.mailboxId, receivedAt: r.receivedAt }
        const list = out.get(r.letterId)
        if (list) list.push(d)
        else out.set(r.letterId, [d])
      }
      return out
    },
    async listEvidenceOf(letterIds) {
      const out = new Map<string, EvidenceRow[]>()
      if (letterIds.length === 0) return out
      for (const r of q.evidenceOfMany.all(JSON.stringify(letterIds))) {
        const row = toEvidence(r)
        const list = out.get(r.letterId)
        if (list) list.push(row)
        else out.set(r.letterId, [row])
      }
      return out
    },
    async listMailbox(mailboxId, opts) {
      const which = opts.unreadOnly ? 'unread' : 'all'
      const rows =
        opts.before !== undefined
          ? listing.before[which].all(mailboxId, opts.before, opts.limit)
          : listing.top[which].all(mailboxId, opts.limit)
      return rows.map(toEntry)
    },
    async listMailboxAfter(mailboxId, after, limit) {
      const rows = db
        .select(entrySelect)
        .from(deliveries)
        .innerJoin(letters, eq(letters.id, deliveries.letterId))
        .where(
          and(
            eq(deliveries.mailboxId, mailboxId),
            isNull(deliveries.deletedAt),
            gt(deliveries.id, after),
          ),
        )
        .orderBy(asc(deliveries.id))
        .limit(limit)
        .all()
      return entries(rows)
    },
    async getMailboxEntry(mailboxId, letterId) {
      return entries(q.entry.all({ mailboxId, letterId }))[0]
    },
    async markOpened(mailboxId, letterId, at, then) {
      return db.transaction(
        () => {
          const where = and(
            eq(deliveries.mailboxId, mailboxId),
            eq(deliveries.letterId, letterId),
            isNull(deliveries.deletedAt),
          )
          const cur = db
            .select({ openedAt: deliveries.openedAt })
            .from(deliveries)
            .where(where)
            .get()
          if (!cur) return { found: false, first: false, openedAt: null }
          if (cur.openedAt !== null) return { found: true, first: false, openedAt: cur.openedAt }
          db.update(deliveries).set({ openedAt: at }).where(where).run()
          insertEvidence(then.evidence)
          insertOutbox(then.outbox)
          return { found: true, first: true, openedAt: at }
        },
        { behavior: 'immediate' },
      )
    },
    async deleteEntry(mailboxId, letterId, at) {
      const r = db
        .update(deliveries)
        .set({ deletedAt: at })
        .where(
          and(
            eq(deliveries.mailboxId, mailboxId),
            eq(deliveries.letterId, letterId),
            isNull(deliveries.deletedAt),
          ),
        )
        .run()
      return r.changes === 1
    },
    async putBlob(digest, size, at) {
      q.putBlob.run({ digest, size, at })
    },
    async getBlob(digest) {
      return q.blob.get({ digest })
    },
    async isBlobReferenced(digest, mailboxId) {
      if (mailboxId === undefined) {
        return (
          db
            .select({ x: letterAttachments.idx })
            .from(letterAttachments)
            .where(eq(letterAttachments.digest, digest))
            .limit(1)
            .get() !== undefined
        )
      }
      const r = db
        .select({ x: deliveries.id })
        .from(letterAttachments)
        .innerJoin(deliveries, eq(deliveries.letterId, letterAttachments.letterId))
        .where(
          and(
            eq(letterAttachments.digest, digest),
            eq(deliveries.mailboxId, mailboxId),
            isNull(deliveries.deletedAt),
          ),
        )
        .limit(1)
        .get()
      return r !== undefined
    },
  }
}
