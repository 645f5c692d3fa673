/**
 * @module transparency/fork-statement
 * A witness's signed statement that a log forked (spec/16 section 16.7). It carries both signed
 * checkpoints (and, for kind `proof`, the path and the prefix root it proves), so anyone can
 * check it offline: the witness's signature says who reported it and when; the log's own two
 * signatures and the hashes show the fork, whoever reported it.
 */
import { isOperatorId } from '../address/operator-id.js'
import type { CborKey, CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import {
  CHECKPOINT_MAX_BYTES,
  MAX_TIME,
  TRANSPARENCY_VERSION,
  verifyCheckpoint,
  type SignedCheckpoint,
} from './checkpoint.js'
import { checkForkEvidence, FORK_KINDS, type ForkEvidence, type ForkKind } from './consistency.js'
import {
  openPayload,
  signEnvelope,
  TRANSPARENCY_TYPE,
  type KeyResolver,
  type TransparencySigner,
} from './envelope.js'
import { HASH_SIZE, type HashOptions } from './hash.js'

/** Largest signed fork statement accepted, in bytes: two checkpoints and a path of up to 128 hashes. */
export const FORK_STATEMENT_MAX_BYTES = 16_384
/** Most hashes in a fork statement's path (a consistency path over 2^53 leaves is shorter). */
const MAX_PATH = 128

const CODE = 'ERR_WITNESS_STATEMENT_INVALID'
const FIELDS: readonly CborKey[] = ['v', 'witness', 'time', 'kind', 'a', 'b', 'proof', 'prefix']

/** Options for {@link signForkStatement}. */
export interface SignForkStatementOptions {
  evidence: ForkEvidence
  /** The witness's operator id. */
  witnessId: string
  /** The witness's signing key. */
  witnessKey: TransparencySigner
  /** When the witness observed the fork, in seconds. */
  time: number
}

/**
 * Signs a fork statement; refuses evidence that does not show a fork.
 *
 * @example
 * ```ts
 * const r = await classifyCheckpoints(held, next, proof)
 * if (r.status === 'fork') await signForkStatement({ evidence: r.evidence, witnessId, witnessKey, time })
 * ```
 */
export async function signForkStatement(
  options: SignForkStatementOptions & HashOptions,
): Promise<Uint8Array> {
  const { evidence: e, witnessId, time } = options
  if (!isOperatorId(witnessId))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'witness id must be an operator id')
  if (!Number.isSafeInteger(time) || time < 0 || time > MAX_TIME)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'time is out of range')
  await checkForkEvidence(e, options)
  const m = new Map<CborKey, CborValue>([
    ['v', TRANSPARENCY_VERSION],
    ['witness', witnessId],
    ['time', time],
    ['kind', e.kind],
    ['a', e.a.bytes],
    ['b', e.b.bytes],
  ])
  if (e.proof !== undefined) m.set('proof', [...e.proof])
  if (e.prefix !== undefined) m.set('prefix', e.prefix)
  return (await signEnvelope(m, TRANSPARENCY_TYPE.forkStatement, options.witnessKey)).bytes
}

/** A fork statement whose signatures and evidence verified. */
export interface VerifiedForkStatement extends ForkEvidence {
  /** The reporting witness. */
  readonly witnessId: string
  /** When it reported, in seconds. */
  readonly time: number
  /** The log that forked. */
  readonly logId: string
}

/** Options for {@link verifyForkStatement}. */
export interface VerifyForkStatementOptions extends HashOptions {
  /** Finds the witness key (role `witness`) and the log keys (role `log`). */
  resolveKey: KeyResolver
}

/**
 * Verifies a fork statement offline: the witness's signature, both checkpoints' signatures by
 * the same log, and that they cannot both be true. Errors: `ERR_WITNESS_STATEMENT_INVALID`,
 * the errors of {@link verifyCheckpoint} for either checkpoint, and the envelope errors.
 *
 * @example
 * ```ts
 * const fork = await verifyForkStatement(bytes, { resolveKey })
 * alert(`${fork.logId} forked (${fork.kind}), reported by ${fork.witnessId}`)
 * ```
 */
export async function verifyForkStatement(
  bytes: Uint8Array,
  options: VerifyForkStatementOptions,
): Promise<VerifiedForkStatement> {
  const { opened, reader: r } = await openPayload(bytes, {
    typ: TRANSPARENCY_TYPE.forkStatement,
    code: CODE,
    maxBytes: FORK_STATEMENT_MAX_BYTES,
    resolveKey: options.resolveKey,
    role: 'witness',
    what: 'fork statement',
    fields: FIELDS,
  })
  const witnessId = r.text('witness', 253)
  if (!isOperatorId(witnessId)) r.fail('witness', 'an operator id')
  if (opened.owner !== witnessId)
    throw new BaridError(CODE, "fork statement is signed by a key that is not its witness's")
  const time = r.int('time', 0, MAX_TIME)
  const kind = r.oneOf('kind', FORK_KINDS) as ForkKind
  const aBytes = r.bytes('a', { max: CHECKPOINT_MAX_BYTES })
  const bBytes = r.bytes('b', { max: CHECKPOINT_MAX_BYTES })
  const proof = r.has('proof') ? r.array('proof', MAX_PATH).map((p) => readHash(p)) : undefined
  const prefix = r.optBytes('prefix', { exact: HASH_SIZE })
  const a: SignedCheckpoint = await verifyCheckpoint(aBytes, { resolveKey: options.resolveKey })
  const b: SignedCheckpoint = await verifyCheckpoint(bBytes, { resolveKey: options.resolveKey })
  const evidence: ForkEvidence = {
    kind,
    a,
    b,
    ...(proof === undefined ? {} : { proof }),
    ...(prefix === undefined ? {} : { prefix }),
  }
  await checkForkEvidence(evidence, options)
  return { ...evidence, witnessId, time, logId: a.logId }
}

function readHash(v: CborValue): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== HASH_SIZE)
    throw new BaridError(CODE, 'fork statement path must hold 32-byte hashes')
  return v
}
