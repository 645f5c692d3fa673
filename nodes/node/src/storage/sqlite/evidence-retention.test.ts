import Database from 'better-sqlite3'
import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  leafHash,
  openLog,
  toHex,
  verifyInclusion,
  type BaridError,
  type MerkleLog,
} from '../../core.js'
import { nodeSha256 } from '../../transparency/evidence-log.js'
import { storageLogStore, type StagedLogStore } from '../../transparency/storage-log-store.js'
import { createSqliteStorage } from '../sqlite-storage.js'
import type { EvidenceCursor, Storage } from '../storage.js'
import type { EvidenceRow, LetterWrite, NewOutboxItem } from '../types.js'
import { letterRow, letterWrite, T } from './storage-fixtures.js'

const DAY = 86_400_000
const SENDER = 'tax@post.eg'
/** A sender that never acknowledges its receipts. */
const SLOW = 'slow@post.eg'
const work = await mkdtemp(join(tmpdir(), 'barid-evidence-retention-'))
afterAll(() => rm(work, { recursive: true, force: true }))
let files = 0

/** A record of `letterId` issued at `at` (the bytes stand in for a signed record). */
function rec(letterId: string, type: string, at: number, recipient: string | null = null) {
  const id = `${letterId}.${type}.${recipient ?? '-'}`
  return {
    id,
    letterId,
    recipient,
    type,
    issuer: 'digitalpost.dk',
    issuedAt: at,
    prev: null,
    record: new TextEncoder().encode(`${id}@${at}`),
  } satisfies EvidenceRow
}

/** A letter sent from this node: its row, and records at each of `times`. */
function sent(
  id: string,
  times: number[],
  extra: Partial<LetterWrite> = {},
  sender = SENDER,
): LetterWrite {
  return letterWrite(
    letterRow(id, undefined, { senderAddress: sender, origin: 'digitalpost.dk' }),
    [],
    {
      evidence: times.map((at, i) =>
        rec(id, i === 0 ? 'submission-accepted' : `t${i}`, at, i === 0 ? null : `r${i}@post.eg`),
      ),
      ...extra,
    },
  )
}

interface Node {
  s: Storage
  file: string
  store: StagedLogStore
  log: MerkleLog
}

async function open(): Promise<Node> {
  const file = join(work, `db${files++}.sqlite`)
  const s = createSqliteStorage({ file })
  const store = storageLogStore(s)
  return { s, file, store, log: await openLog({ store, sha256: nodeSha256 }) }
}

/**
 * Moves the evidence feed over every record: logs each, and queues a receipt of each record of a
 * stored letter for the letter's sender (as the node's feed does, 17.5); then acknowledges the
 * receipts of {@link SENDER} (never those of {@link SLOW}).
 */
async function logAll(n: Node): Promise<void> {
  const from = await n.s.feedPosition('evidence')
  const rows = await n.s.evidenceAfter(from, 100_000)
  if (rows.length > 0) {
    const receipts = []
    for (const r of rows) {
      const letter = await n.s.getLetter(r.letterId)
      if (letter) receipts.push({ sender: letter.senderAddress, evidenceId: r.id })
    }
    n.store.stage({
      leaves: rows.map((r) => r.id),
      feed: { from, to: rows.at(-1)!.position },
      receipts,
      at: T,
    })
    await n.log.append(rows.map((r) => r.record))
  }
  await ackAll(n.s)
}

async function ackAll(s: Storage, sender = SENDER): Promise<void> {
  const { receipts } = await s.pullReceipts(sender, 1000)
  if (receipts.length > 0) await s.ackReceipts(sender, receipts.at(-1)!.seq)
}

/** Runs a whole pass: steps of `limit` until the last says there is no more. */
async function purgeAll(s: Storage, before: number, limit = 1000) {
  const total = { records: 0, letters: 0, receipts: 0, steps: 0 }
  let after: EvidenceCursor | undefined
  for (;;) {
    const r = await s.purgeEvidence({ issuedBefore: before, limit, ...(after ? { after } : {}) })
    total.records += r.records
    total.letters += r.letters
    total.receipts += r.receipts
    total.steps++
    if (r.records > limit && r.letters !== 1) throw new Error('a step went past its bound')
    after = r.next
    if (!r.more) return total
  }
}

const LOG_TABLES = [
  'log_nodes ORDER BY level, idx',
  'log_state',
  'log_leaves ORDER BY idx',
  'log_checkpoints ORDER BY digest',
  'log_cosignatures ORDER BY checkpoint_digest, witness',
  'witness_views ORDER BY log',
  'fork_statements ORDER BY id',
]

