/**
 * @module transparency/witness
 * Witnessing (spec/16 section 16.6): a witness holds the last checkpoint it accepted from a log,
 * and for each new one either cosigns it, after checking it is consistent with the one held, or
 * signs a fork statement. A cosignature is a COSE_Sign1 by the witness over
 * `{"v": 1, "witness", "checkpoint": digest, "time"}`, where the digest is SHA-256 of the
 * checkpoint's payload bytes.
 */
import { isOperatorId } from '../address/operator-id.js'
import { bytesEqual } from '../bytes.js'
import type { CborKey, CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import {
  DEFAULT_MAX_CLOCK_SKEW,
  MAX_TIME,
  TRANSPARENCY_VERSION,
  verifyCheckpoint,
  type SignedCheckpoint,
} from './checkpoint.js'
import { classifyCheckpoints, type ClassifyOptions, type ForkKind } from './consistency.js'
import {
  openPayload,
  signEnvelope,
  TRANSPARENCY_TYPE,
  type KeyResolver,
  type TransparencySigner,
} from './envelope.js'
import { signForkStatement } from './fork-statement.js'
import { HASH_SIZE } from './hash.js'
import { verifyLogReset } from './log-reset.js'
import { verifyConsistency } from './verify-proof.js'

/** Largest signed cosignature accepted, in bytes. */
export const COSIGNATURE_MAX_BYTES = 1024

const CODE = 'ERR_WITNESS_STATEMENT_INVALID'
const FIELDS: readonly CborKey[] = ['v', 'witness', 'checkpoint', 'time']

/** Options for {@link witnessCheckpoint}. */
export interface WitnessCheckpointOptions extends ClassifyOptions {
  /** The signed checkpoint this witness last accepted from the log; absent on first contact. */
  previous?: Uint8Array
  /** The signed checkpoint just fetched. */
  next: Uint8Array
  /**
   * The consistency path from `previous`'s size to `next`'s (empty when sizes are equal or on
   * first contact); when `next` is of a later epoch, from the reset's restored size to `next`'s.
   */
  proof: readonly Uint8Array[]
  /**
   * The governance's log reset for `next`'s epoch (spec/16 section 16.12), needed when `next` is
   * of a later epoch than `previous`. Verified with `resolveKey`, role `governance`.
   */
  reset?: Uint8Array
  /** The witness's operator id. */
  witnessId: string
  /** The witness's signing key. */
  witnessKey: TransparencySigner
  /** Finds the log's keys (role `log`). */
  resolveKey: KeyResolver
  /** Current time, in seconds. */
  now: number
  /** Seconds the log's clock may run ahead. Default 300. */
  maxClockSkew?: number
}

/** The outcome of {@link witnessCheckpoint}. */
export type WitnessResult =
  | {
      readonly status: 'cosigned'
      /** The signed cosignature, to return to the log and to keep. */
      readonly cosignature: Uint8Array
      /** The verified checkpoint: the witness's new `previous`. */
      readonly checkpoint: SignedCheckpoint
    }
  | {
      readonly status: 'fork'
      /** The signed fork statement, to publish and report. */
      readonly fork: Uint8Array
      readonly kind: ForkKind
    }

/**
 * Verifies `next`, judges it against `previous`, and cosigns it or signs a fork statement.
 * Throws `ERR_CHECKPOINT_STALE` for a checkpoint older than `previous` (neither is signed), or of
 * an earlier epoch; `ERR_LOG_RESET_INVALID` for one of a later epoch without a valid reset for it;
 * `ERR_PROOF_INVALID` for a proof that proves nothing either way (retry later; report if it
 * persists), and the errors of {@link verifyCheckpoint}.
 *
 * @example
 * ```ts
 * const r = await witnessCheckpoint({ previous: held, next, proof, witnessId: 'digitalpost.dk', witnessKey, resolveKey, now })
 * if (r.status === 'cosigned') held = r.checkpoint.bytes
 * else publishFork(r.fork)
 * ```
 */
export async function witnessCheckpoint(options: WitnessCheckpointOptions): Promise<WitnessResult> {
  const { witnessId, witnessKey, resolveKey, now } = options
  if (!isOperatorId(witnessId))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'witness id must be an operator id')
  if (!Number.isSafeInteger(now) || now < 0 || now > MAX_TIME)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'now is out of range')
  const maxClockSkew = options.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW
  const next = await verifyCheckpoint(options.next, { resolveKey, now, maxClockSkew })
  if (next.logId === witnessId)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'a log cannot witness itself')
  if (options.previous !== undefined) {
    const previous = await verifyCheckpoint(options.previous, { resolveKey, logId: next.logId })
    if (next.epoch < previous.epoch) {
      throw new BaridError('ERR_CHECKPOINT_STALE', 'checkpoint is of an earlier epoch of the log', {
        details: { held: previous.epoch, got: next.epoch },
      })
    }
    if (next.epoch > previous.epoch) {
      await checkReset(next, options)
      const cosignature = await signCosignature({
        checkpoint: next,
        witnessId,
        witnessKey,
        time: now,
      })
      return { status: 'cosigned', cosignature, checkpoint: next }
    }
    const relation = await classifyCheckpoints(previous, next, options.proof, options)
    if (relation.status === 'stale') {
      throw new BaridError('ERR_CHECKPOINT_STALE', 'checkpoint is older than the one held', {
        details: { held: previous.size, got: next.size },
      })
    }
    if (relation.status === 'fork') {
      const fork = await signForkStatement({
        evidence: relation.evidence,
        witnessId,
        witnessKey,
        time: now,
        sha256: options.sha256,
      })
      return { status: 'fork', fork, kind: relation.evidence.kind }
    }
  } else if (next.epoch > 0) {
    // A log that claims a reset shows it, even at first contact (16.12 rule 4).
    await checkReset(next, options)
  }
  // First contact is trust on first use: later checkpoints are held to this one.
  const cosignature = await signCosignature({ checkpoint: next, witnessId, witnessKey, time: now })
  return { status: 'cosigned', cosignature, checkpoint: next }
}

