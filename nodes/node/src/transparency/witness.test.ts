import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  generateKeyPair,
  signLogReset,
  toHex,
  verifyForkStatement,
  type KeyPair,
  type KeyRole,
} from '../core.js'
import { createSqliteStorage } from '../storage/sqlite-storage.js'
import type { Storage } from '../storage/storage.js'
import type { EvidenceRow } from '../storage/types.js'
import { nodeSha256, openEvidenceLog, type EvidenceLog } from './evidence-log.js'
import { witnessOnce, type LogSource, type WitnessDeps } from './witness.js'

const logKey: KeyPair = await generateKeyPair('Ed25519')
const witnessKey: KeyPair = await generateKeyPair('Ed25519')
const governanceKey: KeyPair = await generateKeyPair('Ed25519')
const resolveKey = (kid: Uint8Array, role: KeyRole) =>
  role === 'governance'
    ? toHex(kid) === toHex(governanceKey.kid)
      ? { key: governanceKey.publicKey, owner: 'barid' }
      : undefined
    : toHex(kid) === toHex(logKey.kid)
    ? { key: logKey.publicKey, owner: 'post.eg' }
    : toHex(kid) === toHex(witnessKey.kid)
      ? { key: witnessKey.publicKey, owner: 'digitalpost.dk' }
      : undefined
const silent = { warn() {}, error() {}, info() {} }

function rows(tags: readonly string[]): EvidenceRow[] {
  return tags.map((t, i) => {
    const record = new TextEncoder().encode(`record ${i}: ${t}`)
    return {
      id: toHex(nodeSha256(record)),
      letterId: `l${i}`,
      recipient: null,
      type: 'delivered',
      issuer: 'post.eg',
      issuedAt: i,
      prev: null,
      record,
    }
  })
}

/** A log node: its storage and log, with `records` stored and logged, signed at `time` (s). */
async function logNode(
  records: EvidenceRow[],
  time: number,
): Promise<{ storage: Storage; log: EvidenceLog }> {
  const storage = createSqliteStorage({ file: ':memory:' })
  await storage.addEvidence(records)
  const log = await openEvidenceLog({
    storage,
    keys: { evidence: logKey } as never,
    directory: { self: 'post.eg' } as never,
    now: () => time * 1000,
  })
  while ((await log.step()) > 0);
  return { storage, log }
}

function source(n: { storage: Storage; log: EvidenceLog }): LogSource {
  return {
    log: 'post.eg',
    checkpoint: async () => (await n.log.latest())!.checkpoint.bytes,
    consistency: async (a, b) => [...(await n.log.consistency(a, b)).path],
    root: (size) => n.log.root(size),
    reset: async (epoch) => (await n.storage.listLogResets()).find((r) => r.epoch === epoch)?.bytes,
    cosigned: (digest, c) => n.storage.putCosignature(digest, 'digitalpost.dk', 0, c),
  }
}

function witness(storage: Storage, time: number): WitnessDeps {
  return {
    storage,
    self: 'digitalpost.dk',
    key: () => witnessKey,
    resolveKey,
    now: () => time * 1000,
    log: silent,
  }
}

const T0 = 1_800_000_000

