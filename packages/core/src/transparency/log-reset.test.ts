import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { codeOf } from '../../test/code-of.js'
import {
  T0,
  buildLog,
  checkpointOf,
  makeParties,
  witnessOptionsOf,
  type Parties,
} from '../../test/transparency-keys.js'
import { flip, makeLeaves, nodeSha256 } from '../../test/transparency-reference.js'
import { signEnvelope, TRANSPARENCY_TYPE } from './envelope.js'
import { assertCheckpointsConsistent, checkForkEvidence } from './consistency.js'
import { EMPTY_ROOT } from './hash.js'
import type { MerkleLog } from './log.js'
import { signLogReset, verifyLogReset, type LogReset } from './log-reset.js'
import { witnessCheckpoint, type WitnessCheckpointOptions } from './witness.js'

let p: Parties
/** The log as it was before the loss: 80 leaves, witnessed at 80. */
let lost: MerkleLog
/** The log restored from a backup of its first 50 leaves, then grown to 64 with new ones. */
let restored: MerkleLog
let reset: LogReset

beforeAll(async () => {
  p = await makeParties()
  lost = await buildLog(80)
  restored = await buildLog(50)
  await restored.append(makeLeaves(14, 9))
  reset = {
    logId: 'post.eg',
    epoch: 1,
    time: T0 + 500,
    restored: { size: 50, root: await restored.root(50) },
    reason: 'restored from the backup of 2026-01-01T00:05Z',
  }
})

const witnessOptions = (
  over: Partial<WitnessCheckpointOptions> & Pick<WitnessCheckpointOptions, 'next'>,
): WitnessCheckpointOptions => witnessOptionsOf(p, over)

