import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generateKeyPair, newLetterId, toHex, type KeyPair } from '../core.js'
import { createSqliteStorage } from '../storage/sqlite-storage.js'
import type { Storage } from '../storage/storage.js'
import type { EvidenceRow } from '../storage/types.js'
import { nodeSha256, openEvidenceLog, type EvidenceLog } from '../transparency/evidence-log.js'

const dir = await mkdtemp(join(tmpdir(), 'barid-receipts-'))
afterAll(() => rm(dir, { recursive: true, force: true }))
const key: KeyPair = await generateKeyPair('Ed25519')
const SENDER = 'tax@post.eg'

type Op =
  | { op: 'issue'; n: number; other: boolean }
  | { op: 'step' }
  | { op: 'pull'; limit: number }
  | { op: 'ack' }
  | { op: 'restart' }

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant('issue' as const),
      n: fc.integer({ min: 1, max: 4 }),
      other: fc.boolean(),
    }),
    fc.constant({ op: 'step' as const }),
    fc.record({ op: fc.constant('pull' as const), limit: fc.integer({ min: 1, max: 5 }) }),
    fc.constant({ op: 'ack' as const }),
    fc.constant({ op: 'restart' as const }),
  ),
  { maxLength: 30 },
)

let counter = 0
/** Stores a letter sent here by `sender` with `n` evidence records (as submission does). */
async function issue(storage: Storage, sender: string, n: number): Promise<string[]> {
  const id = newLetterId()
  const evidence: EvidenceRow[] = Array.from({ length: n }, (_, i) => {
    const record = new TextEncoder().encode(`record ${++counter} of ${id} #${i}`)
    return {
      id: toHex(nodeSha256(record)),
      letterId: id,
      recipient: null,
      type: 'delivered',
      issuer: i % 2 === 0 ? 'post.eg' : 'digitalpost.dk',
      issuedAt: counter,
      prev: null,
      record,
    }
  })
  await storage.writeLetter({
    letter: {
      id,
      digest: 'ab'.repeat(32),
      senderAddress: sender,
      senderKid: 'k',
      kind: 'registered',
      createdAt: 0,
      expiresAt: null,
      threadId: null,
      replyTo: null,
      lang: null,
      origin: 'post.eg',
      receivedAt: 0,
      size: 1,
      attachments: [],
    },
    bytes: new Uint8Array([1]),
    recipients: [],
    deliveries: [],
    outbox: [],
    evidence,
  })
  return evidence.map((e) => e.id)
}

async function open(file: string): Promise<{ storage: Storage; log: EvidenceLog }> {
  const storage = createSqliteStorage({ file, synchronous: 'normal' })
  // Two sender organisations, as the admin API registers them.
  for (const [id, address] of [
    ['tax', SENDER],
    ['bank', 'bank@post.eg'],
  ] as const) {
    if (await storage.getSenderById(id)) continue
    const mb = await storage.createMailbox({ address, kind: 'organisation', createdAt: 0 })
    await storage.createSender(
      { id, name: id, mailboxId: mb.id, createdAt: 0 },
      { keyId: `key-${id}`, senderId: id, hash: 'x', createdAt: 0, expiresAt: null },
    )
  }
  const log = await openEvidenceLog({
    storage,
    keys: { evidence: key } as never,
    directory: { self: 'post.eg' } as never,
    now: () => 1_800_000_000_000,
  })
  return { storage, log }
}

describe('the receipt queue', () => {
  it('never loses a receipt and never hands one out again once acknowledged, across restarts', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(ops, async (script) => {
        const file = join(dir, `receipts-${run++}.db`)
        let node = await open(file)
        const issued: string[] = []
        const acked: string[] = []
        let pulled: { seq: number; id: string }[] = []
        const pull = async (limit: number) => {
          const r = await node.storage.pullReceipts(SENDER, limit)
          const got = r.receipts.map((x) => ({ seq: x.seq, id: x.evidence.id }))
          // In order, all after the acknowledged point, none already acknowledged.
          expect(
            got.every((g, i) => g.seq > r.ackedThrough && (i === 0 || g.seq > got[i - 1]!.seq)),
          ).toBe(true)
          expect(got.filter((g) => acked.includes(g.id))).toEqual([])
          pulled = got
        }
        const ack = async () => {
          if (pulled.length === 0) return
          await node.storage.ackReceipts(SENDER, pulled.at(-1)!.seq)
          acked.push(...pulled.map((p) => p.id))
          pulled = []
        }
        for (const o of script) {
          if (o.op === 'issue') {
            const ids = await issue(node.storage, o.other ? 'bank@post.eg' : SENDER, o.n)
            if (!o.other) issued.push(...ids)
          } else if (o.op === 'step') await node.log.step()
          else if (o.op === 'pull') await pull(o.limit)
          else if (o.op === 'ack') await ack()
          else {
            await node.storage.close()
            node = await open(file)
          }
        }
        while ((await node.log.step()) > 0);
        for (;;) {
          await pull(3)
          if (pulled.length === 0) break
          await ack()
        }
        // Exactly what was issued for this sender, in the order it was stored.
        expect(acked).toEqual(issued)
        await node.storage.close()
      }),
      { numRuns: 30 },
    )
  })

  it('refuses an acknowledgement beyond the last receipt given', async () => {
    const { storage, log } = await open(join(dir, 'beyond.db'))
    await using _ = storage
    await issue(storage, SENDER, 2)
    await log.step()
    const r = await storage.pullReceipts(SENDER, 10)
    await expect(storage.ackReceipts(SENDER, r.receipts.at(-1)!.seq + 1)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
    expect((await storage.ackReceipts(SENDER, r.receipts[0]!.seq)).ackedThrough).toBe(
      r.receipts[0]!.seq,
    )
    // Acknowledging less than before changes nothing.
    expect((await storage.ackReceipts(SENDER, 0)).ackedThrough).toBe(r.receipts[0]!.seq)
  })
})
