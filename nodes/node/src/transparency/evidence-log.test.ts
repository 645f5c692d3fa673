import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  BaridError,
  fromHex,
  generateKeyPair,
  leafHash,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type KeyPair,
} from '../core.js'
import { createSqliteStorage } from '../storage/sqlite-storage.js'
import type { Storage } from '../storage/storage.js'
import type { EvidenceRow } from '../storage/types.js'
import { nodeSha256, openEvidenceLog } from './evidence-log.js'

const dir = await mkdtemp(join(tmpdir(), 'barid-log-'))
afterAll(() => rm(dir, { recursive: true, force: true }))
const key: KeyPair = await generateKeyPair('Ed25519')
const resolveKey = (kid: Uint8Array) =>
  Buffer.from(kid).equals(Buffer.from(key.kid))
    ? { key: key.publicKey, owner: 'post.eg' }
    : undefined

let n = 0
function row(issuer: string): EvidenceRow {
  n++
  const record = new TextEncoder().encode(`record ${n} by ${issuer}`)
  return {
    id: nodeSha256(record).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
    letterId: `letter-${n}`,
    recipient: null,
    type: 'delivered',
    issuer,
    issuedAt: n,
    prev: null,
    record,
  }
}

function svcOf(storage: Storage, now = () => 1_800_000_000_000) {
  return { storage, keys: { evidence: key } as never, directory: { self: 'post.eg' } as never, now }
}

async function drain(log: { step(): Promise<number> }): Promise<void> {
  while ((await log.step()) > 0);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'accepted'
  } catch (e) {
    return e instanceof BaridError ? e.code : `not a BaridError: ${String(e)}`
  }
}

describe('the evidence log', () => {
  it('logs exactly this node’s records, in order, and proves each against a signed checkpoint', async () => {
    await using storage = createSqliteStorage({ file: ':memory:' })
    const log = await openEvidenceLog(svcOf(storage), { maxBatch: 3 })
    const rows = [
      row('post.eg'),
      row('digitalpost.dk'),
      row('post.eg'),
      row('post.eg'),
      row('post.eg'),
    ]
    await storage.addEvidence(rows)
    await drain(log)
    const mine = rows.filter((r) => r.issuer === 'post.eg')
    expect(log.size).toBe(mine.length)
    expect(await log.backlog()).toBe(0)
    expect(await storage.leafIndex(rows[1]!.id)).toBeUndefined()
    for (const [i, r] of mine.entries()) {
      const inc = (await log.inclusion(r.id))!
      expect(inc.proof.index).toBe(i)
      const cp = await verifyCheckpoint(inc.checkpoint.bytes, { resolveKey, logId: 'post.eg' })
      await verifyInclusion({
        leafHash: await leafHash(r.record),
        index: inc.proof.index,
        size: inc.proof.size,
        path: inc.proof.path,
        root: cp.root,
      })
    }
  })

  it('refuses any altered record, proof or checkpoint', async () => {
    await using storage = createSqliteStorage({ file: ':memory:' })
    const log = await openEvidenceLog(svcOf(storage))
    const rows = Array.from({ length: 9 }, () => row('post.eg'))
    await storage.addEvidence(rows)
    await drain(log)
    const target = rows[5]!
    const inc = (await log.inclusion(target.id))!
    const cp = await verifyCheckpoint(inc.checkpoint.bytes, { resolveKey })
    const verify = async (record: Uint8Array, path: readonly Uint8Array[], root: Uint8Array) =>
      verifyInclusion({ leafHash: await leafHash(record), index: 5, size: 9, path, root })
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
        const record = target.record.slice()
        record[at % record.length]! ^= 1 << bit
        expect(await codeOf(verify(record, inc.proof.path, cp.root))).toBe('ERR_PROOF_INVALID')
        const path = inc.proof.path.map((h) => h.slice())
        const h = path[at % path.length]!
        h[at % 32]! ^= 1 << bit
        expect(await codeOf(verify(target.record, path, cp.root))).toBe('ERR_PROOF_INVALID')
        const signed = inc.checkpoint.bytes.slice()
        signed[at % signed.length]! ^= 1 << bit
        expect(await codeOf(verifyCheckpoint(signed, { resolveKey }))).not.toBe('accepted')
      }),
      { numRuns: 30 },
    )
  })

  it('resumes after a restart without losing or repeating a record, and stays consistent', async () => {
    const file = join(dir, 'restart.db')
    const all: EvidenceRow[] = []
    let first: Uint8Array | undefined
    for (let round = 0; round < 3; round++) {
      await using storage = createSqliteStorage({ file })
      const log = await openEvidenceLog(svcOf(storage, () => 1_800_000_000_000 + round * 1000))
      const rows = Array.from({ length: 4 + round }, () => row('post.eg'))
      all.push(...rows)
      await storage.addEvidence(rows)
      // Stop half way in the first rounds: the rest is picked up after the restart.
      if (round < 2) await log.step()
      else await drain(log)
      first ??= (await log.latest())!.checkpoint.bytes
    }
    await using storage = createSqliteStorage({ file })
    const log = await openEvidenceLog(svcOf(storage, () => 1_800_000_010_000))
    expect(log.size).toBe(all.length)
    for (const [i, r] of all.entries()) expect(await storage.leafIndex(r.id)).toBe(i)
    const a = await verifyCheckpoint(first!, { resolveKey })
    const b = await verifyCheckpoint((await log.latest())!.checkpoint.bytes, { resolveKey })
    const proof = await log.consistency(a.size, b.size)
    await verifyConsistency({
      first: a.size,
      second: b.size,
      firstRoot: a.root,
      secondRoot: b.root,
      path: proof.path,
    })
    expect(await codeOf(log.consistency(1, b.size + 1))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(fromHex((await log.latest())!.checkpoint.digest)).toHaveLength(32)
  })
})