describe('log resets', () => {
  it('verifies a reset the governance signed and returns what it declares', async () => {
    const bytes = await signLogReset(reset, p.governance.keys)
    const v = await verifyLogReset(bytes, { resolveKey: p.resolve, logId: 'post.eg', epoch: 1 })
    expect(v).toMatchObject({ logId: 'post.eg', epoch: 1, time: T0 + 500, reason: reset.reason })
    expect(v.restored).toEqual(reset.restored)
    expect(v.federation).toBe('barid-federation')
    const { reason: _, ...bare } = reset
    const signedBare = await signLogReset(bare, p.governance.keys)
    expect((await verifyLogReset(signedBare, { resolveKey: p.resolve })).reason).toBe(undefined)
  })

  it('is refused when any byte of it is changed', async () => {
    const bytes = await signLogReset(reset, p.governance.keys)
    for (let i = 0; i < bytes.length; i++) {
      const code = await codeOf(() => verifyLogReset(flip(bytes, i), { resolveKey: p.resolve }))
      expect(code, `byte ${i}`).toMatch(/^ERR_/)
    }
  })

  it('is refused when signed by a log or witness key, or for another log or epoch', async () => {
    for (const party of [p.log, p.witness]) {
      const bytes = await signLogReset(reset, party.keys)
      expect(await codeOf(() => verifyLogReset(bytes, { resolveKey: p.resolve }))).toBe(
        'ERR_KEY_NOT_FOUND',
      )
    }
    // A resolver that does not tell roles apart still cannot make a log declare its own reset.
    const roleBlind = (kid: Uint8Array) =>
      p.resolve(kid, 'log') ?? p.resolve(kid, 'witness') ?? p.resolve(kid, 'governance')
    const own = await signLogReset(reset, p.log.keys)
    expect(await codeOf(() => verifyLogReset(own, { resolveKey: roleBlind }))).toBe(
      'ERR_LOG_RESET_INVALID',
    )
    const bytes = await signLogReset(reset, p.governance.keys)
    expect(
      await codeOf(() => verifyLogReset(bytes, { resolveKey: p.resolve, logId: 'digitalpost.dk' })),
    ).toBe('ERR_LOG_RESET_INVALID')
    expect(await codeOf(() => verifyLogReset(bytes, { resolveKey: p.resolve, epoch: 2 }))).toBe(
      'ERR_LOG_RESET_INVALID',
    )
    const asCheckpoint = (
      await signEnvelope(new Map([['v', 1]]), TRANSPARENCY_TYPE.checkpoint, p.governance.keys)
    ).bytes
    expect(await codeOf(() => verifyLogReset(asCheckpoint, { resolveKey: p.resolve }))).toBe(
      'ERR_LOG_RESET_INVALID',
    )
  })

  it('is refused when the payload breaks the format, though validly signed', async () => {
    const base = {
      v: 1,
      log: 'post.eg',
      epoch: 1,
      time: T0,
      restored: new Map<string, unknown>([
        ['size', 50],
        ['root', reset.restored.root],
      ]),
    }
    const cases: [Record<string, unknown>, string][] = [
      [{ v: 2 }, 'ERR_UNSUPPORTED_VERSION'],
      [{ epoch: 0 }, 'ERR_LOG_RESET_INVALID'],
      [{ extra: true }, 'ERR_LOG_RESET_INVALID'],
      [{ log: 'nope' }, 'ERR_LOG_RESET_INVALID'],
      [{ reason: 'x'.repeat(257) }, 'ERR_LOG_RESET_INVALID'],
      [
        { restored: new Map<string, unknown>([['size', 0], ['root', reset.restored.root]]) },
        'ERR_LOG_RESET_INVALID',
      ],
      [{ restored: new Map([['size', 5]]) }, 'ERR_LOG_RESET_INVALID'],
      [
        { restored: new Map<string, unknown>([['size', 5], ['root', EMPTY_ROOT], ['x', 1]]) },
        'ERR_LOG_RESET_INVALID',
      ],
    ]
    for (const [over, code] of cases) {
      const payload = new Map(Object.entries({ ...base, ...over })) as never
      const bytes = (await signEnvelope(payload, TRANSPARENCY_TYPE.logReset, p.governance.keys))
        .bytes
      expect(await codeOf(() => verifyLogReset(bytes, { resolveKey: p.resolve })), JSON.stringify(Object.keys(over))).toBe(
        code,
      )
    }
  })

  it('refuses to sign a reset the format cannot carry', async () => {
    for (const over of [
      { epoch: 0 },
      { logId: 'Post.EG' },
      { restored: { size: 0, root: reset.restored.root } },
      { restored: { size: 50, root: new Uint8Array(31) } },
      { reason: 'x'.repeat(257) },
    ])
      expect(await codeOf(() => signLogReset({ ...reset, ...over }, p.governance.keys))).toBe(
        'ERR_INVALID_ARGUMENT',
      )
  })
})

