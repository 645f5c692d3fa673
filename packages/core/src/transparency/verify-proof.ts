/**
 * @module transparency/verify-proof
 * Verifying inclusion and consistency proofs with the algorithms of RFC 9162 sections 2.1.3.2
 * and 2.1.4.2, step for step. Before the algorithm runs, the proof's length is checked against
 * the exact length the tree shape requires, and every element must be a 32-byte hash: a proof of
 * any other length is refused outright, not merely found not to match.
 */
import { bytesEqual } from '../bytes.js'
import { BaridError } from '../errors.js'
import {
  EMPTY_ROOT,
  HASH_SIZE,
  assertHash,
  hasherOf,
  type HashOptions,
  type Sha256,
} from './hash.js'
import {
  consistencyPathLength,
  inclusionPathLength,
  isPowerOfTwo,
  isTreeSize,
} from './tree-math.js'

/** What an inclusion proof claims: leaf hash `leafHash` is leaf `index` of the tree of `size` leaves with root `root`. */
export interface InclusionClaim {
  readonly leafHash: Uint8Array
  readonly index: number
  readonly size: number
  readonly path: readonly Uint8Array[]
  readonly root: Uint8Array
}

/** What a consistency proof claims: the tree of `first` leaves with `firstRoot` is a prefix of the tree of `second` leaves with `secondRoot`. */
export interface ConsistencyClaim {
  readonly first: number
  readonly second: number
  readonly firstRoot: Uint8Array
  readonly secondRoot: Uint8Array
  readonly path: readonly Uint8Array[]
}

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new BaridError('ERR_PROOF_INVALID', message, { details })
}

function checkPath(path: unknown, expected: number): asserts path is readonly Uint8Array[] {
  if (!Array.isArray(path)) invalid('a proof path must be an array of hashes')
  if (path.length !== expected)
    invalid('proof path has the wrong length', { expected, got: path.length })
  for (const p of path) {
    if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE)
      invalid(`every proof element must be a ${HASH_SIZE}-byte hash`)
  }
}

// Awaits only a promise: with an injected synchronous SHA-256, a proof verifies without one
// microtask per hash.
function node(h: Sha256, left: Uint8Array, right: Uint8Array): Uint8Array | Promise<Uint8Array> {
  const data = new Uint8Array(1 + 2 * HASH_SIZE)
  data[0] = 1
  data.set(left, 1)
  data.set(right, 1 + HASH_SIZE)
  return h(data)
}

function isBytes(x: Uint8Array | Promise<Uint8Array>): x is Uint8Array {
  return x instanceof Uint8Array
}

/**
 * Verifies an inclusion proof (RFC 9162 section 2.1.3.2); throws `ERR_PROOF_INVALID` unless it
 * proves the claim.
 *
 * @example
 * ```ts
 * await verifyInclusion({ leafHash: await leafHash(record), index, size: cp.size, path, root: cp.root })
 * ```
 */
export async function verifyInclusion(claim: InclusionClaim, options?: HashOptions): Promise<void> {
  const { index, size } = claim
  assertHash(claim.leafHash, 'leaf hash')
  assertHash(claim.root, 'root')
  if (!isTreeSize(size) || !isTreeSize(index))
    invalid('index and tree size must be non-negative integers')
  // Step 1: an index at or beyond the tree size proves nothing.
  if (index >= size) invalid('leaf index is not below the tree size', { index, size })
  checkPath(claim.path, inclusionPathLength(index, size))
  const h = hasherOf(options)
  // Steps 2 to 4, with shifts as division so sizes above 2^32 work.
  let fn = index
  let sn = size - 1
  let r = claim.leafHash
  for (const p of claim.path) {
    if (sn === 0) invalid('inclusion proof is longer than the tree is deep')
    if (fn % 2 === 1 || fn === sn) {
      const x = node(h, p, r)
      r = isBytes(x) ? x : await x
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      const x = node(h, r, p)
      r = isBytes(x) ? x : await x
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  // Step 5.
  if (sn !== 0 || !bytesEqual(r, claim.root)) invalid('inclusion proof does not lead to the root')
}

/**
 * Runs steps 2 to 6 of RFC 9162 section 2.1.4.2 for 0 < first < second and returns the two
 * roots the path implies, or `undefined` when the path does not fit the shape (sn != 0).
 * `firstRoot` is used only when `first` is a power of two: the RFC prepends it to the path.
 * The caller has checked the path's length and element sizes.
 */
export async function consistencyRoots(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  path: readonly Uint8Array[],
  options?: HashOptions,
): Promise<{ firstRoot: Uint8Array; secondRoot: Uint8Array } | undefined> {
  const h = hasherOf(options)
  // Step 1 (empty path fails) is implied by the exact-length check; step 2:
  const nodes = isPowerOfTwo(first) ? [firstRoot, ...path] : path
  if (nodes.length === 0) return undefined
  // Step 3.
  let fn = first - 1
  let sn = second - 1
  // Step 4.
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  // Step 5.
  let fr = nodes[0]!
  let sr = nodes[0]!
  // Step 6.
  for (let i = 1; i < nodes.length; i++) {
    const c = nodes[i]!
    if (sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      const x = node(h, c, fr)
      fr = isBytes(x) ? x : await x
      const y = node(h, c, sr)
      sr = isBytes(y) ? y : await y
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      const x = node(h, sr, c)
      sr = isBytes(x) ? x : await x
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) return undefined
  return { firstRoot: fr, secondRoot: sr }
}

/**
 * Verifies a consistency proof (RFC 9162 section 2.1.4.2); throws `ERR_PROOF_INVALID` unless it
 * proves that the first tree is a prefix of the second. Two cases the RFC leaves to the caller
 * are fixed here: equal sizes need an empty path and equal roots, and a first size of 0 needs an
 * empty path and the empty-tree root (every tree extends the empty tree).
 *
 * @example
 * ```ts
 * await verifyConsistency({ first: old.size, second: cp.size, firstRoot: old.root, secondRoot: cp.root, path })
 * ```
 */
export async function verifyConsistency(
  claim: ConsistencyClaim,
  options?: HashOptions,
): Promise<void> {
  const { first, second } = claim
  assertHash(claim.firstRoot, 'first root')
  assertHash(claim.secondRoot, 'second root')
  if (!isTreeSize(first) || !isTreeSize(second)) invalid('tree sizes must be non-negative integers')
  if (first > second) invalid('the first tree is larger than the second', { first, second })
  checkPath(claim.path, consistencyPathLength(first, second))
  if (first === 0) {
    if (!bytesEqual(claim.firstRoot, EMPTY_ROOT))
      invalid('a tree of size 0 has the empty-tree root')
    return
  }
  if (first === second) {
    if (!bytesEqual(claim.firstRoot, claim.secondRoot))
      invalid('two trees of the same size have different roots')
    return
  }
  const roots = await consistencyRoots(first, second, claim.firstRoot, claim.path, options)
  // Step 7.
  if (
    roots === undefined ||
    !bytesEqual(roots.firstRoot, claim.firstRoot) ||
    !bytesEqual(roots.secondRoot, claim.secondRoot)
  ) {
    invalid('consistency proof does not lead to both roots')
  }
}
