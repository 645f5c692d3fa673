/**
 * One node per data directory (spec 15.7), in one process as the tests and an embedding process
 * run nodes: a second start on a directory in use is refused, here and from another process, and
 * stays refused after a backup of the running node (which must not drop the lock); a stop, or a
 * start that failed, gives the directory back at once. Nodes in separate processes and
 * `kill -9`: `test/start-script.test.ts`.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { startNode } from '../src/node.js'
import { backupNode } from '../src/ops/backup.js'
import { LOCK_FILE, PID_FILE } from '../src/storage/data-dir-lock.js'
import { startPair } from './harness.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

/**
 * What another process is told when it tries to lock `dataDir`: SQLite keeps nodes of one
 * process apart by itself, so only another process sees whether the OS lock is still there.
 */
async function lockFromAnotherProcess(dataDir: string): Promise<string> {
  const probe =
    "const { lockDataDir } = await import('./src/storage/data-dir-lock.ts');" +
    'try { await lockDataDir(process.argv[1]); console.log("held") }' +
    ' catch (e) { console.log(e.message) }'
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', probe, dataDir],
    { cwd: NODE_DIR },
  )
  return stdout.trim()
}

/** Files under `dataDir` this process holds open (Linux: its descriptors in /proc/self/fd). */
async function openIn(dataDir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd')
  const targets = await Promise.all(
    fds.map((fd) => readlink(join('/proc/self/fd', fd)).catch(() => '')),
  )
  return targets.filter((t) => t.startsWith(`${dataDir}/`))
}

let dir: string | undefined
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('the data directory lock', () => {
  it('refuses a second node on a directory in use, even after a backup, until the first stops', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-lock-'))
    await using pair = await startPair()
    const config = pair.configs.dk
    const refusal = {
      code: 'ERR_UNAVAILABLE',
      message: `data directory ${config.dataDir} is in use by another node (PID ${process.pid})`,
    }
    expect(await readFile(join(config.dataDir, PID_FILE), 'utf8')).toBe(`${process.pid}\n`)
    await expect(startNode(config, { listen: false })).rejects.toMatchObject(refusal)
    expect(await lockFromAnotherProcess(config.dataDir)).toBe(refusal.message)

    const manifest = await backupNode(config, join(dir, 'backup'))
    // Neither the lock nor the PID belongs to a copy: a node started on it is not this one.
    expect(manifest.files).not.toContain(LOCK_FILE)
    expect(manifest.files).not.toContain(PID_FILE)
    await expect(startNode(config, { listen: false })).rejects.toMatchObject(refusal)
    expect(await lockFromAnotherProcess(config.dataDir)).toBe(refusal.message)

    await pair.stop('dk')
    await expect(readFile(join(config.dataDir, PID_FILE))).rejects.toMatchObject({
      code: 'ENOENT',
    })
    await pair.start('dk')
    expect(await readFile(join(config.dataDir, PID_FILE), 'utf8')).toBe(`${process.pid}\n`)
  }, 60_000)

  it('gives the directory back when a start fails', async () => {
    await using pair = await startPair()
    await pair.stop('dk')
    const taken: Server = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    try {
      const port = (taken.address() as { port: number }).port
      const busy = { ...pair.configs.dk, host: '127.0.0.1', port }
      await expect(startNode(busy)).rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      await new Promise((r) => taken.close(r))
    }
    await pair.start('dk')
    await expect(lockFromAnotherProcess(pair.configs.dk.dataDir)).resolves.toMatch(/in use/)
  }, 60_000)

  it('closes the database and all else it opened when a later step of the start fails, and starts again', async () => {
    await using pair = await startPair()
    await pair.stop('dk')
    const config = pair.configs.dk
    expect(await openIn(config.dataDir)).toEqual([])
    // The development identity provider's key is read after the database is open.
    const idpKey = join(config.dataDir, 'keys', 'dev-idp.json')
    const good = await readFile(idpKey, 'utf8')
    await writeFile(idpKey, 'not a key')
    await expect(startNode(config, { listen: false })).rejects.toThrow(SyntaxError)
    expect(await openIn(config.dataDir)).toEqual([])
    await expect(readFile(join(config.dataDir, PID_FILE))).rejects.toMatchObject({
      code: 'ENOENT',
    })
    await writeFile(idpKey, good)
    const dk = await pair.start('dk')
    expect(await openIn(config.dataDir)).toContain(config.dbFile)
    expect(await dk.services.storage.queueDepth()).toEqual([])
  }, 60_000)
})