describe('witnessing a peer’s log', () => {
  it('cosigns a log that only grows, and hands the cosignature back to it', async () => {
    await using w = createSqliteStorage({ file: ':memory:' })
    const tags = fc.sample(fc.string(), { numRuns: 12, seed: 7 })
    for (const [i, n] of [1, 2, 4, 7, 12].entries()) {
      const node = await logNode(rows(tags.slice(0, n)), T0 + i)
      await using _ = node.storage
      expect(await witnessOnce(witness(w, T0 + i), source(node))).toEqual({
        status: 'cosigned',
        size: n,
      })
      expect((await node.log.latest())!.cosignatures).toHaveLength(1)
    }
  })

  it('proves a fork whenever the node rewrote a record it had logged, whatever the new size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: -5, max: 10 }),
        async (tags, at, grow) => {
          await using w = createSqliteStorage({ file: ':memory:' })
          const before = await logNode(rows(tags), T0)
          await using _b = before.storage
          expect((await witnessOnce(witness(w, T0), source(before))).status).toBe('cosigned')
          // The rewrite: one logged record replaced, then the log shrinks or grows.
          const changed = [...tags]
          changed[at % tags.length] = `${changed[at % tags.length]} (rewritten)`
          const size = Math.max(1, Math.min(tags.length + grow, 30))
          const rewritten = [...changed, ...tags].slice(0, size)
          while (rewritten.length < size) rewritten.push(`extra ${rewritten.length}`)
          const after = await logNode(rows(rewritten), T0 + 10)
          await using _a = after.storage
          const r = await witnessOnce(witness(w, T0 + 10), source(after))
          // A later, smaller tree is a rollback; otherwise the roots or the proof disagree.
          if (size < tags.length) expect(r.status === 'fork' && r.kind).toBe('rollback')
          else expect(r.status === 'fork' && r.kind).toMatch(/^(same-size|proof)$/)
          if (r.status !== 'fork') return
          const statement = await verifyForkStatement(r.statement, {
            resolveKey,
            sha256: nodeSha256,
          })
          expect(statement.logId).toBe('post.eg')
          // A forked log is cosigned no more (spec 16.6 rule 7).
          expect((await witnessOnce(witness(w, T0 + 20), source(after))).status).toBe('skipped')
          expect(await w.listForkStatements()).toHaveLength(1)
        },
      ),
      { numRuns: 25 },
    )
  })

  it('cosigns a restored log again once it goes on as a new epoch under the governance reset, and only then', async () => {
    await using w = createSqliteStorage({ file: ':memory:' })
    const tags = fc.sample(fc.string(), { numRuns: 20, seed: 11 })
    const lost = await logNode(rows(tags), T0)
    await using _l = lost.storage
    expect((await witnessOnce(witness(w, T0), source(lost))).status).toBe('cosigned')
    // Restored from a backup of 12 records, then 5 new ones: a rollback to the witness.
    const fresh = ['n1', 'n2', 'n3', 'n4', 'n5']
    const restored = await logNode(rows([...tags.slice(0, 12), ...fresh]), T0 + 60)
    await using _r = restored.storage
    expect(await witnessOnce(witness(w, T0 + 60), source(restored))).toMatchObject({
      status: 'fork',
      kind: 'rollback',
    })
    expect((await witnessOnce(witness(w, T0 + 70), source(restored))).status).toBe('skipped')
    const reset = {
      logId: 'post.eg',
      epoch: 1,
      time: T0 + 80,
      restored: { size: 12, root: await restored.log.root(12) },
    }
    // The log signing its own reset is refused by the node before any witness sees it.
    const own = await signLogReset(reset, logKey)
    await expect(restored.log.installReset(own, resolveKey)).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    })
    const wrongTree = { ...reset, restored: { size: 12, root: await lost.log.root(13) } }
    await expect(
      restored.log.installReset(await signLogReset(wrongTree, governanceKey), resolveKey),
    ).rejects.toMatchObject({ code: 'ERR_LOG_RESET_INVALID' })
    const signed = await signLogReset(reset, governanceKey)
    const { checkpoint: cp } = await restored.log.installReset(signed, resolveKey)
    expect(cp.size).toBe(17)
    await expect(restored.log.installReset(signed, resolveKey)).rejects.toMatchObject({
      code: 'ERR_LOG_RESET_INVALID',
    })
    expect(await witnessOnce(witness(w, T0 + 90), source(restored))).toEqual({
      status: 'cosigned',
      size: 17,
    })
    expect((await w.getWitnessView('post.eg'))!.forkedAt).toBe(null)
    // The fork statement stays: the reset does not undo what happened.
    expect(await w.listForkStatements()).toHaveLength(1)
    expect((await restored.log.latest())!.cosignatures).toHaveLength(1)
  })
})
