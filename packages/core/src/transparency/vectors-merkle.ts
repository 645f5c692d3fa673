/**
 * @module transparency/vectors-merkle
 * The Merkle part of spec/vectors/transparency.json: roots, every inclusion and consistency
 * proof over the Certificate Transparency reference leaves, must-fail proofs, and proofs on the
 * wire. Also the small helpers the vector builders share.
 */
import { toHex, fromHex } from '../bytes.js'
import { encodeCanonical } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { EMPTY_ROOT, leafHash } from './hash.js'
import { openLog, type MerkleLog } from './log.js'
import { consistencyProofValue, inclusionProofValue } from './proof-codec.js'
import { createMemoryLogStore } from './store.js'
import { verifyConsistency, verifyInclusion } from './verify-proof.js'

/** 2026-01-01T00:00:00Z. */
export const T0 = 1_767_225_600
/** The Certificate Transparency reference leaves (RFC 6962 test data). */
export const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
]

export async function buildLog(leaves: readonly Uint8Array[]): Promise<MerkleLog> {
  const log = await openLog({ store: createMemoryLogStore() })
  await log.append(leaves)
  return log
}

/** Runs `f` and returns the error code it fails with; throws if it does not fail with `reason`. */
export async function mustFail(
  reason: string,
  what: string,
  f: () => Promise<unknown>,
): Promise<string> {
  let code = 'accepted'
  try {
    await f()
  } catch (e) {
    code = e instanceof BaridError ? e.code : String(e)
  }
  if (code !== reason) throw new Error(`vector "${what}": expected ${reason}, got ${code}`)
  return reason
}

export const hexPath = (path: readonly Uint8Array[]) => path.map(toHex)

/** The `merkle` section, for the log holding {@link LEAVES}. */
export async function merkleVectors(
  log: MerkleLog,
  leaves: readonly Uint8Array[],
): Promise<unknown> {
  const roots: string[] = []
  for (let s = 0; s <= 8; s++) roots.push(toHex(await log.root(s)))
  const inclusion: unknown[] = []
  const consistency: unknown[] = []
  for (let n = 1; n <= 8; n++) {
    for (let i = 0; i < n; i++)
      inclusion.push({ index: i, size: n, path: hexPath((await log.inclusionProof(i, n)).path) })
  }
  for (let n = 0; n <= 8; n++) {
    for (let m = 0; m <= n; m++)
      consistency.push({
        first: m,
        second: n,
        path: hexPath((await log.consistencyProof(m, n)).path),
      })
  }
  const inc = await log.inclusionProof(5, 8)
  const con = await log.consistencyProof(6, 8)
  const leaf5 = await leafHash(leaves[5]!)
  const root = (s: number) => fromHex(roots[s]!)
  const badInclusion: [string, Parameters<typeof verifyInclusion>[0]][] = [
    [
      'one byte of the path changed',
      {
        leafHash: leaf5,
        index: 5,
        size: 8,
        path: [
          inc.path[0]!,
          Uint8Array.from(inc.path[1]!, (b, i) => (i === 0 ? b ^ 1 : b)),
          inc.path[2]!,
        ],
        root: root(8),
      },
    ],
    [
      'path one hash too long',
      { leafHash: leaf5, index: 5, size: 8, path: [...inc.path, inc.path[0]!], root: root(8) },
    ],
    [
      'path one hash too short',
      { leafHash: leaf5, index: 5, size: 8, path: inc.path.slice(0, 2), root: root(8) },
    ],
    ['another leaf index', { leafHash: leaf5, index: 4, size: 8, path: inc.path, root: root(8) }],
    [
      'index equal to the tree size',
      { leafHash: leaf5, index: 8, size: 8, path: inc.path, root: root(8) },
    ],
    ['root of another size', { leafHash: leaf5, index: 5, size: 8, path: inc.path, root: root(7) }],
  ]
  const badConsistency: [string, Parameters<typeof verifyConsistency>[0]][] = [
    [
      'first root of another size',
      { first: 6, second: 8, firstRoot: root(5), secondRoot: root(8), path: con.path },
    ],
    [
      'path one hash too short',
      { first: 6, second: 8, firstRoot: root(6), secondRoot: root(8), path: con.path.slice(1) },
    ],
    [
      'sizes swapped',
      { first: 8, second: 6, firstRoot: root(8), secondRoot: root(6), path: con.path },
    ],
    [
      'equal sizes with a non-empty path',
      { first: 8, second: 8, firstRoot: root(8), secondRoot: root(8), path: [root(8)] },
    ],
    [
      'from size 0 with a root other than the empty-tree root',
      { first: 0, second: 8, firstRoot: root(1), secondRoot: root(8), path: [] },
    ],
  ]
  const merkleInvalid: unknown[] = []
  for (const [description, c] of badInclusion) {
    const reason = await mustFail('ERR_PROOF_INVALID', description, () => verifyInclusion(c))
    merkleInvalid.push({
      kind: 'inclusion',
      description,
      leafHash: toHex(c.leafHash),
      index: c.index,
      size: c.size,
      root: toHex(c.root),
      path: hexPath(c.path),
      reason,
    })
  }
  for (const [description, c] of badConsistency) {
    const reason = await mustFail('ERR_PROOF_INVALID', description, () => verifyConsistency(c))
    merkleInvalid.push({
      kind: 'consistency',
      description,
      first: c.first,
      second: c.second,
      firstRoot: toHex(c.firstRoot),
      secondRoot: toHex(c.secondRoot),
      path: hexPath(c.path),
      reason,
    })
  }

  return {
    leaves: LEAVES,
    emptyRoot: toHex(EMPTY_ROOT),
    roots: roots.map((r, size) => ({ size, root: r })),
    inclusion,
    consistency,
    invalid: merkleInvalid,
    wire: {
      inclusionProof: toHex(encodeCanonical(inclusionProofValue(inc))),
      consistencyProof: toHex(encodeCanonical(consistencyProofValue(con))),
    },
  }
}
