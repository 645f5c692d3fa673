import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { prng } from '../../test/transparency-reference.js'
import {
  Misses,
  N,
  codeOf,
  consistency,
  fast,
  ref,
  tamperedConsistencies,
} from '../../test/transparency-claims.js'
import { EMPTY_ROOT } from './hash.js'
import { verifyConsistency } from './verify-proof.js'

describe('consistency proofs (RFC 9162 2.1.4)', () => {
  it('verifies the RFC-defined proof between every pair of sizes m <= n <= 300', async () => {
    const m = new Misses()
    for (let n = 0; n <= N; n++) {
      for (let f = 0; f <= n; f++)
        await m.expect(verifyConsistency(consistency(f, n), fast), 'accepted', () => `${f} -> ${n}`)
    }
    expect(m.list).toEqual([])
  })

  it('refuses such a proof when one byte of either root or any path element changes', async () => {
    const rand = prng(2)
    const m = new Misses()
    for (let n = 1; n <= N; n++) {
      // Every first size for trees up to 40 leaves; beyond, four per size keep the file fast.
      const firsts =
        n <= 40
          ? [...Array(n + 1).keys()]
          : [1, n - 1, ...Array.from({ length: 2 }, () => Math.floor(rand() * (n + 1)))]
      for (const f of firsts) {
        for (const [what, c] of tamperedConsistencies(consistency(f, n), rand)) {
          await m.expect(
            verifyConsistency(c, fast),
            'ERR_PROOF_INVALID',
            () => `${what} of ${f} -> ${n}`,
          )
        }
      }
    }
    expect(m.list).toEqual([])
  })

  it('refuses a proof one hash too long or too short between every pair of sizes up to 100 and a spread beyond', async () => {
    const extra = new Uint8Array(32)
    const m = new Misses()
    const rand = prng(4)
    for (let n = 1; n <= N; n++) {
      for (const f of n <= 100
        ? [...Array(n + 1).keys()]
        : [0, 1, n - 1, n, Math.floor(rand() * n)]) {
        const c = consistency(f, n)
        await m.expect(
          verifyConsistency({ ...c, path: [...c.path, extra] }, fast),
          'ERR_PROOF_INVALID',
          () => `long ${f} -> ${n}`,
        )
        if (c.path.length > 0)
          await m.expect(
            verifyConsistency({ ...c, path: c.path.slice(0, -1) }, fast),
            'ERR_PROOF_INVALID',
            () => `short ${f} -> ${n}`,
          )
      }
    }
    expect(m.list).toEqual([])
  })

  it("refuses a proof presented with the sizes swapped, or for another first size with that tree's root", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: N }), fc.nat(), async (n, a) => {
        const f = 1 + (a % (n - 2))
        const c = consistency(f, n)
        expect(
          await codeOf(
            verifyConsistency(
              { ...c, first: n, second: f, firstRoot: c.secondRoot, secondRoot: c.firstRoot },
              fast,
            ),
          ),
        ).toBe('ERR_PROOF_INVALID')
        expect(
          await codeOf(
            verifyConsistency({ ...c, first: f + 1, firstRoot: ref.mth(0, f + 1) }, fast),
          ),
        ).toBe('ERR_PROOF_INVALID')
      }),
      { numRuns: 300 },
    )
  })

  it('fixes the two cases the RFC leaves to the caller: a first size of 0, and equal sizes', async () => {
    const c = consistency(5, 5)
    await expect(verifyConsistency(c)).resolves.toBeUndefined()
    expect(await codeOf(verifyConsistency({ ...c, secondRoot: ref.mth(0, 6) }))).toBe(
      'ERR_PROOF_INVALID',
    )
    expect(await codeOf(verifyConsistency({ ...c, path: [c.firstRoot] }))).toBe('ERR_PROOF_INVALID')
    const fromEmpty = {
      first: 0,
      second: 9,
      firstRoot: EMPTY_ROOT,
      secondRoot: ref.mth(0, 9),
      path: [],
    }
    await expect(verifyConsistency(fromEmpty)).resolves.toBeUndefined()
    expect(await codeOf(verifyConsistency({ ...fromEmpty, firstRoot: ref.mth(0, 1) }))).toBe(
      'ERR_PROOF_INVALID',
    )
    expect(await codeOf(verifyConsistency({ ...fromEmpty, path: [EMPTY_ROOT] }))).toBe(
      'ERR_PROOF_INVALID',
    )
  })
})
