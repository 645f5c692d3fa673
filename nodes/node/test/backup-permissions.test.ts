/**
 * A backup holds the node's private keys and its database (mailboxes' identifiers, letters), so
 * it is kept as the data directory is (spec 15.1, 15.8): readable by the node's user only, even
 * when the operator made the empty target beforehand with the usual 0755, as a backup mount or a
 * dated folder is made. And it holds state only: not the running node's lock, whose journal the
 * lock's open transaction leaves beside it.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { startNode } from '../src/node.js'
import { backupNode } from '../src/ops/backup.js'
import { LOCK_FILE } from '../src/storage/data-dir-lock.js'

let dir: string | undefined
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const modeOf = async (path: string) => (await stat(path)).mode & 0o777

describe('a node backup', () => {
  it('is private to the node user in a target made beforehand, and holds no lock', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-backup-modes-'))
    const config = await loadConfig({
      profile: new URL('../../denmark', import.meta.url).pathname,
      overrides: { dataDir: join(dir, 'dk'), port: 0, logLevel: 'silent' },
    })
    await using node = await startNode(config)
    expect(await readdir(node.config.dataDir)).toContain(`${LOCK_FILE}-journal`)
    const target = join(dir, 'backups', '2026-11-29')
    await mkdir(target, { recursive: true })
    await chmod(target, 0o755)

    const manifest = await backupNode(node.config, target)

    expect(await modeOf(target)).toBe(0o700)
    expect(await modeOf(join(target, 'node.db'))).toBe(0o600)
    expect(await modeOf(join(target, 'backup.json'))).toBe(0o600)
    expect(await modeOf(join(target, 'operator', 'node.key.jwk'))).toBe(0o600)
    expect(manifest.files.filter((f) => f.startsWith(LOCK_FILE))).toEqual([])
    expect(await readdir(target)).not.toContain(`${LOCK_FILE}-journal`)
  }, 60_000)
})
