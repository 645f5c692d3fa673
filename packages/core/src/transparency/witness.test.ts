import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  T0,
  buildLog,
  checkpointOf,
  makeParties,
  witnessOptionsOf,
  type Parties,
} from '../../test/transparency-keys.js'
import { flip, nodeSha256 } from '../../test/transparency-reference.js'
import type { KeyRole } from './envelope.js'
import { isPowerOfTwo } from './tree-math.js'
import { verifyForkStatement } from './fork-statement.js'
import type { MerkleLog } from './log.js'
import {
  signCosignature,
  verifyCosignature,
  witnessCheckpoint,
  type WitnessCheckpointOptions,
} from './witness.js'
import { codeOf } from '../../test/code-of.js'

let p: Parties
let honest: MerkleLog


const witnessOptions = (
  over: Partial<WitnessCheckpointOptions> & Pick<WitnessCheckpointOptions, 'next'>,
): WitnessCheckpointOptions => witnessOptionsOf(p, over)

beforeAll(async () => {
  p = await makeParties()
  honest = await buildLog(80)
})

describe('witnessing an honest log', () => {
  it('cosigns each checkpoint of a growing log, and each cosignature verifies over its checkpoint only', async () => {
    let held: Uint8Array | undefined
    let last: Awaited<ReturnType<typeof checkpointOf>> | undefined
    for (const [i, size] of [0, 3, 3, 10, 17, 32, 64, 80].entries()) {
      const next = await checkpointOf(honest, p.log, size, T0 + i)
      const proof = held === undefined ? [] : (await honest.consistencyProof(last!.size, size)).path
      const r = await witnessCheckpoint(witnessOptions({ previous: held, next: next.bytes, proof }))
      if (r.status !== 'cosigned') throw new Error(`size ${size} not cosigned`)
      const v = await verifyCosignature(r.cosignature, {
        checkpoint: r.checkpoint,
        resolveKey: p.resolve,
      })
      expect(v.witnessId).toBe('digitalpost.dk')
      if (last !== undefined && last.size !== size) {
        expect(
          await codeOf(() =>
            verifyCosignature(r.cosignature, { checkpoint: last!, resolveKey: p.resolve }),
          ),
        ).toBe('ERR_WITNESS_STATEMENT_INVALID')
      }
      held = r.checkpoint.bytes
      last = r.checkpoint
    }
  })

  it('never reports a fork for any honest pair of checkpoints', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 0, max: 80 }),
        async (a, b) => {
          const [m, n] = a <= b ? [a, b] : [b, a]
          const previous = await checkpointOf(honest, p.log, m, T0)
          const next = await checkpointOf(honest, p.log, n, T0 + 1)
          const r = await witnessCheckpoint(
            witnessOptions({
              previous: previous.bytes,
              next: next.bytes,
              proof: (await honest.consistencyProof(m, n)).path,
            }),
          )
          expect(r.status).toBe('cosigned')
        },
      ),
      { numRuns: 40 },
    )
  })

  it('refuses a checkpoint older than the one held, without signing anything', async () => {
    const held = await checkpointOf(honest, p.log, 10, T0 + 10)
    const older = await checkpointOf(honest, p.log, 5, T0 + 5)
    const sameButOlder = await checkpointOf(honest, p.log, 10, T0 + 9)
    expect(
      await codeOf(() =>
        witnessCheckpoint(witnessOptions({ previous: held.bytes, next: older.bytes })),
      ),
    ).toBe('ERR_CHECKPOINT_STALE')
    expect(
      await codeOf(() =>
        witnessCheckpoint(witnessOptions({ previous: held.bytes, next: sameButOlder.bytes })),
      ),
    ).toBe('ERR_CHECKPOINT_STALE')
  })

  it('refuses a proof that proves nothing either way, and a proof with equal sizes', async () => {
    const held = await checkpointOf(honest, p.log, 10, T0)
    const next = await checkpointOf(honest, p.log, 20, T0 + 1)
    const good = (await honest.consistencyProof(10, 20)).path
    const garbage = good.map((h) => flip(h, 0))
    expect(
      await codeOf(() =>
        witnessCheckpoint(
          witnessOptions({ previous: held.bytes, next: next.bytes, proof: garbage }),
        ),
      ),
    ).toBe('ERR_PROOF_INVALID')
    expect(
      await codeOf(() =>
        witnessCheckpoint(
          witnessOptions({ previous: held.bytes, next: next.bytes, proof: good.slice(1) }),
        ),
      ),
    ).toBe('ERR_PROOF_INVALID')
    expect(
      await codeOf(() =>
        witnessCheckpoint(witnessOptions({ previous: held.bytes, next: held.bytes, proof: good })),
      ),
    ).toBe('ERR_PROOF_INVALID')
  })

  it('refuses a checkpoint from the future, a previous one from another log, and a log witnessing itself', async () => {
    const next = await checkpointOf(honest, p.log, 10, T0 + 2000)
    expect(await codeOf(() => witnessCheckpoint(witnessOptions({ next: next.bytes })))).toBe(
      'ERR_CHECKPOINT_INVALID',
    )
    const fine = await checkpointOf(honest, p.log, 10, T0)
    const otherLog = await checkpointOf(honest, { ...p.witness2, roles: ['log'] }, 5, T0)
    const resolveKey = (kid: Uint8Array, role: KeyRole) =>
      p.resolve(kid, role) ?? p.resolve(kid, 'witness')
    expect(
      await codeOf(() =>
        witnessCheckpoint(
          witnessOptions({ previous: otherLog.bytes, next: fine.bytes, resolveKey }),
        ),
      ),
    ).toBe('ERR_CHECKPOINT_INVALID')
    expect(
      await codeOf(() =>
        witnessCheckpoint(witnessOptions({ next: fine.bytes, witnessId: 'post.eg' })),
      ),
    ).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('witnessing a log that forks or rewrites its history', () => {
  it('signs a same-size fork statement for two roots of one size', async () => {
    const forked = await buildLog(40, { rewrite: 7 })
    const a = await checkpointOf(honest, p.log, 40, T0)
    const b = await checkpointOf(forked, p.log, 40, T0 + 1)
    const r = await witnessCheckpoint(witnessOptions({ previous: a.bytes, next: b.bytes }))
    if (r.status !== 'fork') throw new Error('fork not detected')
    expect(r.kind).toBe('same-size')
    const v = await verifyForkStatement(r.fork, { resolveKey: p.resolve })
    expect(v).toMatchObject({
      kind: 'same-size',
      logId: 'post.eg',
      witnessId: 'digitalpost.dk',
      time: T0 + 1000,
    })
    expect(v.a.bytes).toEqual(a.bytes)
    expect(v.b.bytes).toEqual(b.bytes)
  })

  it('signs a rollback fork statement for a later checkpoint of fewer leaves', async () => {
    const a = await checkpointOf(honest, p.log, 40, T0)
    const b = await checkpointOf(honest, p.log, 30, T0 + 1)
    const r = await witnessCheckpoint(witnessOptions({ previous: a.bytes, next: b.bytes }))
    if (r.status !== 'fork') throw new Error('rollback not detected')
    expect(r.kind).toBe('rollback')
    expect((await verifyForkStatement(r.fork, { resolveKey: p.resolve })).kind).toBe('rollback')
  })

  it("detects every rewrite of an old leaf from the new branch's own consistency proof", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.nat(),
        async (m, grow, at) => {
          const n = m + grow
          const forked = await buildLog(n, { rewrite: at % m })
          const a = await checkpointOf(honest, p.log, m, T0)
          const b = await checkpointOf(forked, p.log, n, T0 + 1)
          const proof = (await forked.consistencyProof(m, n)).path
          // With the log's own root for the old size, the fork is always provable.
          const r = await witnessCheckpoint(
            witnessOptions({
              previous: a.bytes,
              next: b.bytes,
              proof,
              prefixRoot: await forked.root(m),
            }),
          )
          if (r.status !== 'fork')
            throw new Error(`rewrite of leaf ${at % m} in ${m} -> ${n} not detected`)
          expect(r.kind).toBe('proof')
          expect(
            (await verifyForkStatement(r.fork, { resolveKey: p.resolve, sha256: nodeSha256 })).kind,
          ).toBe('proof')
          // Without it, the path alone proves the fork unless the old size is a power of two.
          const bare = await codeOf(
            async () =>
              (await witnessCheckpoint(witnessOptions({ previous: a.bytes, next: b.bytes, proof })))
                .status,
          )
          expect(bare).toBe(isPowerOfTwo(m) ? 'ERR_PROOF_INVALID' : 'accepted')
        },
      ),
      { numRuns: 40 },
    )
  })

  it('does not take a prefix root that the path does not prove as evidence', async () => {
    const forked = await buildLog(20, { rewrite: 1 })
    const a = await checkpointOf(honest, p.log, 8, T0)
    const b = await checkpointOf(forked, p.log, 20, T0 + 1)
    const proof = (await forked.consistencyProof(8, 20)).path
    const made = await codeOf(() =>
      witnessCheckpoint(
        witnessOptions({ previous: a.bytes, next: b.bytes, proof, prefixRoot: new Uint8Array(32) }),
      ),
    )
    expect(made).toBe('ERR_PROOF_INVALID')
  })
})

