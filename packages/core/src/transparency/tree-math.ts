/**
 * @module transparency/tree-math
 * Pure arithmetic over RFC 9162 tree shapes: which perfect subtrees make up a range of leaves,
 * and which ranges an inclusion path (section 2.1.3.1) or a consistency proof (section 2.1.4.1)
 * is made of. No hashing here, so a proof's reads can be planned, batched and bounded first.
 *
 * Arithmetic is on JavaScript numbers with division, never 32-bit bitwise operators, so tree
 * sizes up to 2^53 - 1 work.
 */
import { BaridError } from '../errors.js'

/**
 * A complete (perfect) subtree: level 0 is a leaf; node (level, index) covers the leaves
 * [index * 2^level, (index + 1) * 2^level). Its hash never changes once all its leaves exist.
 */
export interface NodeId {
  readonly level: number
  readonly index: number
}

/** A half-open range of leaf indices [start, end). */
export type LeafRange = readonly [start: number, end: number]

/** Largest tree size this implementation handles: 2^53 - 1. */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER

/** True for a safe integer in [0, MAX_TREE_SIZE]. */
export function isTreeSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

/** The largest power of two strictly less than `n` (n >= 2): the split point k of RFC 9162 2.1.1. */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** True when `n` is an exact power of two (n >= 1). */
export function isPowerOfTwo(n: number): boolean {
  let k = 1
  while (k < n) k *= 2
  return k === n
}

/**
 * The perfect subtrees that cover [start, end), left to right, largest first. For the ranges the
 * RFC recursion produces (start is a multiple of a power of two at least end - start), their
 * hashes folded right to left give MTH(D[start:end]); see {@link foldOrder}.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = []
  let lo = start
  while (lo < end) {
    let size = 1
    let level = 0
    while (lo % (size * 2) === 0 && lo + size * 2 <= end) {
      size *= 2
      level++
    }
    out.push({ level, index: lo / size })
    lo += size
  }
  return out
}

/**
 * The perfect subtrees whose roots summarise a tree of `size` leaves (its binary decomposition,
 * largest first): the "frontier" from which the next append and the current root are computed.
 */
export function frontierNodes(size: number): NodeId[] {
  return rangeNodes(0, size)
}

/**
 * The ranges whose MTH form the inclusion path of leaf `index` in a tree of `size` leaves,
 * in the order of RFC 9162 section 2.1.3.1 (from the leaf's sibling up to the root's child).
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!(index >= 0 && index < size))
    throw new BaridError('ERR_LOG_INDEX_OUT_OF_RANGE', 'leaf index must be below the tree size')
  const out: LeafRange[] = []
  let lo = 0
  let hi = size
  // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) when m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).
  // Descend iteratively and emit siblings root-first, then reverse.
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo)
    if (index < lo + k) {
      out.push([lo + k, hi])
      hi = lo + k
    } else {
      out.push([lo, lo + k])
      lo = lo + k
    }
  }
  return out.reverse()
}

/**
 * The ranges whose MTH form the consistency proof from `first` to `second` leaves, in the order
 * of RFC 9162 section 2.1.4.1 (SUBPROOF). Empty when first is 0 or first equals second.
 */
export function consistencyRanges(first: number, second: number): LeafRange[] {
  if (!(first >= 0 && first <= second))
    throw new BaridError('ERR_LOG_INDEX_OUT_OF_RANGE', 'first tree size must not exceed the second')
  if (first === 0 || first === second) return []
  const out: LeafRange[] = []
  let lo = 0
  let hi = second
  let m = first
  let whole = true // the RFC's flag b: true while the current subtree starts the old tree
  for (;;) {
    const n = hi - lo
    if (m === n) {
      // SUBPROOF(m, D[m], b): nothing if b, else MTH(D[m]) (always a perfect subtree here).
      if (!whole) out.push([lo, hi])
      break
    }
    const k = splitPoint(n)
    if (m <= k) {
      out.push([lo + k, hi])
      hi = lo + k
    } else {
      out.push([lo, lo + k])
      lo = lo + k
      m -= k
      whole = false
    }
  }
  return out.reverse()
}

/** The number of hashes in a valid inclusion path. */
export function inclusionPathLength(index: number, size: number): number {
  return inclusionRanges(index, size).length
}

/** The number of hashes in a valid consistency proof. */
export function consistencyPathLength(first: number, second: number): number {
  return consistencyRanges(first, second).length
}