/** Every row of the transparency log's tables and of the letters' identity, read directly. */
function dump(file: string): unknown[] {
  const c = new Database(file, { readonly: true })
  try {
    return [...LOG_TABLES, 'letters ORDER BY id', 'recipients ORDER BY letter_id, address'].map(
      (t) => c.prepare(`SELECT * FROM ${t}`).all(),
    )
  } finally {
    c.close()
  }
}

/** Receipts that name a record no longer stored (none may). */
function dangling(file: string): number {
  const c = new Database(file, { readonly: true })
  try {
    return c
      .prepare<[], number>(
        'SELECT count(*) FROM receipts WHERE evidence_id NOT IN (SELECT id FROM evidence)',
      )
      .pluck()
      .get()!
  } finally {
    c.close()
  }
}

/** Fills the tables the log keeps beside its tree: a checkpoint, a cosignature, a witness view. */
async function signAndWitness(n: Node): Promise<void> {
  const size = n.log.size
  await n.s.putCheckpoint({
    digest: 'c'.repeat(64),
    size,
    time: T / 1000,
    bytes: new Uint8Array([size]),
  })
  await n.s.putCosignature('c'.repeat(64), 'post.eg', T / 1000, new Uint8Array([9]))
  await n.s.putWitnessView({
    log: 'post.eg',
    checkpoint: new Uint8Array([8]),
    size: 3,
    time: T / 1000,
    updatedAt: T,
    forkedAt: null,
  })
}

