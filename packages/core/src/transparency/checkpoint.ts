/**
 * @module transparency/checkpoint
 * Signed checkpoints (spec/16 section 16.4): a log's signed statement "my tree had `size` leaves
 * and root `root` at `time`", the role RFC 9162 section 4.10 gives the signed tree head. The
 * payload is the canonical CBOR map `{"v": 1, "log", "size", "root", "time"}` (and `"epoch"` once
 * the log was reset, section 16.12) in the envelope of
 * {@link signEnvelope}. Witnesses cosign its digest: SHA-256 of the payload bytes.
 */
import { isOperatorId } from '../address/operator-id.js'
import { bytesEqual, sha256 } from '../bytes.js'
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import {
  openEnvelope,
  signEnvelope,
  TRANSPARENCY_TYPE,
  TRANSPARENCY_VERSION,
  type KeyResolver,
  type TransparencySigner,
} from './envelope.js'
import { EMPTY_ROOT, HASH_SIZE } from './hash.js'
import { isTreeSize } from './tree-math.js'

export { TRANSPARENCY_VERSION } from './envelope.js'
/** Largest signed checkpoint accepted, in bytes. */
export const CHECKPOINT_MAX_BYTES = 1024
/** Default allowance for clocks running ahead, in seconds. */
export const DEFAULT_MAX_CLOCK_SKEW = 300
/** Latest time the formats accept: 9999-12-31T23:59:59Z. */
export const MAX_TIME = 253_402_300_799

const CODE = 'ERR_CHECKPOINT_INVALID'
const FIELDS: readonly CborKey[] = ['v', 'log', 'size', 'root', 'time', 'epoch']
/** Largest log epoch (spec/16 section 16.12). */
export const MAX_EPOCH = 0xffff_ffff

/** What a checkpoint states. */
export interface Checkpoint {
  /** The log's id: its operator id. */
  readonly logId: string
  /** Number of leaves. */
  readonly size: number
  /** RFC 9162 MTH of those leaves. */
  readonly root: Uint8Array
  /** When the log signed it, in seconds since the epoch. */
  readonly time: number
  /**
   * The log's epoch (spec/16 section 16.12): 0, left out of the payload, until the federation's
   * governance declares a reset; checkpoints of different epochs are of different logs.
   */
  readonly epoch?: number
}

/** A checkpoint with its signed form. */
export interface SignedCheckpoint extends Checkpoint {
  readonly epoch: number
  /** The COSE_Sign1 bytes. */
  readonly bytes: Uint8Array
  /** Key id of the log key that signed it. */
  readonly kid: Uint8Array
  /** SHA-256 of the payload bytes: what witnesses cosign. */
  readonly digest: Uint8Array
}

/** Throws `code` unless `c` is a checkpoint the format can carry. */
export function assertCheckpoint(
  c: Checkpoint,
  code: 'ERR_CHECKPOINT_INVALID' | 'ERR_INVALID_ARGUMENT' = CODE,
): void {
  if (!isOperatorId(c.logId)) throw new BaridError(code, 'checkpoint log id must be an operator id')
  if (!isTreeSize(c.size))
    throw new BaridError(code, 'checkpoint size must be a non-negative integer')
  if (!(c.root instanceof Uint8Array) || c.root.length !== HASH_SIZE)
    throw new BaridError(code, 'checkpoint root must be 32 bytes')
  // The empty tree has one root (RFC 9162 2.1.1); any other is a claim no tree can back.
  if (c.size === 0 && !bytesEqual(c.root, EMPTY_ROOT))
    throw new BaridError(code, 'an empty tree must have the empty-tree root')
  if (!Number.isSafeInteger(c.time) || c.time < 0 || c.time > MAX_TIME)
    throw new BaridError(code, 'checkpoint time is out of range')
  const epoch = c.epoch ?? 0
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH)
    throw new BaridError(code, 'checkpoint epoch is out of range')
}

/**
 * The CBOR payload of a checkpoint (encode with `encodeCanonical`).
 *
 * @example
 * ```ts
 * const map = checkpointPayload({ logId: 'post.eg', size: 3, root, time: 1767225600 })
 * ```
 */
