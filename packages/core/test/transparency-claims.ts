/**
 * Test-only helpers shared by the proof property tests: claims built from the reference tree,
 * one-byte tampering, and a collector so a loop over tens of thousands of cases asserts once.
 */
import { BaridError } from '../src/errors.js'
import type { ConsistencyClaim, InclusionClaim } from '../src/transparency/verify-proof.js'
import { ReferenceTree, flip, makeLeaves, nodeSha256 } from './transparency-reference.js'

export const N = 300
export const ref = new ReferenceTree(makeLeaves(N))
export const fast = { sha256: nodeSha256 }

export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'accepted'
  } catch (e) {
    return e instanceof BaridError ? e.code : String(e)
  }
}

/** Records every case whose outcome differs from the expected code. */
export class Misses {
  readonly list: string[] = []
  async expect(p: Promise<unknown>, code: string, what: () => string): Promise<void> {
    const got = await codeOf(p)
    if (got !== code && this.list.length < 20) this.list.push(`${what()}: ${got}`)
  }
}

export function inclusion(i: number, n: number): InclusionClaim {
  return {
    leafHash: ref.leafHashes[i]!,
    index: i,
    size: n,
    path: ref.path(i, 0, n),
    root: ref.mth(0, n),
  }
}

export function consistency(m: number, n: number): ConsistencyClaim {
  return {
    first: m,
    second: n,
    firstRoot: ref.mth(0, m),
    secondRoot: ref.mth(0, n),
    path: ref.proof(m, n),
  }
}

/** The claim with one byte of its leaf, its root, or one path element changed, at a position chosen by `rand`. */
export function* tamperedInclusions(
  c: InclusionClaim,
  rand: () => number,
): Generator<[string, InclusionClaim]> {
  const at = (b: Uint8Array) => Math.floor(rand() * b.length)
  yield ['leaf', { ...c, leafHash: flip(c.leafHash, at(c.leafHash)) }]
  yield ['root', { ...c, root: flip(c.root, at(c.root)) }]
  for (let j = 0; j < c.path.length; j++) {
    const path = [...c.path]
    path[j] = flip(path[j]!, at(path[j]!))
    yield [`path[${j}]`, { ...c, path }]
  }
}

/** The same for a consistency claim. The second root is left alone when the first size is 0:
 * every tree extends the empty tree, so that claim says nothing about it. */
export function* tamperedConsistencies(
  c: ConsistencyClaim,
  rand: () => number,
): Generator<[string, ConsistencyClaim]> {
  const at = (b: Uint8Array) => Math.floor(rand() * b.length)
  yield ['first root', { ...c, firstRoot: flip(c.firstRoot, at(c.firstRoot)) }]
  if (c.first > 0) yield ['second root', { ...c, secondRoot: flip(c.secondRoot, at(c.secondRoot)) }]
  for (let j = 0; j < c.path.length; j++) {
    const path = [...c.path]
    path[j] = flip(path[j]!, at(path[j]!))
    yield [`path[${j}]`, { ...c, path }]
  }
}
