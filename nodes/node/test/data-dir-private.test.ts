/**
 * A node's data directory holds its private keys and its database (mailboxes' identifiers,
 * letters), so it is the node user's alone (spec 15.1), also when the operator made it
 * beforehand with the usual 0755, as systemd's StateDirectory= or a plain mkdir does: the node
 * makes it private on start and says so once.
 */
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { startNode } from '../src/node.js'
import { createLogger } from '../src/ops/logger.js'

let dir: string | undefined
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const modeOf = async (path: string) => (await stat(path)).mode & 0o777

describe('a data directory made beforehand', () => {
  it('is made private to the node user on start, with one warning saying so', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-data-private-'))
    const dataDir = join(dir, 'dk')
    await mkdir(dataDir)
    await chmod(dataDir, 0o755)
    const config = await loadConfig({
      profile: new URL('../../denmark', import.meta.url).pathname,
      overrides: { dataDir, port: 0, logLevel: 'warn' },
    })
    const lines: string[] = []
    const log = createLogger({ level: 'warn', write: (l) => lines.push(l) })
    {
      await using node = await startNode(config, { log })
      expect(await modeOf(node.config.dataDir)).toBe(0o700)
    }
    const said = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(said).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('0700'), was: '755' }),
    )
    // A private directory stays as it is, with nothing said.
    lines.length = 0
    {
      await using node = await startNode(config, { log })
      expect(await modeOf(node.config.dataDir)).toBe(0o700)
    }
    expect(lines.filter((l) => l.includes('0700'))).toEqual([])
  }, 60_000)
})
