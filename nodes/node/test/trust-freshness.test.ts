/**
 * The periodic trust list check (spec 20.6): every cycle says when the held list is stale, even
 * when reading the configured list file fails that cycle, which is when it matters most (the
 * list that would have made it fresh again cannot be read).
 */
import { mkdir, rm } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/ops/logger.js'
import { clockControl } from '../src/test-control/clock.js'
import { eventually, startPair } from './harness.js'

const SECRET = 'test-control-secret-for-the-trust-freshness-test'
/** Past the list's next-update (7 days after issue) but within the maximum staleness (72 h). */
const INTO_STALENESS = (7 * 24 + 1) * 3600_000

describe('the periodic trust list check', () => {
  it('warns that the held list is stale even when the list file cannot be read that cycle', async () => {
    await using pair = await startPair({
      config: { testControlSecret: SECRET, trust: { reloadIntervalMs: 50 } },
    })
    await pair.stop('eg')
    const lines: { level: string; msg: string; code?: string }[] = []
    const log = createLogger({ level: 'warn', write: (l) => lines.push(JSON.parse(l)) })
    const eg = await pair.start('eg', { log })
    // The configured file becomes unreadable (a directory in its place), and the list stale.
    const file = pair.configs.eg.trust.listFile!
    await rm(file)
    await mkdir(file)
    clockControl(eg.services.now)!.advance(INTO_STALENESS)
    expect(eg.services.trust.held.store.freshness().state).toBe('stale')
    await eventually(async () => {
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'error', msg: 'trust list reload failed' }),
      )
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'trust list is stale' }),
      )
    })
  }, 60_000)
})
