/**
 * @module transparency/log-reset
 * A log reset (spec/16 section 16.12): the federation's governance declares that a log lost
 * leaves it had signed for (a node restored from a backup, section 15.8) and goes on as a new
 * **epoch** of the log, starting from the tree it still holds. Signed with a governance key of the
 * trust list, in the envelope of {@link signEnvelope}; the payload is the canonical CBOR map
 * `{"v": 1, "log", "epoch", "time", "restored": {"size", "root"}, ?"reason"}`.
 *
 * The log itself cannot declare a reset: a log that could start a new epoch at will could fork
 * without a fork statement ever being provable, since checkpoints of different epochs are of
 * different logs.
 */
import { isOperatorId } from '../address/operator-id.js'
import { bytesEqual } from '../bytes.js'
import type { CborKey, CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { MAX_EPOCH, MAX_TIME, TRANSPARENCY_VERSION } from './checkpoint.js'
import {
  openPayload,
  signEnvelope,
  TRANSPARENCY_TYPE,
  type KeyResolver,
  type TransparencySigner,
} from './envelope.js'
import { EMPTY_ROOT, HASH_SIZE } from './hash.js'
import { isTreeSize } from './tree-math.js'

/** Largest signed log reset accepted, in bytes. */
export const LOG_RESET_MAX_BYTES = 1024
/** Longest `reason`, in characters. */
export const LOG_RESET_MAX_REASON = 256

const CODE = 'ERR_LOG_RESET_INVALID'
const FIELDS: readonly CborKey[] = ['v', 'log', 'epoch', 'time', 'restored', 'reason']

/** What a log reset declares. */
export interface LogReset {
  /** The log (its operator id). */
  readonly logId: string
  /** The epoch the log goes on as, from 1. */
  readonly epoch: number
  /** When the governance signed it, in seconds since the epoch. */
  readonly time: number
  /** The tree the new epoch starts from: every checkpoint of the epoch extends it. */
  readonly restored: { readonly size: number; readonly root: Uint8Array }
  /** Why, for people (for example the backup's time). */
  readonly reason?: string
}

/** A verified log reset. */
export interface VerifiedLogReset extends LogReset {
  readonly bytes: Uint8Array
  /** Key id of the governance key that signed it. */
  readonly kid: Uint8Array
  /** The federation whose governance key signed it (the resolver's owner). */
  readonly federation: string
}

function assertLogReset(r: LogReset, code: 'ERR_LOG_RESET_INVALID' | 'ERR_INVALID_ARGUMENT'): void {
  if (!isOperatorId(r.logId)) throw new BaridError(code, 'log reset: log must be an operator id')
  if (!Number.isSafeInteger(r.epoch) || r.epoch < 1 || r.epoch > MAX_EPOCH)
    throw new BaridError(code, 'log reset: epoch must be an integer from 1')
  if (!Number.isSafeInteger(r.time) || r.time < 0 || r.time > MAX_TIME)
    throw new BaridError(code, 'log reset: time is out of range')
  const { size, root } = r.restored ?? {}
  if (!isTreeSize(size)) throw new BaridError(code, 'log reset: restored size is not a tree size')
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE)
    throw new BaridError(code, 'log reset: restored root must be 32 bytes')
  if (size === 0 && !bytesEqual(root, EMPTY_ROOT))
    throw new BaridError(code, 'log reset: an empty tree must have the empty-tree root')
  if (
    r.reason !== undefined &&
    (typeof r.reason !== 'string' || r.reason.length > LOG_RESET_MAX_REASON)
  )
    throw new BaridError(code, `log reset: reason is text of at most ${LOG_RESET_MAX_REASON}`)
}

/**
 * Signs a log reset with a governance key.
 *
 * @example
 * ```ts
 * const bytes = await signLogReset(
 *   { logId: 'post.eg', epoch: 1, time: now, restored: { size, root }, reason: 'restored from the backup of 2026-11-29' },
 *   governanceKeyPair,
 * )
 * ```
 */
export async function signLogReset(r: LogReset, signer: TransparencySigner): Promise<Uint8Array> {
  assertLogReset(r, 'ERR_INVALID_ARGUMENT')
  const m = new Map<CborKey, CborValue>([
    ['v', TRANSPARENCY_VERSION],
    ['log', r.logId],
    ['epoch', r.epoch],
    ['time', r.time],
    [
      'restored',
      new Map<CborKey, CborValue>([
        ['size', r.restored.size],
        ['root', r.restored.root],
      ]),
    ],
    ...(r.reason === undefined ? [] : [['reason', r.reason] as [CborKey, CborValue]]),
  ])
  return (await signEnvelope(m, TRANSPARENCY_TYPE.logReset, signer)).bytes
}

/** Options for {@link verifyLogReset}. */
export interface VerifyLogResetOptions {
  /** Finds governance keys (role `governance`). */
  resolveKey: KeyResolver
  /** The log the caller expects; another is `ERR_LOG_RESET_INVALID`. */
  logId?: string
  /** The epoch the caller expects; another is `ERR_LOG_RESET_INVALID`. */
  epoch?: number
}

/**
 * Verifies a log reset: envelope, governance key, signature, then payload. Errors:
 * `ERR_LOG_RESET_INVALID`, `ERR_UNSUPPORTED_VERSION`, `ERR_KEY_NOT_FOUND`,
 * `ERR_SIGNATURE_INVALID`, `ERR_COSE_MALFORMED`, `ERR_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const reset = await verifyLogReset(bytes, { resolveKey, logId: 'post.eg', epoch: 1 })
 * ```
 */
export async function verifyLogReset(
  bytes: Uint8Array,
  options: VerifyLogResetOptions,
): Promise<VerifiedLogReset> {
  const { opened, reader: r } = await openPayload(bytes, {
    typ: TRANSPARENCY_TYPE.logReset,
    code: CODE,
    maxBytes: LOG_RESET_MAX_BYTES,
    resolveKey: options.resolveKey,
    role: 'governance',
    what: 'log reset',
    fields: FIELDS,
  })
  const restored = r.mapAt('restored').only(['size', 'root'])
  const reason = r.optText('reason', LOG_RESET_MAX_REASON)
  const reset: LogReset = {
    logId: r.text('log', 253),
    epoch: r.int('epoch', 1, MAX_EPOCH),
    time: r.int('time', 0, MAX_TIME),
    restored: { size: restored.int('size', 0), root: restored.bytes('root', { exact: HASH_SIZE }) },
    ...(reason === undefined ? {} : { reason }),
  }
  assertLogReset(reset, CODE)
  // However a resolver maps keys, a key that speaks for the log never declares its reset.
  if (opened.owner === reset.logId)
    throw new BaridError(CODE, 'a log reset must not be signed by a key of the log itself')
  if (options.logId !== undefined && options.logId !== reset.logId)
    throw new BaridError(CODE, 'log reset is for another log', {
      details: { expected: options.logId },
    })
  if (options.epoch !== undefined && options.epoch !== reset.epoch)
    throw new BaridError(CODE, 'log reset is for another epoch', {
      details: { expected: options.epoch },
    })
  return { ...reset, bytes, kid: opened.kid, federation: opened.owner }
}
