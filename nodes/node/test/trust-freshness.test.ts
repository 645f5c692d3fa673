/**
 * The periodic trust list check (spec 20.6): every cycle says when the held list is stale, even
 * when reading the configured list file fails that cycle, which is when it matters most (the
 * list that would have made it fresh again cannot be read). A reload that keeps failing the same
 * way is logged once, not every cycle; again when its error changes, and when it works again.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
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

  it('logs a reload that keeps failing the same way once, and again when it changes or recovers', async () => {
    await using pair = await startPair({ config: { trust: { reloadIntervalMs: 20 } } })
    await pair.stop('eg')
    const lines: { level: string; msg: string; code?: string | null }[] = []
    const log = createLogger({ level: 'info', write: (l) => lines.push(JSON.parse(l)) })
    await pair.start('eg', { log })
    const failures = () => lines.filter((l) => l.msg === 'trust list reload failed')
    const file = pair.configs.eg.trust.listFile!
    const list = await readFile(file)

    // Unreadable (a directory in its place) for many cycles: said once.
    await rm(file)
    await mkdir(file)
    await eventually(async () => expect(failures()).toHaveLength(1))
    await sleep(400)
    expect(failures()).toHaveLength(1)

    // Readable, but not a trust list: another error, said once too.
    await rm(file, { recursive: true })
    await writeFile(file, 'not a trust list')
    await eventually(async () => expect(failures()).toHaveLength(2))
    await sleep(400)
    expect(failures()).toHaveLength(2)
    expect(failures()[1]!.code).not.toBe(failures()[0]!.code)
    expect(lines.map((l) => l.msg)).not.toContain('trust list reload works again')

    // The list again: said once that it works, and nothing more.
    await writeFile(file, list)
    await eventually(async () =>
      expect(lines.filter((l) => l.msg === 'trust list reload works again')).toHaveLength(1),
    )
    await sleep(200)
    expect(failures()).toHaveLength(2)
    expect(lines.filter((l) => l.msg === 'trust list reload works again')).toHaveLength(1)
  }, 60_000)
})
