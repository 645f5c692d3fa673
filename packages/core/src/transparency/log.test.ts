import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { ReferenceTree, makeLeaves, nodeSha256 } from '../../test/transparency-reference.js'
import { bytesEqual } from '../bytes.js'
import { leafHash } from './hash.js'
import { openLog } from './log.js'
import { createMemoryLogStore, type LogStore } from './store.js'
import { verifyConsistency, verifyInclusion } from './verify-proof.js'
import { codeOf } from '../../test/code-of.js'

const fast = { sha256: nodeSha256 }
const leaves = makeLeaves(300)
const ref = new ReferenceTree(leaves)


function samePath(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((h, j) => bytesEqual(h, b[j]!))
}

/** Splits `n` leaves into batches of the given sizes (cycled). */
function batches(n: number, sizes: readonly number[]): Uint8Array[][] {
  const out: Uint8Array[][] = []
  for (let at = 0, k = 0; at < n; k++) {
    const b = Math.min(sizes[k % sizes.length]!, n - at)
    out.push(leaves.slice(at, at + b))
    at += b
  }
  return out
}

describe('the append-only log', () => {
  it('has the RFC root after every append, however the leaves are batched', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (n, sizes) => {
          const log = await openLog({ store: createMemoryLogStore(), ...fast })
          let size = 0
          for (const b of batches(n, sizes)) {
            const r = await log.append(b)
            expect(r.first).toBe(size)
            size += b.length
            expect(r.size).toBe(size)
            expect(r.root).toEqual(ref.mth(0, size))
          }
          expect(log.size).toBe(n)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('serves the RFC inclusion path of every leaf and the RFC consistency proof of every pair, for every past size up to 100', async () => {
    const log = await openLog({ store: createMemoryLogStore(), ...fast })
    for (const b of batches(100, [7, 1, 30])) await log.append(b)
    const misses: string[] = []
    for (let n = 0; n <= 100; n++) {
      if (!bytesEqual(await log.root(n), ref.mth(0, n))) misses.push(`root ${n}`)
      for (let i = 0; i < n; i++) {
        if (!samePath((await log.inclusionProof(i, n)).path, ref.path(i, 0, n)))
          misses.push(`path ${i}/${n}`)
      }
      for (let m = 0; m <= n; m++) {
        if (!samePath((await log.consistencyProof(m, n)).path, ref.proof(m, n)))
          misses.push(`proof ${m}->${n}`)
      }
    }
    expect(misses).toEqual([])
  })

  it('serves proofs that verify, from a large log, reading O(log n) nodes and appending with no reads', async () => {
    const store = createMemoryLogStore()
    const log = await openLog({ store, ...fast })
    const n = 33_001 // past 2^15 and not a power of two, so the right edge is ragged
    for (let at = 0; at < n; at += 1000) {
      await log.append(
        Array.from({ length: Math.min(1000, n - at) }, (_, i) =>
          Uint8Array.of(at + i, (at + i) >> 8, (at + i) >> 16),
        ),
      )
    }
    expect(store.reads).toBe(0)
    const root = await log.root()
    for (const i of [0, 1, 4095, 32_768, 32_999, 33_000]) {
      const before = store.reads
      const p = await log.inclusionProof(i)
      expect(store.reads - before).toBeLessThanOrEqual(2 * 16)
      const leaf = Uint8Array.of(i, i >> 8, i >> 16)
      await verifyInclusion(
        { leafHash: await leafHash(leaf, fast), index: i, size: n, path: p.path, root },
        fast,
      )
    }
    for (const m of [1, 2, 1000, 32_768, 32_769, 33_000]) {
      const before = store.reads
      const p = await log.consistencyProof(m)
      expect(store.reads - before).toBeLessThanOrEqual(3 * 16)
      await verifyConsistency(
        { first: m, second: n, firstRoot: await log.root(m), secondRoot: root, path: p.path },
        fast,
      )
    }
  })

  it('reopens from its store with the same root, and goes on appending from there', async () => {
    const store = createMemoryLogStore()
    const a = await openLog({ store, ...fast })
    await a.append(leaves.slice(0, 77))
    const b = await openLog({ store, ...fast })
    expect(b.size).toBe(77)
    expect(await b.root()).toEqual(ref.mth(0, 77))
    const r = await b.append(leaves.slice(77, 200))
    expect(r.root).toEqual(ref.mth(0, 200))
  })

  it('serialises concurrent appends into consecutive ranges', async () => {
    const log = await openLog({ store: createMemoryLogStore(), ...fast })
    const results = await Promise.all(batches(120, [10, 3, 17]).map((b) => log.append(b)))
    let next = 0
    for (const r of results) {
      expect(r.first).toBe(next)
      next = r.size
    }
    expect(await log.root()).toEqual(ref.mth(0, 120))
  })

  it('is unchanged when its store refuses a commit, and the next append works', async () => {
    const inner = createMemoryLogStore()
    let fail = true
    const store: LogStore = {
      size: () => inner.size(),
      getNodes: (ids) => inner.getNodes(ids),
      commit(c) {
        if (fail) {
          fail = false
          throw new BaridError('ERR_INTERNAL', 'disk full')
        }
        return inner.commit(c)
      },
    }
    const log = await openLog({ store, ...fast })
    expect(await codeOf(log.append(leaves.slice(0, 5)))).toBe('ERR_INTERNAL')
    expect(log.size).toBe(0)
    expect((await log.append(leaves.slice(0, 5))).root).toEqual(ref.mth(0, 5))
  })

  it('refuses a second writer whose view of the store is out of date', async () => {
    const store = createMemoryLogStore()
    const a = await openLog({ store, ...fast })
    const b = await openLog({ store, ...fast })
    await a.append(leaves.slice(0, 3))
    expect(await codeOf(b.append(leaves.slice(3, 4)))).toBe('ERR_INTERNAL')
  })

  it('refuses indices and sizes beyond the log, empty and oversized batches, and oversized leaves', async () => {
    const log = await openLog({
      store: createMemoryLogStore(),
      maxBatch: 10,
      maxLeafBytes: 8,
      ...fast,
    })
    await log.append(leaves.slice(0, 5))
    expect(await codeOf(log.inclusionProof(5))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(await codeOf(log.inclusionProof(0, 6))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(await codeOf(log.inclusionProof(-1))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(await codeOf(log.inclusionProof(0.5))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(await codeOf(log.consistencyProof(4, 3))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(await codeOf(log.consistencyProof(1, 6))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(await codeOf(log.root(6))).toBe('ERR_LOG_INDEX_OUT_OF_RANGE')
    expect(await codeOf(log.append([]))).toBe('ERR_INVALID_ARGUMENT')
    expect(await codeOf(log.append(makeLeaves(11)))).toBe('ERR_INPUT_TOO_LARGE')
    expect(await codeOf(log.append([new Uint8Array(9)]))).toBe('ERR_INPUT_TOO_LARGE')
    expect(log.size).toBe(5)
  })
})
