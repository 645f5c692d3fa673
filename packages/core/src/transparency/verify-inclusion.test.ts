import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { flip, prng } from '../../test/transparency-reference.js'
import {
  Misses,
  N,
  codeOf,
  fast,
  inclusion,
  ref,
  tamperedInclusions,
} from '../../test/transparency-claims.js'
import { consistencyPathLength, inclusionPathLength } from './tree-math.js'
import { verifyInclusion } from './verify-proof.js'

describe('inclusion proofs (RFC 9162 2.1.3)', () => {
  it('verifies the RFC-defined proof of every leaf in every tree of 1 to 300 leaves', async () => {
    const m = new Misses()
    for (let n = 1; n <= N; n++) {
      for (let i = 0; i < n; i++)
        await m.expect(verifyInclusion(inclusion(i, n), fast), 'accepted', () => `${i} of ${n}`)
    }
    expect(m.list).toEqual([])
  })

  it('refuses the proof of a leaf in every tree of 1 to 300 leaves when one byte of its leaf, root or any path element changes', async () => {
    const rand = prng(1)
    const m = new Misses()
    for (let n = 1; n <= N; n++) {
      // Every leaf of the trees up to 40 leaves; beyond, four leaves per size keep the file fast.
      const indices =
        n <= 40
          ? [...Array(n).keys()]
          : [0, n - 1, ...Array.from({ length: 2 }, () => Math.floor(rand() * n))]
      for (const i of indices) {
        for (const [what, c] of tamperedInclusions(inclusion(i, n), rand)) {
          await m.expect(
            verifyInclusion(c, fast),
            'ERR_PROOF_INVALID',
            () => `${what} of leaf ${i} in ${n}`,
          )
        }
      }
    }
    expect(m.list).toEqual([])
  })

  it('refuses a proof when any single byte anywhere is changed (every byte, a few shapes)', async () => {
    const m = new Misses()
    for (const [i, n] of [
      [0, 1],
      [5, 8],
      [6, 7],
      [127, 300],
      [299, 300],
    ] as const) {
      const c = inclusion(i, n)
      const parts = [c.leafHash, c.root, ...c.path]
      for (let part = 0; part < parts.length; part++) {
        for (let b = 0; b < 32; b++) {
          const [leafHash, root, ...path] = parts.map((p, k) => (k === part ? flip(p, b, 0x80) : p))
          await m.expect(
            verifyInclusion({ ...c, leafHash: leafHash!, root: root!, path }, fast),
            'ERR_PROOF_INVALID',
            () => `${i}/${n} part ${part} byte ${b}`,
          )
        }
      }
    }
    expect(m.list).toEqual([])
  })

  it('refuses a proof one hash too long or too short, for every leaf of every tree up to 100 leaves and a spread beyond', async () => {
    const extra = new Uint8Array(32)
    const m = new Misses()
    const rand = prng(3)
    for (let n = 1; n <= N; n++) {
      for (const i of n <= 100 ? [...Array(n).keys()] : [0, n - 1, Math.floor(rand() * n)]) {
        const c = inclusion(i, n)
        await m.expect(
          verifyInclusion({ ...c, path: [...c.path, extra] }, fast),
          'ERR_PROOF_INVALID',
          () => `long ${i}/${n}`,
        )
        if (c.path.length > 0)
          await m.expect(
            verifyInclusion({ ...c, path: c.path.slice(1) }, fast),
            'ERR_PROOF_INVALID',
            () => `short ${i}/${n}`,
          )
      }
    }
    expect(m.list).toEqual([])
  })

  it("refuses a proof presented for another leaf index, or for another tree size with that tree's root", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: N - 1 }), fc.nat(), fc.nat(), async (n, a, b) => {
        const i = a % n
        const j = b % n
        const c = inclusion(i, n)
        if (i !== j)
          expect(await codeOf(verifyInclusion({ ...c, index: j }, fast))).toBe('ERR_PROOF_INVALID')
        expect(await codeOf(verifyInclusion({ ...c, index: n }, fast))).toBe('ERR_PROOF_INVALID')
        expect(
          await codeOf(verifyInclusion({ ...c, size: n + 1, root: ref.mth(0, n + 1) }, fast)),
        ).toBe('ERR_PROOF_INVALID')
      }),
      { numRuns: 300 },
    )
  })

  it('refuses path elements of 31 or 33 bytes, a path that is not an array, and a negative index', async () => {
    const c = inclusion(5, 8)
    expect(
      await codeOf(verifyInclusion({ ...c, path: [c.path[0]!.slice(1), ...c.path.slice(1)] })),
    ).toBe('ERR_PROOF_INVALID')
    expect(
      await codeOf(
        verifyInclusion({ ...c, path: [Uint8Array.of(...c.path[0]!, 0), ...c.path.slice(1)] }),
      ),
    ).toBe('ERR_PROOF_INVALID')
    expect(await codeOf(verifyInclusion({ ...c, path: 'x' as unknown as Uint8Array[] }))).toBe(
      'ERR_PROOF_INVALID',
    )
    expect(await codeOf(verifyInclusion({ ...c, index: -1 }))).toBe('ERR_PROOF_INVALID')
    expect(await codeOf(verifyInclusion({ ...c, root: c.root.slice(1) }))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
  })

  it('computes path lengths for tree sizes above 2^32 without 32-bit overflow', () => {
    expect(inclusionPathLength(2 ** 40, 2 ** 40 + 1)).toBe(1)
    expect(inclusionPathLength(0, 2 ** 40 + 1)).toBe(41)
    expect(consistencyPathLength(2 ** 33, 2 ** 34)).toBe(1)
    expect(consistencyPathLength(3, 2 ** 50)).toBe(51)
  })
})