/**
 * A checkpoint of a new epoch is witnessed against the governance's reset, not against the
 * checkpoint held: the reset must be for its log and epoch, and it must extend the tree the reset
 * says the epoch starts from.
 */
async function checkReset(next: SignedCheckpoint, o: WitnessCheckpointOptions): Promise<void> {
  if (o.reset === undefined) {
    throw new BaridError(
      'ERR_LOG_RESET_INVALID',
      'a checkpoint of a new epoch needs the governance reset for that epoch',
      { details: { log: next.logId, epoch: next.epoch } },
    )
  }
  const reset = await verifyLogReset(o.reset, {
    resolveKey: o.resolveKey,
    logId: next.logId,
    epoch: next.epoch,
  })
  if (next.size < reset.restored.size)
    throw new BaridError('ERR_LOG_RESET_INVALID', 'the new epoch is smaller than its restored tree')
  await verifyConsistency(
    {
      first: reset.restored.size,
      second: next.size,
      firstRoot: reset.restored.root,
      secondRoot: next.root,
      path: o.proof,
    },
    o,
  )
}

/** Options for {@link signCosignature}. */
export interface SignCosignatureOptions {
  checkpoint: SignedCheckpoint
  witnessId: string
  witnessKey: TransparencySigner
  /** When the witness checked it, in seconds. */
  time: number
}

/**
 * Cosigns a checkpoint the caller has already judged consistent. Prefer {@link witnessCheckpoint},
 * which judges first.
 *
 * @example
 * ```ts
 * const cosig = await signCosignature({ checkpoint: cp, witnessId: 'digitalpost.dk', witnessKey, time })
 * ```
 */
export async function signCosignature(options: SignCosignatureOptions): Promise<Uint8Array> {
  if (!isOperatorId(options.witnessId))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'witness id must be an operator id')
  if (!Number.isSafeInteger(options.time) || options.time < 0 || options.time > MAX_TIME) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'time is out of range')
  }
  const m = new Map<CborKey, CborValue>([
    ['v', TRANSPARENCY_VERSION],
    ['witness', options.witnessId],
    ['checkpoint', options.checkpoint.digest],
    ['time', options.time],
  ])
  return (await signEnvelope(m, TRANSPARENCY_TYPE.cosignature, options.witnessKey)).bytes
}

/** A verified cosignature. */
export interface VerifiedCosignature {
  readonly witnessId: string
  readonly time: number
  readonly kid: Uint8Array
}

/** Options for {@link verifyCosignature}. */
export interface VerifyCosignatureOptions {
  /** The verified checkpoint the cosignature must be over. */
  checkpoint: SignedCheckpoint
  /** Finds witness keys (role `witness`). */
  resolveKey: KeyResolver
}

/**
 * Verifies a cosignature over `checkpoint`. Errors: `ERR_WITNESS_STATEMENT_INVALID` (shape,
 * wrong witness key, or another checkpoint), `ERR_UNSUPPORTED_VERSION`, and the envelope errors.
 *
 * @example
 * ```ts
 * const cp = await verifyCheckpoint(bundle.checkpoint, { resolveKey })
 * for (const c of bundle.cosignatures) witnesses.add((await verifyCosignature(c, { checkpoint: cp, resolveKey })).witnessId)
 * ```
 */
export async function verifyCosignature(
  bytes: Uint8Array,
  options: VerifyCosignatureOptions,
): Promise<VerifiedCosignature> {
  const { opened, reader: r } = await openPayload(bytes, {
    typ: TRANSPARENCY_TYPE.cosignature,
    code: CODE,
    maxBytes: COSIGNATURE_MAX_BYTES,
    resolveKey: options.resolveKey,
    role: 'witness',
    what: 'cosignature',
    fields: FIELDS,
  })
  const witnessId = r.text('witness', 253)
  if (!isOperatorId(witnessId)) r.fail('witness', 'an operator id')
  if (opened.owner !== witnessId)
    throw new BaridError(CODE, "cosignature is signed by a key that is not its witness's")
  const digest = r.bytes('checkpoint', { exact: HASH_SIZE })
  const time = r.int('time', 0, MAX_TIME)
  if (!bytesEqual(digest, options.checkpoint.digest))
    throw new BaridError(CODE, 'cosignature is over another checkpoint')
  return { witnessId, time, kid: opened.kid }
}