export function checkpointPayload(c: Checkpoint): Map<CborKey, CborValue> {
  assertCheckpoint(c, 'ERR_INVALID_ARGUMENT')
  return new Map<CborKey, CborValue>([
    ['v', TRANSPARENCY_VERSION],
    ['log', c.logId],
    ['size', c.size],
    ['root', c.root],
    ['time', c.time],
    // Epoch 0 is left out, so that a log that was never reset signs what it always signed.
    ...(c.epoch ? [['epoch', c.epoch] as [CborKey, CborValue]] : []),
  ])
}

/**
 * Signs a checkpoint with the log's key.
 *
 * @example
 * ```ts
 * const { size, root } = await log.append(batch)
 * const cp = await signCheckpoint({ logId: 'post.eg', size, root, time: now() }, logKeyPair)
 * publish(cp.bytes)
 * ```
 */
export async function signCheckpoint(
  c: Checkpoint,
  signer: TransparencySigner,
): Promise<SignedCheckpoint> {
  const payload = checkpointPayload(c)
  const { bytes, payloadBytes } = await signEnvelope(payload, TRANSPARENCY_TYPE.checkpoint, signer)
  return {
    logId: c.logId,
    size: c.size,
    root: c.root,
    time: c.time,
    epoch: c.epoch ?? 0,
    bytes,
    kid: signer.kid,
    digest: await sha256(payloadBytes),
  }
}

/** Options for {@link verifyCheckpoint}. */
export interface VerifyCheckpointOptions {
  /** Finds log keys; the key's owner must be the checkpoint's log. */
  resolveKey: KeyResolver
  /** The log the caller asked for; another one is `ERR_CHECKPOINT_INVALID`. */
  logId?: string
  /** Current time in seconds; when given, a checkpoint from the future is refused. */
  now?: number
  /** Seconds a log's clock may run ahead of `now`. Default 300. */
  maxClockSkew?: number
}

/** Parses a verified checkpoint payload into a {@link Checkpoint}. */
export function readCheckpointPayload(payload: CborValue): Checkpoint & { epoch: number } {
  const r = MapReader.of(payload, CODE, 'checkpoint')
  if (r.raw('v') !== TRANSPARENCY_VERSION) {
    throw new BaridError('ERR_UNSUPPORTED_VERSION', 'checkpoint version is not supported', {
      details: { supported: 1 },
    })
  }
  r.only(FIELDS)
  const c = {
    logId: r.text('log', 253),
    size: r.int('size', 0),
    root: r.bytes('root', { exact: HASH_SIZE }),
    time: r.int('time', 0, MAX_TIME),
    // Present only from epoch 1: one checkpoint, one encoding.
    epoch: r.optInt('epoch', 1, MAX_EPOCH) ?? 0,
  }
  assertCheckpoint(c)
  return c
}

/**
 * Verifies a signed checkpoint: envelope, log key, signature, then payload. Errors:
 * `ERR_CHECKPOINT_INVALID`, `ERR_UNSUPPORTED_VERSION`, `ERR_KEY_NOT_FOUND`,
 * `ERR_SIGNATURE_INVALID`, `ERR_COSE_MALFORMED`, `ERR_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const cp = await verifyCheckpoint(bytes, { resolveKey, logId: 'post.eg', now: nowSeconds() })
 * ```
 */
export async function verifyCheckpoint(
  bytes: Uint8Array,
  options: VerifyCheckpointOptions,
): Promise<SignedCheckpoint> {
  const opened = await openEnvelope(bytes, {
    typ: TRANSPARENCY_TYPE.checkpoint,
    code: CODE,
    maxBytes: CHECKPOINT_MAX_BYTES,
    resolveKey: options.resolveKey,
    role: 'log',
  })
  const c = readCheckpointPayload(opened.payload)
  if (opened.owner !== c.logId)
    throw new BaridError(CODE, "checkpoint is signed by a key that is not its log's")
  if (options.logId !== undefined && options.logId !== c.logId) {
    throw new BaridError(CODE, 'checkpoint is from another log', {
      details: { expected: options.logId },
    })
  }
  if (
    options.now !== undefined &&
    c.time > options.now + (options.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW)
  ) {
    throw new BaridError(CODE, 'checkpoint time is in the future', { details: { time: c.time } })
  }
  return { ...c, bytes, kid: opened.kid, digest: await sha256(opened.payloadBytes) }
}
