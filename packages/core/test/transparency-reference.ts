/**
 * Test-only reference for the transparency tests: the RFC 9162 section 2.1 definitions (MTH,
 * PATH, PROOF/SUBPROOF) written as the naive recursions the RFC states, independent of the
 * library's iterative planner and store, memoised so trees of a few hundred leaves stay cheap.
 * Hashing is Node's synchronous SHA-256, also injected into the library in the exhaustive
 * property tests for speed (one test checks it agrees with the WebCrypto default).
 */
import { hash } from 'node:crypto'

export function nodeSha256(data: Uint8Array): Uint8Array {
  const d = hash('sha256', data, 'buffer')
  return new Uint8Array(d.buffer, d.byteOffset, d.length)
}

export function refLeafHash(leaf: Uint8Array): Uint8Array {
  return nodeSha256(Uint8Array.of(0, ...leaf))
}

function refNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const d = new Uint8Array(65)
  d[0] = 1
  d.set(left, 1)
  d.set(right, 33)
  return nodeSha256(d)
}

/** The largest power of two strictly less than n, by the RFC's words. */
function k(n: number): number {
  let p = 1
  while (p * 2 < n) p *= 2
  return p
}

/** A list of leaves, with the RFC's definitions over it. */
export class ReferenceTree {
  readonly leafHashes: Uint8Array[]
  private readonly memo = new Map<string, Uint8Array>()

  constructor(readonly leaves: readonly Uint8Array[]) {
    this.leafHashes = leaves.map(refLeafHash)
  }

  /** MTH(D[lo:hi]) (RFC 9162 2.1.1). */
  mth(lo: number, hi: number): Uint8Array {
    const n = hi - lo
    if (n === 0) return nodeSha256(new Uint8Array(0))
    if (n === 1) return this.leafHashes[lo]!
    const key = `${lo},${hi}`
    let h = this.memo.get(key)
    if (h === undefined) {
      h = refNodeHash(this.mth(lo, lo + k(n)), this.mth(lo + k(n), hi))
      this.memo.set(key, h)
    }
    return h
  }

  /** PATH(m, D[lo:hi]) (RFC 9162 2.1.3.1). */
  path(m: number, lo: number, hi: number): Uint8Array[] {
    const n = hi - lo
    if (n === 1) return []
    const s = k(n)
    return m < s
      ? [...this.path(m, lo, lo + s), this.mth(lo + s, hi)]
      : [...this.path(m - s, lo + s, hi), this.mth(lo, lo + s)]
  }

  /** PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) (RFC 9162 2.1.4.1); empty for m = 0. */
  proof(m: number, n: number): Uint8Array[] {
    return m === 0 ? [] : this.subproof(m, 0, n, true)
  }

  private subproof(m: number, lo: number, hi: number, b: boolean): Uint8Array[] {
    const n = hi - lo
    if (m === n) return b ? [] : [this.mth(lo, hi)]
    const s = k(n)
    return m <= s
      ? [...this.subproof(m, lo, lo + s, b), this.mth(lo + s, hi)]
      : [...this.subproof(m - s, lo + s, hi, false), this.mth(lo, lo + s)]
  }
}

/** Deterministic leaves: leaf i is the 4 bytes of i and a tag. */
export function makeLeaves(n: number, tag = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    Uint8Array.of(tag, i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255),
  )
}

/** A small deterministic PRNG (mulberry32) for choosing which byte to tamper with. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A copy of `bytes` with byte `i` changed. */
export function flip(bytes: Uint8Array, i: number, mask = 1): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[i]! ^= mask
  return out
}