describe('evidence retention in SQLite', () => {
  it('removes the records of letters issued before the cutoff in bounded steps, oldest first, and leaves the log and the letters untouched', async () => {
    const n = await open()
    // Seven letters, a day apart, two records each; one whose last record is young.
    for (let i = 0; i < 7; i++) await n.s.writeLetter(sent(`L${i}`, [T + i * DAY, T + i * DAY + 1]))
    await n.s.writeLetter(sent('mixed', [T, T + 10 * DAY]))
    await n.s.writeLetter(sent('newest', [T + 20 * DAY]))
    await logAll(n)
    await signAndWitness(n)
    const before = dump(n.file)
    const root = await n.log.root()
    const removed = [...(await n.s.listEvidence('L0')), ...(await n.s.listEvidence('L3'))]
    const proofs = await Promise.all(
      removed.map(async (e) => n.log.inclusionProof((await n.s.leafIndex(e.id))!)),
    )

    // Steps of three records: a letter's two records go together, so a step removes one letter.
    const cutoff = T + 4 * DAY
    const first = await n.s.purgeEvidence({ issuedBefore: cutoff, limit: 3 })
    expect(first).toMatchObject({ records: 2, letters: 1, receipts: 2, more: true })
    expect(await n.s.listEvidence('L0')).toEqual([])
    expect(await n.s.listEvidence('L1')).toHaveLength(2)
    const second = await n.s.purgeEvidence({ issuedBefore: cutoff, limit: 3, after: first.next! })
    expect(second).toMatchObject({ records: 2, letters: 1 })
    expect(await n.s.listEvidence('L1')).toEqual([])
    const rest = await purgeAll(n.s, cutoff, 3)
    expect(rest).toMatchObject({ records: 4, letters: 2 })

    for (let i = 0; i < 7; i++) expect(await n.s.listEvidence(`L${i}`)).toHaveLength(i < 4 ? 0 : 2)
    // A letter with a young record keeps its whole chain.
    expect(await n.s.listEvidence('mixed')).toHaveLength(2)

    // The log, its checkpoints and witness state, and every letter's row are as they were.
    expect(dump(n.file)).toEqual(before)
    const reopened = await openLog({ store: storageLogStore(n.s), sha256: nodeSha256 })
    expect(toHex(await reopened.root())).toBe(toHex(root))
    for (const [i, e] of removed.entries()) {
      const index = await n.s.leafIndex(e.id)
      expect(await reopened.inclusionProof(index!)).toEqual(proofs[i])
      // A holder of the record (a bundle exported before) still proves it against the log.
      await verifyInclusion({
        leafHash: await leafHash(e.record),
        ...proofs[i]!,
        root,
      })
    }
    expect((await n.s.getLetter('L0'))?.id).toBe('L0')
    // Acknowledged receipts went with their records.
    expect(dangling(n.file)).toBe(0)
    await n.s.close()
  })

  it('still takes the acknowledgement a sender gave before retention removed all its receipts', async () => {
    const n = await open()
    await n.s.writeLetter(sent('L', [T]))
    await logAll(n)
    const acked = (await n.s.pullReceipts(SENDER, 10)).ackedThrough
    await n.s.addEvidence([rec('young', 'submission-accepted', T + 900 * DAY)])
    expect(await purgeAll(n.s, T + DAY)).toMatchObject({ records: 1, receipts: 1 })
    expect(await n.s.pullReceipts(SENDER, 10)).toEqual({ ackedThrough: acked, receipts: [] })
    expect(await n.s.ackReceipts(SENDER, acked)).toEqual({ ackedThrough: acked })
    await expect(n.s.ackReceipts(SENDER, acked + 1)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    } satisfies Partial<BaridError>)
    await n.s.close()
  })

  it('keeps the records of a letter while pending work needs them, and removes them once it is done', async () => {
    const n = await open()
    const mb = (
      await n.s.createMailbox({ address: 'm@digitalpost.dk', kind: 'person', createdAt: T })
    ).id
    const out = (
      letterId: string,
      kind: 'letter' | 'evidence',
      evidenceId?: string,
    ): NewOutboxItem => ({
      peer: 'post.eg',
      kind,
      letterId,
      recipient: 'x@post.eg',
      ...(evidenceId ? { evidenceId } : {}),
      deliverBefore: T + 400 * DAY,
      nextAttemptAt: T,
      createdAt: T,
    })
    await n.s.writeLetter({
      ...sent('entry', [T]),
      deliveries: [{ mailboxId: mb, address: 'm@digitalpost.dk', evidence: [] }],
    })
    await n.s.writeLetter(sent('relay', [T], { outbox: [out('relay', 'letter')] }))
    await n.s.writeLetter(
      sent('carry', [T], { outbox: [out('carry', 'evidence', 'carry.submission-accepted.-')] }),
    )
    for (const id of ['deadline', 'print', 'notify', 'held', 'free'])
      await n.s.writeLetter(sent(id, [T]))
    await n.s.writeLetter(sent('receipt', [T, T + 1], {}, SLOW))
    await n.s.scheduleDeliveries([
      { letterId: 'held', mailboxId: mb, address: 'm@digitalpost.dk', visibleAt: T + 900 * DAY },
    ])
    const from = await n.s.feedPosition('deliveries')
    const fed = await n.s.deliveriesAfter(from, 100)
    await n.s.applyDeliveryPlan({
      from,
      to: fed.at(-1)!.position,
      at: T,
      deadlines: [{ letterId: 'deadline', mailboxId: mb, category: 'registered', dueAt: T + DAY }],
      printJobs: [{ letterId: 'print', mailboxId: mb, nextAttemptAt: T }],
      notifications: [
        {
          mailboxId: mb,
          letterId: 'notify',
          targetId: 1,
          channel: 'log',
          address: null,
          nextAttemptAt: T,
        },
      ],
    })
    // The slow sender has not acknowledged its receipts; one record the feed has not read yet.
    await n.s.addEvidence([rec('unfed', 'submission-accepted', T)])
    await logAll(n)
    await n.s.addEvidence([rec('unfed', 'delivered', T + 1, 'r@post.eg')])
    const cutoff = T + 365 * DAY
    const held = [
      ...['entry', 'relay', 'carry', 'deadline', 'print', 'notify'],
      ...['held', 'receipt', 'unfed'],
    ]
    const left = async () => {
      const out: string[] = []
      for (const id of [...held, 'free'])
        if ((await n.s.listEvidence(id)).length > 0) out.push(id)
      return out
    }

    expect(await purgeAll(n.s, cutoff, 2)).toMatchObject({ records: 1, letters: 1 })
    expect(await left()).toEqual(held)
    // The slow sender still gets its receipts, with the records.
    expect((await n.s.pullReceipts(SLOW, 100)).receipts.map((r) => r.evidence.letterId)).toEqual([
      'receipt',
      'receipt',
    ])

    // The work ends, one piece at a time; each letter's records go once nothing holds them.
    await n.s.purgeMailboxes({ deliveredBefore: cutoff, limit: 100, at: cutoff })
    const due = await n.s.dueItems('post.eg', T, 10)
    await n.s.settle(
      due.map((i) => ({ id: i.id, outcome: 'done' })),
      [],
      T,
    )
    await n.s.settleDeadline('deadline', mb, 'retrieved', { evidence: [], outbox: [] })
    const [job] = await n.s.duePrintJobs(T, 10)
    await n.s.finishPrintJob(job!.id, { state: 'queued', pages: 1, sheets: 1, file: null }, T, {
      evidence: [],
      outbox: [],
    })
    const [note] = await n.s.dueNotifications(T, 10)
    await n.s.finishNotification(note!.id, 'sent', T, null, { evidence: [], outbox: [] })
    await ackAll(n.s, SLOW)
    expect(await purgeAll(n.s, cutoff, 2)).toMatchObject({ letters: 7, receipts: 8 })
    // Left: the held-back delivery, and the letter whose newest record the feed has not read.
    expect(await left()).toEqual(['held', 'unfed'])

    // The feed reads it: the letter is still held, its last record being the newest stored...
    await logAll(n)
    expect((await purgeAll(n.s, cutoff)).records).toBe(0)
    // ...until another is stored after it (a new row must never take a position the feed passed).
    await n.s.addEvidence([rec('later', 'submission-accepted', T + 400 * DAY)])
    expect(await purgeAll(n.s, cutoff)).toMatchObject({ records: 2, letters: 1 })
    expect(await left()).toEqual(['held'])
    expect(await n.s.evidenceHead()).toBeGreaterThan(await n.s.feedPosition('evidence'))
    expect(dangling(n.file)).toBe(0)
    await n.s.close()
  })

  it('refuses a step out of bounds or a malformed cursor with ERR_INVALID_ARGUMENT', async () => {
    const n = await open()
    const bad = [
      { issuedBefore: T, limit: 0 },
      { issuedBefore: T, limit: 10_001 },
      { issuedBefore: T, limit: 1.5 },
      { issuedBefore: Number.NaN, limit: 1 },
      { issuedBefore: T, limit: 1, after: { issuedAt: 0.5, letterId: 'x' } },
      { issuedBefore: T, limit: 1, after: { issuedAt: 0, letterId: 'x'.repeat(257) } },
    ]
    for (const o of bad)
      await expect(n.s.purgeEvidence(o)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      } satisfies Partial<BaridError>)
    await n.s.close()
  })

  it('removes exactly the letters whose records are all older than the cutoff and that nothing holds, whatever the issue times and step size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            times: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 3 }),
            hold: fc.constantFrom('none', 'none', 'relay', 'receipt', 'entry'),
          }),
          { maxLength: 20 },
        ),
        fc.integer({ min: 0, max: 101 }),
        fc.integer({ min: 1, max: 5 }),
        async (letters, cutoffDay, step) => {
          const n = await open()
          const mb = (
            await n.s.createMailbox({ address: 'm@digitalpost.dk', kind: 'person', createdAt: T })
          ).id
          for (const [i, l] of letters.entries()) {
            const w = sent(
              `L${i}`,
              l.times.map((d) => T + d * DAY),
              {},
              l.hold === 'receipt' ? SLOW : SENDER,
            )
            if (l.hold === 'relay')
              w.outbox = [
                {
                  peer: 'post.eg',
                  kind: 'letter',
                  letterId: `L${i}`,
                  recipient: 'x@post.eg',
                  deliverBefore: T,
                  nextAttemptAt: T,
                  createdAt: T,
                },
              ]
            if (l.hold === 'entry')
              w.deliveries = [{ mailboxId: mb, address: 'm@digitalpost.dk', evidence: [] }]
            await n.s.writeLetter(w)
          }
          await logAll(n)
          // A young record stored last: the newest row is never a candidate.
          await n.s.addEvidence([rec('sentinel', 'submission-accepted', T + 1000 * DAY)])
          await logAll(n)
          const rootBefore = await n.log.root()
          const r = await purgeAll(n.s, T + cutoffDay * DAY, step)
          let expected = 0
          for (const [i, l] of letters.entries()) {
            const gone = l.hold === 'none' && l.times.every((d) => d < cutoffDay)
            if (gone) expected += l.times.length
            expect(await n.s.listEvidence(`L${i}`)).toHaveLength(gone ? 0 : l.times.length)
          }
          expect(r.records).toBe(expected)
          const reopened = await openLog({ store: storageLogStore(n.s), sha256: nodeSha256 })
          expect(toHex(await reopened.root())).toBe(toHex(rootBefore))
          expect(dangling(n.file)).toBe(0)
          await n.s.close()
        },
      ),
      { numRuns: 30 },
    )
  })
})
