import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSqliteStorage } from './sqlite-storage.js'
import {
  letterRow as letter,
  letterWrite as write,
  T,
  withMailboxes,
} from './sqlite/storage-fixtures.js'

describe('sqlite storage', () => {
  it('puts a letter into a mailbox once however often and in whatever order writes repeat', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 })), {
          minLength: 1,
          maxLength: 30,
        }),
        async (ops) => {
          await using s = (await withMailboxes(3)).storage
          const seen = new Set<string>()
          for (const [l, m] of ops) {
            const r = await s.writeLetter(write(letter(`L${l}`), [m + 1]))
            expect(r.status).not.toBe('conflict')
            const key = `${l}/${m}`
            expect(r.status === 'stored' || r.status === 'duplicate').toBe(true)
            if (r.status === 'stored' || r.status === 'duplicate')
              expect(r.deliveries[0]!.inserted).toBe(!seen.has(key))
            seen.add(key)
          }
          for (let m = 1; m <= 3; m++) {
            const entries = await s.listMailbox(m, { limit: 100 })
            expect(new Set(entries.map((e) => e.letter.id)).size).toBe(entries.length)
            expect(entries.length).toBe([...seen].filter((k) => k.endsWith(`/${m - 1}`)).length)
          }
        },
      ),
      { numRuns: 25 },
    )
  })

  it('refuses a letter id reused for different bytes', async () => {
    await using s = (await withMailboxes(1)).storage
    expect((await s.writeLetter(write(letter('L1', 'a'.repeat(64)), [1]))).status).toBe('stored')
    expect((await s.writeLetter(write(letter('L1', 'b'.repeat(64)), [1]))).status).toBe('conflict')
  })

  it('reads several letters with their bytes and attachments in one call, and skips unknown ids', async () => {
    await using s = (await withMailboxes(1)).storage
    const att = [{ digest: 'e'.repeat(64), size: 5 }]
    await s.putBlob(att[0]!.digest, 5, T)
    await s.writeLetter(write(letter('L1', 'a'.repeat(64), { attachments: att }), [1]))
    await s.writeLetter(write(letter('L2', 'b'.repeat(64)), [1]))
    const got = await s.getLettersWithBytes(['L2', 'L1', 'nope'])
    expect([...got.keys()].sort()).toEqual(['L1', 'L2'])
    expect(got.get('L1')).toEqual({ letter: await s.getLetter('L1'), bytes: expect.anything() })
    expect(got.get('L1')!.letter.attachments).toEqual(att)
    expect(new Uint8Array(got.get('L2')!.bytes!)).toEqual(new Uint8Array([1, 2, 3]))
    expect((await s.getLettersWithBytes([])).size).toBe(0)
  })

  it('answers whether a key is current by mailbox, kid and use, and stops at revocation', async () => {
    await using s = (await withMailboxes(1)).storage
    const key = { mailboxId: 1, kid: 'k1', jwk: '{"kty":"OKP"}', certificate: 'c', createdAt: T }
    const extra = { label: null, revokedAt: null }
    await s.addMailboxKey({ ...key, ...extra, use: 'sig' })
    expect(await s.currentKeyJwk(1, 'k1', 'sig')).toBe('{"kty":"OKP"}')
    expect(await s.currentKeyJwk(1, 'k1', 'enc')).toBeUndefined()
    expect(await s.currentKeyJwk(1, 'k2', 'sig')).toBeUndefined()
    expect(await s.currentKeyJwk(2, 'k1', 'sig')).toBeUndefined()
    await s.revokeMailboxKey(1, 'k1', T + 1)
    expect(await s.currentKeyJwk(1, 'k1', 'sig')).toBeUndefined()
  })

  it('lists the keys of a mailbox newest registration first, a key added again keeping its place', async () => {
    await using s = (await withMailboxes(1)).storage
    const key = (kid: string) => ({
      mailboxId: 1,
      kid,
      use: 'enc' as const,
      jwk: '{}',
      certificate: 'c',
      label: null,
      createdAt: T, // the same instant: the order must not depend on the clock
      revokedAt: null,
    })
    for (const kid of ['k1', 'k2', 'k3', 'k4', 'k5']) await s.addMailboxKey(key(kid))
    expect(await s.addMailboxKey(key('k2'))).toBe(false)
    await s.revokeMailboxKey(1, 'k4', T + 1)
    expect((await s.listMailboxKeys(1)).map((k) => k.kid)).toEqual(['k5', 'k3', 'k2', 'k1'])
    expect((await s.listMailboxKeys(1, { includeRevoked: true })).map((k) => k.kid)).toEqual([
      'k5',
      'k4',
      'k3',
      'k2',
      'k1',
    ])
  })

  it('lists a mailbox newest first with cursor paging and an unread filter', async () => {
    const { storage: s, ids } = await withMailboxes(2)
    for (let i = 0; i < 7; i++) await s.writeLetter(write(letter(`L${i}`), [ids[0]!]))
    await s.writeLetter(write(letter('other'), [ids[1]!]))
    const first = await s.listMailbox(ids[0]!, { limit: 3 })
    expect(first.map((e) => e.letter.id)).toEqual(['L6', 'L5', 'L4'])
    const second = await s.listMailbox(ids[0]!, { limit: 3, before: first[2]!.cursor })
    expect(second.map((e) => e.letter.id)).toEqual(['L3', 'L2', 'L1'])
    const opened = await s.markOpened(ids[0]!, 'L5', T + 1, { evidence: [], outbox: [] })
    expect(opened).toEqual({ found: true, first: true, openedAt: T + 1 })
    expect((await s.markOpened(ids[0]!, 'L5', T + 2, { evidence: [], outbox: [] })).first).toBe(
      false,
    )
    const unread = await s.listMailbox(ids[0]!, { limit: 10, unreadOnly: true })
    expect(unread.map((e) => e.letter.id)).not.toContain('L5')
    expect(await s.getMailboxEntry(ids[1]!, 'L5')).toBeUndefined()
    expect((await s.markOpened(ids[1]!, 'L5', T, { evidence: [], outbox: [] })).found).toBe(false)
    expect(await s.deleteEntry(ids[0]!, 'L6', T)).toBe(true)
    expect((await s.listMailbox(ids[0]!, { limit: 1 }))[0]!.letter.id).toBe('L5')
    expect(
      (await s.listMailboxAfter(ids[0]!, first[2]!.cursor, 10)).map((e) => e.letter.id),
    ).toEqual(['L5'])
    await s.close()
  })

  it('reports the pending items of each peer as a count of the queue would, whatever is written, settled, retried, repeated and purged', async () => {
    const peers = ['digitalpost.dk', 'post.se', 'posti.fi']
    const op = fc.oneof(
      fc.record({ write: fc.integer({ min: 0, max: 9 }), to: fc.subarray(peers, { minLength: 1 }) }),
      fc.record({ settle: fc.nat(), outcome: fc.constantFrom('done', 'retry') }),
      fc.record({ purge: fc.constant(true) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        await using s = (await withMailboxes(0)).storage
        let t = T
        for (const o of ops) {
          t += 10
          if ('write' in o) {
            // A letter id seen before is a duplicate write: it must not queue its items again.
            const outbox = o.to.map((peer) => ({
              peer,
              kind: 'letter' as const,
              letterId: `L${o.write}`,
              recipient: `r@${peer}`,
              deliverBefore: t + 1000,
              nextAttemptAt: t,
              createdAt: t,
            }))
            await s.writeLetter(write(letter(`L${o.write}`), [], { outbox }))
          } else if ('settle' in o) {
            const due = (
              await Promise.all(peers.map((p) => s.dueItems(p, Number.MAX_SAFE_INTEGER, 100)))
            ).flat()
            const item = due[o.settle % Math.max(due.length, 1)]
            if (!item) continue
            await s.settle(
              [
                o.outcome === 'done'
                  ? { id: item.id, outcome: 'done', recipientState: 'delivered' }
                  : { id: item.id, outcome: 'retry', nextAttemptAt: t, ambiguous: false, error: 'x' },
              ],
              [],
              t,
            )
          } else {
            await s.purge({ deletedBefore: t, idempotencyBefore: t, outboxBefore: t, blobsBefore: t })
          }
        }
        const counted = await Promise.all(
          peers.map(async (peer) => ({
            peer,
            depth: (await s.dueItems(peer, Number.MAX_SAFE_INTEGER, 10_000)).length,
          })),
        )
        expect(await s.queueDepth()).toEqual(counted.filter((c) => c.depth > 0))
      }),
      { numRuns: 60 },
    )
  })

  it('schedules, settles and resets outbox items', async () => {
    await using s = (await withMailboxes(0)).storage
    const outbox = [0, 1, 2].map((i) => ({
      peer: 'digitalpost.dk',
      kind: 'letter' as const,
      letterId: 'L1',
      recipient: `r${i}@digitalpost.dk`,
      deliverBefore: T + 1000,
      nextAttemptAt: T,
      createdAt: T,
    }))
    await s.writeLetter(
      write(letter('L1'), [], {
        outbox,
        recipients: outbox.map((o) => ({ address: o.recipient, state: 'pending' as const })),
      }),
    )
    expect(await s.duePeers(T)).toEqual([{ peer: 'digitalpost.dk', due: 3 }])
    expect(await s.peersWithDueItems(T)).toEqual(['digitalpost.dk'])
    expect(await s.peersWithDueItems(T - 1)).toEqual([])
    const items = await s.dueItems('digitalpost.dk', T, 10)
    expect(items).toHaveLength(3)
    expect(await s.dueItems('digitalpost.dk', T, 10, new Set([items[0]!.id]))).toHaveLength(2)
    expect(await s.dueItems('digitalpost.dk', T, 10, new Set([items[0]!.id]), 3)).toEqual([])
    expect(await s.dueItems('digitalpost.dk', T, 10, undefined, 3)).toHaveLength(3)
    await s.settle(
      [
        { id: items[0]!.id, outcome: 'done', recipientState: 'delivered' },
        {
          id: items[1]!.id,
          outcome: 'retry',
          nextAttemptAt: T + 500,
          ambiguous: true,
          error: 'timeout',
        },
        {
          id: items[2]!.id,
          outcome: 'done',
          recipientState: 'not-delivered',
          code: 'ERR_RECIPIENT_UNKNOWN',
        },
      ],
      [],
      T,
    )
    expect(await s.queueDepth()).toEqual([{ peer: 'digitalpost.dk', depth: 1 }])
    expect(await s.nextDueAt()).toBe(T + 500)
    expect(await s.nextDueAt(['digitalpost.dk'])).toBeUndefined()
    expect(await s.nextDueAt(['post.eg'])).toBe(T + 500)
    expect(await s.peersWithDueItems(T + 499)).toEqual([])
    expect(await s.peersWithDueItems(T + 500)).toEqual(['digitalpost.dk'])
    const rs = await s.getRecipients('L1')
    expect(rs.map((r) => [r.address, r.state, r.code])).toEqual([
      ['r0@digitalpost.dk', 'delivered', null],
      ['r1@digitalpost.dk', 'pending', null],
      ['r2@digitalpost.dk', 'not-delivered', 'ERR_RECIPIENT_UNKNOWN'],
    ])
    expect(await s.resetBackoff('digitalpost.dk', T + 10)).toBe(1)
    const again = await s.dueItems('digitalpost.dk', T + 10, 10)
    expect(again.map((i) => [i.attempts, i.ambiguous])).toEqual([[0, true]])
    // Overdue (spec 14.3): past the deadline, and an ambiguous letter only past its give-up time.
    const overdue = (deadline: number, ambiguousDeadline: number, peer = 'digitalpost.dk') =>
      s.overdueItems(peer, deadline, ambiguousDeadline, 10).then((r) => r.map((i) => i.recipient))
    expect(await overdue(T + 1000, T + 1001)).toEqual([])
    expect(await overdue(T + 1001, T + 1000)).toEqual([])
    expect(await overdue(T + 1001, T + 1001)).toEqual(['r1@digitalpost.dk'])
    expect(await overdue(T + 1001, T + 1001, 'post.eg')).toEqual([])
  })

  it('keeps the first idempotent response and stored batches across reopening the file', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = await mkdtemp(join(tmpdir(), 'barid-storage-'))
    try {
      const file = join(dir, 'node.db')
      const s1 = createSqliteStorage({ file })
      await s1.putFedTransaction(
        'post.eg',
        'tx1',
        { requestDigest: 'x', status: 200, body: '{}' },
        T,
      )
      await s1.putFedTransaction(
        'post.eg',
        'tx1',
        { requestDigest: 'y', status: 500, body: 'no' },
        T,
      )
      await s1.createBatch('b1', 'eta', [new Uint8Array([1]), new Uint8Array([2])], T)
      await s1.close()
      const s2 = createSqliteStorage({ file })
      expect(await s2.getFedTransaction('post.eg', 'tx1')).toEqual({
        requestDigest: 'x',
        status: 200,
        body: '{}',
      })
      expect((await s2.pendingBatchItems(10)).map((i) => i.idx)).toEqual([0, 1])
      await s2.recordBatchResults(
        [{ batchId: 'b1', idx: 0, status: 'accepted', letterId: 'L', code: null, message: null }],
        T,
      )
      expect(await s2.getBatch('b1')).toMatchObject({
        total: 2,
        pending: 1,
        accepted: 1,
        completedAt: null,
      })
      await s2.recordBatchResults(
        [
          {
            batchId: 'b1',
            idx: 1,
            status: 'rejected',
            letterId: null,
            code: 'ERR_X',
            message: 'm',
          },
        ],
        T + 1,
      )
      expect(await s2.getBatch('b1')).toMatchObject({ pending: 0, rejected: 1, completedAt: T + 1 })
      await s2.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('purges deleted letters after retention but keeps their evidence', async () => {
    const { storage: s, ids } = await withMailboxes(1)
    await s.putBlob('a'.repeat(64), 5, T)
    await s.writeLetter(
      write(
        letter('L1', 'd'.repeat(64), { attachments: [{ digest: 'a'.repeat(64), size: 5 }] }),
        [ids[0]!],
        {
          evidence: [
            {
              id: 'e'.repeat(64),
              letterId: 'L1',
              recipient: null,
              type: 'submission-accepted',
              issuer: 'post.eg',
              issuedAt: T,
              prev: null,
              record: new Uint8Array([9]),
            },
          ],
        },
      ),
    )
    await s.deleteEntry(ids[0]!, 'L1', T + 1)
    const r = await s.purge({
      deletedBefore: T + 2,
      idempotencyBefore: T,
      outboxBefore: T,
      blobsBefore: T + 2,
    })
    expect(r).toEqual({ letters: 1, blobs: ['a'.repeat(64)] })
    expect(await s.getLetterBytes('L1')).toBeUndefined()
    expect(await s.listEvidence('L1')).toHaveLength(1)
    await s.close()
  })
})
