import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { T0, makeParties, type Parties } from '../../test/transparency-keys.js'
import { ReferenceTree, makeLeaves, nodeSha256 } from '../../test/transparency-reference.js'
import { verifyCheckpoint } from './checkpoint.js'
import { leafHash } from './hash.js'
import { openLog, type MerkleLog } from './log.js'
import { createSequencer, type CommittedBatch, type Scheduler } from './sequencer.js'
import { createMemoryLogStore } from './store.js'
import { verifyInclusion } from './verify-proof.js'

const fast = { sha256: nodeSha256 }
const leaves = makeLeaves(200)
const ref = new ReferenceTree(leaves)
let p: Parties

/** A timer the test fires by hand. */
function manualClock(): { schedule: Scheduler; fire: () => void; armed: () => number } {
  const timers = new Set<() => void>()
  return {
    schedule(callback) {
      timers.add(callback)
      return () => timers.delete(callback)
    },
    fire() {
      const due = [...timers]
      timers.clear()
      for (const t of due) t()
    },
    armed: () => timers.size,
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

async function newLog(): Promise<MerkleLog> {
  return openLog({ store: createMemoryLogStore(), maxBatch: 50, ...fast })
}

beforeAll(async () => {
  p = await makeParties()
})

describe('the log sequencer', () => {
  it('closes a batch when it is full, without waiting for the timer', async () => {
    const clock = manualClock()
    const seq = createSequencer({ log: await newLog(), maxBatch: 4, schedule: clock.schedule })
    const results = await Promise.all(leaves.slice(0, 4).map((l) => seq.add(l)))
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3])
    expect(results[0]!.batch.root).toEqual(ref.mth(0, 4))
  })

  it('closes a batch when its interval ends, and signs one checkpoint for it that covers every entry', async () => {
    const clock = manualClock()
    const log = await newLog()
    const seq = createSequencer({
      log,
      maxBatch: 10,
      schedule: clock.schedule,
      checkpoint: { logId: p.log.id, signer: p.log.keys, now: () => T0 },
    })
    const pending = leaves.slice(0, 3).map((l) => seq.add(l))
    await tick()
    expect(log.size).toBe(0)
    expect(clock.armed()).toBe(1)
    clock.fire()
    const results = await Promise.all(pending)
    const cp = await verifyCheckpoint(results[0]!.batch.checkpoint!.bytes, {
      resolveKey: p.resolve,
    })
    expect(cp.size).toBe(3)
    for (const r of results) {
      const proof = await log.inclusionProof(r.index, cp.size)
      await verifyInclusion({
        leafHash: await leafHash(leaves[r.index]!),
        index: r.index,
        size: cp.size,
        path: proof.path,
        root: cp.root,
      })
    }
  })

  it('commits every entry exactly once, in order, in batches of at most maxBatch, whatever the arrival pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 60 }),
        async (pattern) => {
          const clock = manualClock()
          const batches: CommittedBatch[] = []
          const seq = createSequencer({
            log: await newLog(),
            maxBatch: 5,
            schedule: clock.schedule,
            onCommit: (b) => void batches.push(b),
          })
          const all: Promise<{ index: number }>[] = []
          const done = new Set<number>()
          let next = 0
          // 0: the interval ends; k > 0: k entries arrive.
          for (const step of pattern) {
            if (step === 0) {
              const waiting = next
              clock.fire()
              for (let t = 0; t < 5 && done.size < waiting; t++) await tick()
              // Nothing waits past the end of its interval.
              expect(done.size).toBe(waiting)
            }
            for (let k = 0; k < step; k++) {
              const at = next++
              all.push(seq.add(leaves[at]!).then((r) => (done.add(at), r)))
            }
            await tick()
          }
          await seq.close()
          const indices = (await Promise.all(all)).map((r) => r.index)
          expect(indices).toEqual([...indices.keys()])
          expect(batches.every((b) => b.size - b.first <= 5)).toBe(true)
          expect(batches.at(-1)?.size ?? 0).toBe(next)
          if (next > 0) expect(batches.at(-1)!.root).toEqual(ref.mth(0, next))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses entries beyond its queue bound, and after it is closed', async () => {
    const clock = manualClock()
    const seq = createSequencer({
      log: await newLog(),
      maxBatch: 10,
      maxPending: 3,
      schedule: clock.schedule,
    })
    const ok = leaves.slice(0, 3).map((l) => seq.add(l))
    await expect(seq.add(leaves[3]!)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(seq.pending).toBe(3)
    await seq.close()
    await Promise.all(ok)
    await expect(seq.add(leaves[4]!)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(clock.armed()).toBe(0)
  })

  it('rejects the entries of a batch whose commit hook fails, which stay in the log, and goes on', async () => {
    const clock = manualClock()
    const log = await newLog()
    let fail = true
    const seq = createSequencer({
      log,
      maxBatch: 2,
      schedule: clock.schedule,
      onCommit: () => {
        if (fail) {
          fail = false
          throw new BaridError('ERR_INTERNAL', 'checkpoint store down')
        }
      },
    })
    const first = leaves.slice(0, 2).map((l) => seq.add(l))
    for (const f of first) await expect(f).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
    expect(log.size).toBe(2)
    const second = await Promise.all(leaves.slice(2, 4).map((l) => seq.add(l)))
    expect(second.map((r) => r.index)).toEqual([2, 3])
  })

  it("refuses a leaf that is not bytes or is too large, and a batch size above the log's", async () => {
    const log = await openLog({
      store: createMemoryLogStore(),
      maxBatch: 5,
      maxLeafBytes: 4,
      ...fast,
    })
    const seq = createSequencer({ log, schedule: manualClock().schedule })
    await expect(seq.add(new Uint8Array(5))).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' })
    await expect(seq.add('x' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
    expect(() => createSequencer({ log, maxBatch: 6 })).toThrow(BaridError)
  })
})