describe('witnessing a log that was reset', () => {
  it('proves a fork when a restored log goes on in the same epoch', async () => {
    const held = await checkpointOf(lost, p.log, 80, T0)
    const after = await checkpointOf(restored, p.log, 64, T0 + 600)
    const r = await witnessCheckpoint(witnessOptions({ previous: held.bytes, next: after.bytes }))
    expect(r).toMatchObject({ status: 'fork', kind: 'rollback' })
  })

  it('cosigns the first checkpoint of the new epoch with the governance reset and a proof from its restored tree', async () => {
    const held = await checkpointOf(lost, p.log, 80, T0)
    const next = await checkpointOf(restored, p.log, 64, T0 + 600, 1)
    const proof = (await restored.consistencyProof(50, 64)).path
    const bytes = await signLogReset(reset, p.governance.keys)
    const r = await witnessCheckpoint(
      witnessOptions({ previous: held.bytes, next: next.bytes, proof, reset: bytes }),
    )
    expect(r.status).toBe('cosigned')
    if (r.status !== 'cosigned') return
    expect(r.checkpoint.epoch).toBe(1)
    // From there the new epoch is witnessed as any log; the old epoch is stale.
    const older = await checkpointOf(lost, p.log, 80, T0 + 700)
    expect(
      await codeOf(() =>
        witnessCheckpoint(witnessOptions({ previous: r.checkpoint.bytes, next: older.bytes })),
      ),
    ).toBe('ERR_CHECKPOINT_STALE')
  })

  it('refuses a new epoch without a reset, with a reset for another epoch or log, or one it does not extend', async () => {
    const held = await checkpointOf(lost, p.log, 80, T0)
    const next = await checkpointOf(restored, p.log, 64, T0 + 600, 1)
    const proof = (await restored.consistencyProof(50, 64)).path
    const attempt = (over: Partial<WitnessCheckpointOptions>) =>
      codeOf(() =>
        witnessCheckpoint(witnessOptions({ previous: held.bytes, next: next.bytes, proof, ...over })),
      )
    expect(await attempt({})).toBe('ERR_LOG_RESET_INVALID')
    expect(await attempt({ reset: await signLogReset({ ...reset, epoch: 2 }, p.governance.keys) })).toBe(
      'ERR_LOG_RESET_INVALID',
    )
    expect(
      await attempt({ reset: await signLogReset({ ...reset, logId: 'witness.example' }, p.governance.keys) }),
    ).toBe('ERR_LOG_RESET_INVALID')
    // The log signing its own reset is no reset.
    expect(await attempt({ reset: await signLogReset(reset, p.log.keys) })).toBe('ERR_KEY_NOT_FOUND')
    const otherTree = await buildLog(50, { tag: 3 })
    const notExtended = { ...reset, restored: { size: 50, root: await otherTree.root(50) } }
    expect(await attempt({ reset: await signLogReset(notExtended, p.governance.keys) })).toBe(
      'ERR_PROOF_INVALID',
    )
    expect(await attempt({ reset: await signLogReset(reset, p.governance.keys) })).toBe('accepted')
    const larger = { ...reset, restored: { size: 70, root: await lost.root(70) } }
    expect(await attempt({ reset: await signLogReset(larger, p.governance.keys) })).toBe(
      'ERR_LOG_RESET_INVALID',
    )
  })

  it('asks for the reset of a later epoch even at first contact', async () => {
    const next = await checkpointOf(restored, p.log, 64, T0 + 600, 1)
    const proof = (await restored.consistencyProof(50, 64)).path
    const first = (over: Partial<WitnessCheckpointOptions>) =>
      codeOf(() => witnessCheckpoint(witnessOptions({ next: next.bytes, ...over })))
    expect(await first({})).toBe('ERR_LOG_RESET_INVALID')
    expect(await first({ proof, reset: await signLogReset(reset, p.governance.keys) })).toBe(
      'accepted',
    )
  })

  it('keeps fork statements and consistency checks within one epoch', async () => {
    const a = await checkpointOf(lost, p.log, 80, T0)
    const b = await checkpointOf(restored, p.log, 64, T0 + 600, 1)
    expect(
      await codeOf(() => checkForkEvidence({ kind: 'rollback', a, b }, { sha256: nodeSha256 })),
    ).toBe('ERR_WITNESS_STATEMENT_INVALID')
    expect(await codeOf(() => assertCheckpointsConsistent(a, b, []))).toBe('accepted')
    const sameEpoch = await checkpointOf(restored, p.log, 64, T0 + 600)
    expect(await codeOf(() => assertCheckpointsConsistent(a, sameEpoch, []))).toBe(
      'ERR_LOG_INCONSISTENT',
    )
  })

  it('never cosigns a new epoch under any reset but the governance one for it (property)', async () => {
    const held = await checkpointOf(lost, p.log, 80, T0)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 64 }),
        fc.constantFrom('governance', 'log', 'witness'),
        async (epoch, resetEpoch, restoredSize, signer) => {
          const next = await checkpointOf(restored, p.log, 64, T0 + 600, epoch)
          const r: LogReset = {
            ...reset,
            epoch: resetEpoch,
            restored: { size: restoredSize, root: await restored.root(restoredSize) },
          }
          const keys = p[signer].keys
          const proof = (await restored.consistencyProof(restoredSize, 64)).path
          const signed = await signLogReset(r, keys)
          const code = await codeOf(() =>
            witnessCheckpoint(
              witnessOptions({ previous: held.bytes, next: next.bytes, proof, reset: signed }),
            ),
          )
          const valid = signer === 'governance' && epoch === resetEpoch
          expect(code === 'accepted').toBe(valid)
        },
      ),
      { numRuns: 40 },
    )
  })
})
