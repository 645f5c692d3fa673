/**
 * @module transparency/consistency
 * Judging two checkpoints of one log (spec/16 section 16.6): consistent, stale, or a fork that
 * anyone can check offline. Three conflicts are provable from signed data alone:
 *
 * - `same-size`: equal sizes, different roots;
 * - `rollback`: the later checkpoint (by time) has fewer leaves than the earlier one;
 * - `proof`: a consistency path that leads to the newer root (RFC 9162 2.1.4.2 computes both
 *   roots from the path) and proves a root for the older size other than the one the log signed.
 *
 * A path that leads to neither root proves nothing about the log (it may be damaged in transit):
 * it is `ERR_PROOF_INVALID`, never a fork.
 */
import { bytesEqual } from '../bytes.js'
import { BaridError } from '../errors.js'
import type { SignedCheckpoint } from './checkpoint.js'
import { HASH_SIZE, type HashOptions } from './hash.js'
import { consistencyPathLength, isPowerOfTwo } from './tree-math.js'
import { consistencyRoots, verifyConsistency } from './verify-proof.js'

/** The kinds of provable conflict. */
export type ForkKind = 'same-size' | 'rollback' | 'proof'
export const FORK_KINDS: readonly ForkKind[] = ['same-size', 'rollback', 'proof']

/** Two checkpoints of one log that cannot both be true, with what shows it. */
export interface ForkEvidence {
  readonly kind: ForkKind
  /** The checkpoint held before (by a witness). */
  readonly a: SignedCheckpoint
  /** The checkpoint that conflicts with it. */
  readonly b: SignedCheckpoint
  /** Kind `proof`: the consistency path from `a.size` to `b.size`. */
  readonly proof?: readonly Uint8Array[]
  /** Kind `proof`: the root of b's first `a.size` leaves that the path proves; differs from `a.root`. */
  readonly prefix?: Uint8Array
}

/** The judgement of a new checkpoint against the one held. */
export type CheckpointRelation =
  | { readonly status: 'consistent' }
  | { readonly status: 'stale' }
  | { readonly status: 'fork'; readonly evidence: ForkEvidence }

/** Options for {@link classifyCheckpoints}. */
export interface ClassifyOptions extends HashOptions {
  /**
   * The log's root at `previous.size`, as the log reports it. Needed only to turn a failing
   * proof into fork evidence when `previous.size` is a power of two: RFC 9162 leaves that root
   * out of the path, so the path alone cannot prove it.
   */
  prefixRoot?: Uint8Array
}

function isRollback(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return (a.time < b.time && a.size > b.size) || (b.time < a.time && b.size > a.size)
}

/**
 * Judges `next` against `previous` (both verified, same log) with the consistency `proof` from
 * `previous.size` to `next.size` (empty unless next is larger). Returns `consistent`, `stale`
 * (older than previous: neither cosigned nor evidence) or `fork` with its evidence; throws
 * `ERR_PROOF_INVALID` for a proof that proves nothing.
 *
 * @example
 * ```ts
 * const r = await classifyCheckpoints(held, fetched, proof.path)
 * if (r.status === 'fork') report(r.evidence)
 * ```
 */
export async function classifyCheckpoints(
  previous: SignedCheckpoint,
  next: SignedCheckpoint,
  proof: readonly Uint8Array[],
  options: ClassifyOptions = {},
): Promise<CheckpointRelation> {
  if (previous.logId !== next.logId || previous.epoch !== next.epoch)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'the two checkpoints are from different logs or epochs',
    )
  if (previous.size === next.size) {
    if (!bytesEqual(previous.root, next.root))
      return { status: 'fork', evidence: { kind: 'same-size', a: previous, b: next } }
    if (next.time < previous.time) return { status: 'stale' }
    if (proof.length !== 0)
      throw new BaridError('ERR_PROOF_INVALID', 'checkpoints of equal size need an empty proof')
    return { status: 'consistent' }
  }
  if (isRollback(previous, next))
    return { status: 'fork', evidence: { kind: 'rollback', a: previous, b: next } }
  if (next.size < previous.size) return { status: 'stale' }
  try {
    await verifyConsistency(
      {
        first: previous.size,
        second: next.size,
        firstRoot: previous.root,
        secondRoot: next.root,
        path: proof,
      },
      options,
    )
    return { status: 'consistent' }
  } catch (e) {
    if (!(e instanceof BaridError) || e.code !== 'ERR_PROOF_INVALID') throw e
    const prefix = await provenPrefix(previous.size, next, proof, options)
    if (prefix === undefined || bytesEqual(prefix, previous.root)) throw e
    return { status: 'fork', evidence: { kind: 'proof', a: previous, b: next, proof, prefix } }
  }
}

