import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BaridError } from '../../core.js'
import { createSqliteStorage } from '../sqlite-storage.js'
import type { Storage } from '../storage.js'
import type { AttachmentRef, EvidenceRow, LetterWrite, NewOutboxItem } from '../types.js'
import type { NewDeadline, NewPrintJob } from '../registered-types.js'

const T = 1_700_000_000_000
const DAY = 86_400_000
const hex = (c: string) => c.repeat(64)

function evidenceFor(letterId: string, recipient: string, at: number): EvidenceRow {
  return {
    id: `${letterId}-${recipient}-delivered`,
    letterId,
    recipient,
    type: 'delivered',
    issuer: 'digitalpost.dk',
    issuedAt: at,
    prev: null,
    record: new Uint8Array([1, 2, 3, at % 251]),
  }
}

function write(
  id: string,
  at: number,
  mailboxIds: number[],
  o: { attachments?: AttachmentRef[]; outbox?: NewOutboxItem[] } = {},
): LetterWrite {
  return {
    letter: {
      id,
      digest: hex('d'),
      senderAddress: 'tax@post.eg',
      senderKid: 'kid',
      kind: 'letter',
      createdAt: at,
      expiresAt: null,
      threadId: null,
      replyTo: null,
      lang: null,
      origin: 'post.eg',
      receivedAt: at,
      size: 3,
      attachments: o.attachments ?? [],
    },
    bytes: new Uint8Array([7, 7, 7]),
    recipients: [],
    deliveries: mailboxIds.map((m) => ({
      mailboxId: m,
      address: `m${m}@digitalpost.dk`,
      evidence: [evidenceFor(id, `m${m}@digitalpost.dk`, at)],
    })),
    outbox: o.outbox ?? [],
    evidence: [],
  }
}

async function open(mailboxes: number): Promise<{ s: Storage; ids: number[] }> {
  const s = createSqliteStorage({ file: ':memory:' })
  const ids: number[] = []
  for (let i = 0; i < mailboxes; i++)
    ids.push(
      (await s.createMailbox({ address: `m${i}@digitalpost.dk`, kind: 'person', createdAt: T })).id,
    )
  return { s, ids }
}

/** Moves the delivery feed over every delivery, with the deadlines and print jobs given. */
async function feed(
  s: Storage,
  plan: { deadlines?: NewDeadline[]; printJobs?: NewPrintJob[] } = {},
): Promise<void> {
  const from = await s.feedPosition('deliveries')
  const rows = await s.deliveriesAfter(from, 100_000)
  await s.applyDeliveryPlan({
    from,
    to: rows.at(-1)?.position ?? from,
    at: T,
    deadlines: plan.deadlines ?? [],
    printJobs: plan.printJobs ?? [],
    notifications: [],
  })
}

async function purgeAll(s: Storage, before: number, limit = 1000) {
  const total = { entries: 0, letters: 0, blobs: [] as string[] }
  for (;;) {
    const r = await s.purgeMailboxes({ deliveredBefore: before, limit, at: before + DAY })
    total.entries += r.entries
    total.letters += r.letters
    total.blobs.push(...r.blobs)
    if (!r.more) return total
  }
}

