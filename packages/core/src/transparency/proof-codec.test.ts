import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeStrict, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { buildLog } from '../../test/transparency-keys.js'
import {
  consistencyProofValue,
  inclusionProofValue,
  readConsistencyProof,
  readInclusionProof,
} from './proof-codec.js'

function codeOf(f: () => unknown): string {
  try {
    f()
    return 'accepted'
  } catch (e) {
    return e instanceof BaridError ? e.code : String(e)
  }
}

describe('proofs on the wire', () => {
  it('round-trip through canonical CBOR', async () => {
    const log = await buildLog(50)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.nat(), async (n, a) => {
        const i = a % n
        const inc = await log.inclusionProof(i, n)
        expect(readInclusionProof(decodeStrict(encodeCanonical(inclusionProofValue(inc))))).toEqual(
          inc,
        )
        const con = await log.consistencyProof(i, n)
        expect(
          readConsistencyProof(decodeStrict(encodeCanonical(consistencyProofValue(con)))),
        ).toEqual(con)
      }),
      { numRuns: 50 },
    )
  })

  it('refuses the wrong shape with ERR_PROOF_INVALID', () => {
    const h = new Uint8Array(32)
    const map = (e: [CborKey, CborValue][]) => new Map<CborKey, CborValue>(e)
    expect(codeOf(() => readInclusionProof([]))).toBe('ERR_PROOF_INVALID')
    expect(
      codeOf(() =>
        readInclusionProof(
          map([
            ['index', 0],
            ['size', 1],
            ['path', [h.slice(1)]],
          ]),
        ),
      ),
    ).toBe('ERR_PROOF_INVALID')
    expect(
      codeOf(() =>
        readInclusionProof(
          map([
            ['index', 0],
            ['size', 0],
            ['path', []],
          ]),
        ),
      ),
    ).toBe('ERR_PROOF_INVALID')
    expect(
      codeOf(() =>
        readInclusionProof(
          map([
            ['index', 0],
            ['size', 1],
            ['path', []],
            ['x', 1],
          ]),
        ),
      ),
    ).toBe('ERR_PROOF_INVALID')
    expect(
      codeOf(() =>
        readConsistencyProof(
          map([
            ['first', 0],
            ['second', 1],
            ['path', Array(129).fill(h)],
          ]),
        ),
      ),
    ).toBe('ERR_PROOF_INVALID')
    expect(
      codeOf(() =>
        readConsistencyProof(
          map([
            ['first', -1],
            ['second', 1],
            ['path', []],
          ]),
        ),
      ),
    ).toBe('ERR_PROOF_INVALID')
  })
})
