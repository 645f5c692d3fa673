/**
 * Crash safety: both nodes run as child processes and are killed with SIGKILL (no chance to
 * clean up) while a batch of letters is being accepted and relayed. After restarts from the same
 * data directories, every letter is in its mailbox exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sealFor } from './clients.js'
import { eventually } from './harness.js'
import { etaAndLars, processPair } from './node-process.js'

describe('kill -9', () => {
  it('loses nothing and duplicates nothing when both nodes are killed mid-stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'barid-kill9-'))
    const { eg, dk } = await processPair(dir)
    try {
      await Promise.all([eg.start(), dk.start()])
      const { eta, etaAddress, etaKeys, lars, to } = await etaAndLars(eg, dk)
      const letters: Awaited<ReturnType<typeof sealFor>>[] = []
      for (let i = 0; i < 40; i++) {
        letters.push(
          await sealFor({
            from: { address: etaAddress, keys: etaKeys },
            to: [{ address: to.address, keys: to }],
            kind: 'registered',
            subject: `n${i}`,
            body: `letter ${i}`,
            lang: 'en',
          }),
        )
      }
      const { batchId } = await eta.submitBatch(letters.map((l) => l.bytes))
      await new Promise((r) => setTimeout(r, 40))
      await dk.kill9()
      await new Promise((r) => setTimeout(r, 100))
      await eg.kill9()
      await Promise.all([eg.start(), dk.start()])
      await eventually(
        async () => expect((await eta.batch(batchId)).processed).toBe(40),
        30_000,
        100,
      )
      await new Promise((r) => setTimeout(r, 30))
      await eg.kill9()
      await eg.start()
      await eventually(
        async () => {
          const list = await lars.list('/letters', 'limit=200')
          expect(list.letters.length).toBe(40)
        },
        30_000,
        100,
      )
      const list = await lars.list('/letters', 'limit=200')
      expect(new Set(list.letters.map((l) => l.letterId))).toEqual(
        new Set(letters.map((l) => l.id)),
      )
      await eventually(
        async () => {
          for (const l of letters)
            expect((await eta.status(l.id)).recipients[0]!.state).toBe('delivered')
        },
        30_000,
        100,
      )
    } finally {
      await Promise.all([eg.stop(), dk.stop()])
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
