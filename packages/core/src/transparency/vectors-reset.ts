/**
 * @module transparency/vectors-reset
 * The `resets` part of spec/vectors/transparency.json (spec/16 section 16.12): a log restored
 * from a backup of its first 6 leaves goes on as epoch 1; the governance's reset, the first
 * checkpoint of the epoch, and the proof from the restored tree, which a witness holding the
 * old epoch's 8-leaf checkpoint must accept together; and resets a verifier must refuse.
 */
import { toHex } from '../bytes.js'
import type { CborKey, CborValue } from '../cbor/index.js'
import { signCheckpoint, type SignedCheckpoint } from './checkpoint.js'
import { signEnvelope, TRANSPARENCY_TYPE, type KeyResolver } from './envelope.js'
import { signLogReset, verifyLogReset, type LogReset } from './log-reset.js'
import type { MerkleLog } from './log.js'
import { hexPath, mustFail, T0 } from './vectors-merkle.js'
import type { VectorKey } from './vectors-signed.js'
import { witnessCheckpoint } from './witness.js'

/** The `resets` section: `held` is the old epoch's checkpoint a witness holds. */
export async function resetVectors(
  restoredLog: MerkleLog,
  held: SignedCheckpoint,
  keys: { log: VectorKey; witness: VectorKey; governance: VectorKey },
  resolveKey: KeyResolver,
): Promise<Record<string, unknown>> {
  const restoredSize = 6
  const reset: LogReset = {
    logId: 'post.eg',
    epoch: 1,
    time: T0 + 300,
    restored: { size: restoredSize, root: await restoredLog.root(restoredSize) },
    reason: 'restored from a backup of 6 leaves',
  }
  const resetBytes = await signLogReset(reset, keys.governance.pair)
  const next = await signCheckpoint(
    { logId: 'post.eg', size: 8, root: await restoredLog.root(8), time: T0 + 360, epoch: 1 },
    keys.log.pair,
  )
  const proof = (await restoredLog.consistencyProof(restoredSize, 8)).path
  const judged = await witnessCheckpoint({
    previous: held.bytes,
    next: next.bytes,
    proof,
    reset: resetBytes,
    witnessId: keys.witness.operator,
    witnessKey: keys.witness.pair,
    resolveKey,
    now: T0 + 400,
  })
  if (judged.status !== 'cosigned') throw new Error('vector: the new epoch is not cosigned')
  const raw = async (fields: [CborKey, CborValue][], by: VectorKey) =>
    (await signEnvelope(new Map(fields), TRANSPARENCY_TYPE.logReset, by.pair)).bytes
  const fields = (over: Record<string, CborValue>): [CborKey, CborValue][] =>
    Object.entries({
      v: 1,
      log: 'post.eg',
      epoch: 1,
      time: T0 + 300,
      restored: new Map<CborKey, CborValue>([
        ['size', restoredSize],
        ['root', reset.restored.root],
      ]),
      ...over,
    })
  const bad: [string, string, Uint8Array][] = [
    ['signed by the log key itself', 'ERR_KEY_NOT_FOUND', await signLogReset(reset, keys.log.pair)],
    ['epoch 0', 'ERR_LOG_RESET_INVALID', await raw(fields({ epoch: 0 }), keys.governance)],
    ['an unknown field', 'ERR_LOG_RESET_INVALID', await raw(fields({ x: 1 }), keys.governance)],
  ]
  const invalid: unknown[] = []
  for (const [description, reason, bytes] of bad) {
    invalid.push({
      description,
      hex: toHex(bytes),
      reason: await mustFail(reason, description, () => verifyLogReset(bytes, { resolveKey })),
    })
  }
  const withoutReset = await mustFail('ERR_LOG_RESET_INVALID', 'new epoch without reset', () =>
    witnessCheckpoint({
      previous: held.bytes,
      next: next.bytes,
      proof,
      witnessId: keys.witness.operator,
      witnessKey: keys.witness.pair,
      resolveKey,
      now: T0 + 400,
    }),
  )
  return {
    valid: [
      {
        description:
          'post.eg, witnessed at 8 leaves (`held`), restored from a backup of its first 6 and grown ' +
          'to 8 other leaves, goes on as epoch 1: a witness holding `held` cosigns `next` given ' +
          '`reset` and `proof` (from the restored size to next.size); without `reset`, ' +
          `${withoutReset}; in epoch 0 the same checkpoint is a rollback or proof fork.`,
        hex: toHex(resetBytes),
        log: reset.logId,
        epoch: reset.epoch,
        time: reset.time,
        restored: { size: reset.restored.size, root: toHex(reset.restored.root) },
        reason: reset.reason,
        held: toHex(held.bytes),
        next: toHex(next.bytes),
        nextDigest: toHex(next.digest),
        proof: hexPath(proof),
      },
    ],
    invalid,
  }
}