describe('cosignatures', () => {
  it("are refused when any byte is changed, when signed by a key not the witness's, and when unknown", async () => {
    const cp = await checkpointOf(honest, p.log, 12, T0)
    const cosig = await signCosignature({
      checkpoint: cp,
      witnessId: p.witness2.id,
      witnessKey: p.witness2.keys,
      time: T0,
    })
    expect(
      (await verifyCosignature(cosig, { checkpoint: cp, resolveKey: p.resolve })).witnessId,
    ).toBe('witness.example')
    for (let i = 0; i < cosig.length; i++) {
      expect(
        await codeOf(() =>
          verifyCosignature(flip(cosig, i), { checkpoint: cp, resolveKey: p.resolve }),
        ),
        `byte ${i}`,
      ).not.toBe('accepted')
    }
    const claimsOther = await signCosignature({
      checkpoint: cp,
      witnessId: p.witness.id,
      witnessKey: p.witness2.keys,
      time: T0,
    })
    expect(
      await codeOf(() => verifyCosignature(claimsOther, { checkpoint: cp, resolveKey: p.resolve })),
    ).toBe('ERR_WITNESS_STATEMENT_INVALID')
    const byLogKey = await signCosignature({
      checkpoint: cp,
      witnessId: p.log.id,
      witnessKey: p.log.keys,
      time: T0,
    })
    expect(
      await codeOf(() => verifyCosignature(byLogKey, { checkpoint: cp, resolveKey: p.resolve })),
    ).toBe('ERR_KEY_NOT_FOUND')
  })
})