/** The root of b's first `first` leaves that `path` proves, if the path leads to b's root. */
async function provenPrefix(
  first: number,
  b: SignedCheckpoint,
  path: readonly Uint8Array[],
  options: ClassifyOptions,
): Promise<Uint8Array | undefined> {
  if (first === 0 || path.length !== consistencyPathLength(first, b.size)) return undefined
  if (!path.every((p) => p instanceof Uint8Array && p.length === HASH_SIZE)) return undefined
  if (isPowerOfTwo(first)) {
    const claimed = options.prefixRoot
    if (!(claimed instanceof Uint8Array) || claimed.length !== HASH_SIZE) return undefined
    const roots = await consistencyRoots(first, b.size, claimed, path, options)
    return roots !== undefined && bytesEqual(roots.secondRoot, b.root) ? claimed : undefined
  }
  const roots = await consistencyRoots(first, b.size, new Uint8Array(HASH_SIZE), path, options)
  return roots !== undefined && bytesEqual(roots.secondRoot, b.root) ? roots.firstRoot : undefined
}

/**
 * For verifiers of evidence (spec/16 section 16.8): checks that two verified checkpoints of one
 * log can both be true, given the consistency proof from the smaller size to the larger (two of
 * different epochs always can: they are of different logs). Throws `ERR_LOG_INCONSISTENT` (with
 * `details.kind`) when a fork is proven, `ERR_PROOF_INVALID` when the proof proves nothing.
 *
 * @example
 * ```ts
 * await assertCheckpointsConsistent(heldCheckpoint, bundleCheckpoint, proof.path)
 * ```
 */
export async function assertCheckpointsConsistent(
  a: SignedCheckpoint,
  b: SignedCheckpoint,
  proof: readonly Uint8Array[],
  options: ClassifyOptions = {},
): Promise<void> {
  // Different epochs are different logs (section 16.12): neither can contradict the other.
  if (a.epoch !== b.epoch) return
  const [smaller, larger] = a.size <= b.size ? [a, b] : [b, a]
  const r = await classifyCheckpoints(smaller, larger, proof, options)
  // 'stale' here only means the same tree re-signed earlier: consistent for a verifier.
  if (r.status === 'fork') {
    throw new BaridError(
      'ERR_LOG_INCONSISTENT',
      'the two checkpoints cannot both be true: the log forked',
      {
        details: { log: a.logId, kind: r.evidence.kind },
      },
    )
  }
}

function notShown(message: string): never {
  throw new BaridError(
    'ERR_WITNESS_STATEMENT_INVALID',
    `fork evidence does not show a fork: ${message}`,
  )
}

/**
 * Checks that `e` shows two checkpoints of one log that cannot both be true (the checkpoints'
 * signatures are checked by the caller). Throws `ERR_WITNESS_STATEMENT_INVALID` otherwise.
 *
 * @example
 * ```ts
 * await checkForkEvidence({ kind: 'same-size', a, b })
 * ```
 */
export async function checkForkEvidence(e: ForkEvidence, options?: HashOptions): Promise<void> {
  const { a, b } = e
  if (a.logId !== b.logId) notShown('the checkpoints are from different logs')
  if (a.epoch !== b.epoch) notShown('the checkpoints are from different epochs of the log')
  const hasProof = e.proof !== undefined || e.prefix !== undefined
  if (e.kind !== 'proof' && hasProof) notShown('only kind proof carries a proof')
  switch (e.kind) {
    case 'same-size':
      if (a.size !== b.size || bytesEqual(a.root, b.root)) notShown('not two roots for one size')
      return
    case 'rollback':
      if (!isRollback(a, b)) notShown('the later checkpoint is not smaller')
      return
    case 'proof': {
      if (!(a.size > 0 && a.size < b.size)) notShown('kind proof needs 0 < a.size < b.size')
      if (e.proof === undefined || e.prefix === undefined)
        notShown('kind proof needs a proof and a prefix root')
      try {
        await verifyConsistency(
          { first: a.size, second: b.size, firstRoot: e.prefix, secondRoot: b.root, path: e.proof },
          options,
        )
      } catch (cause) {
        if (cause instanceof BaridError && cause.code === 'ERR_PROOF_INVALID')
          notShown('the path does not prove the prefix root')
        throw cause
      }
      if (bytesEqual(e.prefix, a.root)) notShown('the proven prefix root is the one the log signed')
      return
    }
    default:
      notShown('unknown kind')
  }
}