describe('mailbox retention in SQLite', () => {
  it('removes entries delivered before the cutoff with their ciphertext and unshared blobs, and keeps evidence', async () => {
    const { s, ids } = await open(2)
    const [a, b] = ids as [number, number]
    for (const d of [hex('1'), hex('2'), hex('3')]) await s.putBlob(d, 5, T)
    const shared = { digest: hex('1'), size: 5 }
    await s.writeLetter(
      write('old', T, [a], { attachments: [shared, { digest: hex('2'), size: 5 }] }),
    )
    await s.writeLetter(write('young', T + 10 * DAY, [b], { attachments: [shared] }))
    await s.writeLetter(
      write('old-b', T + DAY, [b], { attachments: [{ digest: hex('3'), size: 5 }] }),
    )
    await feed(s)
    const evidenceBefore = await s.listEvidence('old')

    const r = await purgeAll(s, T + 5 * DAY)
    expect(r.entries).toBe(2)
    expect(r.letters).toBe(2)
    expect(r.blobs.sort()).toEqual([hex('2'), hex('3')])

    expect(await s.listMailbox(a, { limit: 10 })).toEqual([])
    expect((await s.listMailbox(b, { limit: 10 })).map((e) => e.letter.id)).toEqual(['young'])
    expect(await s.getMailboxEntry(a, 'old')).toBeUndefined()
    expect(await s.getLetterBytes('old')).toBeUndefined()
    expect(await s.getLetterBytes('young')).toEqual(new Uint8Array([7, 7, 7]))
    expect(await s.getBlob(hex('1'))).toEqual({ digest: hex('1'), size: 5 })
    expect(await s.getBlob(hex('2'))).toBeUndefined()
    expect(await s.isBlobReferenced(hex('2'))).toBe(false)
    expect(await s.isBlobReferenced(hex('1'), b)).toBe(true)
    // The letter's row and its evidence outlive its content.
    expect((await s.getLetter('old'))?.digest).toBe(hex('d'))
    expect(await s.listEvidence('old')).toEqual(evidenceBefore)
    await s.close()
  })

  it('hides a purged entry from every mailbox call and never delivers its letter there again', async () => {
    const { s, ids } = await open(1)
    const m = ids[0]!
    await s.writeLetter(write('L', T, [m]))
    await feed(s)
    expect((await purgeAll(s, T + 1)).entries).toBe(1)
    expect(await s.listMailboxAfter(m, 0, 10)).toEqual([])
    expect(await s.deleteEntry(m, 'L', T + 2)).toBe(false)
    const opened = await s.markOpened(m, 'L', T + 2, { evidence: [], outbox: [] })
    expect(opened.found).toBe(false)
    const again = await s.writeLetter(write('L', T + 3, [m]))
    expect(again).toMatchObject({ status: 'duplicate', deliveries: [{ inserted: false }] })
    expect(await s.listMailbox(m, { limit: 10 })).toEqual([])
    // Housekeeping of deleted entries keeps the tombstone.
    await s.purge({
      deletedBefore: T + 100 * DAY,
      idempotencyBefore: T,
      outboxBefore: T,
      blobsBefore: T,
    })
    expect((await s.writeLetter(write('L', T + 4, [m]))).status).toBe('duplicate')
    expect(await s.findDeliveries('L')).toHaveLength(1)
    await s.close()
  })

  it('keeps registered letters with a pending retrieval deadline or print job, and entries the feed has not read', async () => {
    const { s, ids } = await open(3)
    const [a, b, c] = ids as [number, number, number]
    await s.writeLetter(write('deadline', T, [a]))
    await s.writeLetter(write('print', T, [b]))
    await feed(s, {
      deadlines: [
        { letterId: 'deadline', mailboxId: a, category: 'registered', dueAt: T + 14 * DAY },
      ],
      printJobs: [{ letterId: 'print', mailboxId: b, nextAttemptAt: T }],
    })
    await s.writeLetter(write('unfed', T, [c]))
    expect((await purgeAll(s, T + 30 * DAY)).entries).toBe(0)
    expect(await s.getLetterBytes('deadline')).toBeDefined()

    // Once the deadline is settled and the feed has read the third entry, they go.
    await s.settleDeadline('deadline', a, 'retrieved', { evidence: [], outbox: [] })
    await feed(s)
    const r = await purgeAll(s, T + 30 * DAY)
    expect(r.entries).toBe(2)
    expect(await s.listMailbox(a, { limit: 10 })).toEqual([])
    expect((await s.listMailbox(b, { limit: 10 })).map((e) => e.letter.id)).toEqual(['print'])
    expect(await s.getLetterBytes('print')).toBeDefined()
    await s.close()
  })

  it('keeps the ciphertext while another mailbox, a pending relay or a held-back delivery needs it', async () => {
    const { s, ids } = await open(3)
    const [a, b, c] = ids as [number, number, number]
    await s.writeLetter(write('two', T, [a]))
    await feed(s)
    await s.writeLetter(write('two', T + 10 * DAY, [b]))
    const relay: NewOutboxItem = {
      peer: 'post.eg',
      kind: 'letter',
      letterId: 'relayed',
      recipient: 'x@post.eg',
      deliverBefore: T + 40 * DAY,
      nextAttemptAt: T,
      createdAt: T,
    }
    await s.writeLetter(write('relayed', T, [c], { outbox: [relay] }))
    await s.writeLetter(write('held', T, [c]))
    await s.scheduleDeliveries([
      { letterId: 'held', mailboxId: a, address: 'm0@digitalpost.dk', visibleAt: T + 90 * DAY },
    ])
    await feed(s)
    const r = await purgeAll(s, T + 5 * DAY)
    expect(r).toEqual({ entries: 3, letters: 0, blobs: [] })
    for (const id of ['two', 'relayed', 'held']) expect(await s.getLetterBytes(id)).toBeDefined()
    expect((await s.listMailbox(b, { limit: 10 })).map((e) => e.letter.id)).toEqual(['two'])
    await s.close()
  })

  it('refuses a letter whose attachment a retention step removed after the caller checked it, and writes nothing of it', async () => {
    const { s, ids } = await open(2)
    const [a, b] = ids as [number, number]
    const shared = { digest: hex('4'), size: 5 }
    await s.putBlob(shared.digest, 5, T)
    await s.writeLetter(write('old', T, [a], { attachments: [shared] }))
    await feed(s)
    // The submission's own check passes...
    expect((await s.getBlob(shared.digest))?.size).toBe(5)
    // ...then a retention step removes the old letter and, no manifest naming it, the blob.
    expect((await purgeAll(s, T + DAY)).blobs).toEqual([shared.digest])
    const late = write('late', T + 2 * DAY, [b], { attachments: [shared] })
    expect(await s.writeLetter(late)).toEqual({ status: 'attachment-missing', index: 0 })
    expect(await s.getLetter('late')).toBeUndefined()
    expect(await s.listMailbox(b, { limit: 10 })).toEqual([])

    // Uploaded again, the same letter is stored.
    await s.putBlob(shared.digest, 5, T + 2 * DAY)
    expect((await s.writeLetter(late)).status).toBe('stored')
    // And a size that does not match the stored blob is refused like a missing one.
    const wrong = write('wrong', T + 2 * DAY, [b], { attachments: [{ ...shared, size: 6 }] })
    expect(await s.writeLetter(wrong)).toEqual({ status: 'attachment-missing', index: 0 })
  })

  it('works in bounded steps, oldest first, and says when more is due', async () => {
    const { s, ids } = await open(1)
    for (let i = 0; i < 7; i++) await s.writeLetter(write(`L${i}`, T + (7 - i) * 1000, [ids[0]!]))
    await feed(s)
    const first = await s.purgeMailboxes({ deliveredBefore: T + DAY, limit: 3, at: T + DAY })
    expect(first).toMatchObject({ entries: 3, more: true })
    const left = (await s.listMailbox(ids[0]!, { limit: 10 })).map((e) => e.letter.id)
    expect(left.sort()).toEqual(['L0', 'L1', 'L2', 'L3'])
    expect(
      await s.purgeMailboxes({ deliveredBefore: T + DAY, limit: 3, at: T + DAY }),
    ).toMatchObject({ entries: 3, more: true })
    expect(
      await s.purgeMailboxes({ deliveredBefore: T + DAY, limit: 3, at: T + DAY }),
    ).toMatchObject({ entries: 1, more: false })
    await s.close()
  })

  it('refuses a step limit out of bounds with ERR_INVALID_ARGUMENT', async () => {
    const { s } = await open(0)
    for (const limit of [0, -1, 1.5, 10_001, Number.NaN])
      await expect(s.purgeMailboxes({ deliveredBefore: T, limit, at: T })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      } satisfies Partial<BaridError>)
    await s.close()
  })

  it('removes exactly the entries delivered before the cutoff, whatever the delivery times, and only blobs no kept letter names', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 100 }),
            mailbox: fc.integer({ min: 0, max: 2 }),
            blobs: fc.uniqueArray(fc.constantFrom('1', '2', '3', '4'), { maxLength: 2 }),
          }),
          { maxLength: 25 },
        ),
        fc.integer({ min: 0, max: 101 }),
        fc.integer({ min: 1, max: 7 }),
        async (letters, cutoffDay, step) => {
          const { s, ids } = await open(3)
          for (const c of ['1', '2', '3', '4']) await s.putBlob(hex(c), 5, T)
          for (const [i, l] of letters.entries())
            await s.writeLetter(
              write(`L${i}`, T + l.at * DAY, [ids[l.mailbox]!], {
                attachments: l.blobs.map((c) => ({ digest: hex(c), size: 5 })),
              }),
            )
          await feed(s)
          const before = T + cutoffDay * DAY
          const r = await purgeAll(s, before, step)
          const kept = letters.flatMap((l, i) => (l.at >= cutoffDay ? [{ ...l, id: `L${i}` }] : []))
          expect(r.entries).toBe(letters.length - kept.length)
          for (const [m, id] of ids.entries()) {
            const listed = (await s.listMailbox(id, { limit: 200 })).map((e) => e.letter.id)
            expect(listed.sort()).toEqual(
              kept
                .filter((k) => k.mailbox === m)
                .map((k) => k.id)
                .sort(),
            )
          }
          const live = new Set(kept.flatMap((k) => k.blobs))
          const gone = new Set(letters.filter((l) => l.at < cutoffDay).flatMap((l) => l.blobs))
          for (const c of ['1', '2', '3', '4'] as const) {
            const present = (await s.getBlob(hex(c))) !== undefined
            expect(present).toBe(live.has(c) || !gone.has(c))
            expect(r.blobs.includes(hex(c))).toBe(!live.has(c) && gone.has(c))
          }
          for (const [i, l] of letters.entries()) {
            expect(await s.listEvidence(`L${i}`)).toHaveLength(1)
            expect((await s.getLetterBytes(`L${i}`)) !== undefined).toBe(l.at >= cutoffDay)
          }
          await s.close()
        },
      ),
      { numRuns: 40 },
    )
  })
})
