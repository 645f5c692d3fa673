/**
 * The node as an operator starts and stops it: a profile's `start.sh`, the PID it hands back,
 * signals sent to that PID (spec 15.6), and one node per data directory (15.7). Each node here
 * is a real process, started by the script; its process group is killed at the end whatever
 * happened, so that a node left running cannot outlive the test.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { SETTINGS } from '../src/config/settings.js'
import { eventually, freePort } from './harness.js'
import { logMessages, startScript, type StartedScript } from './node-process.js'

let dir: string | undefined
const started: StartedScript[] = []

afterAll(async () => {
  for (const s of started) s.killGroup()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), 'barid-start-script-'))
  return dir
}

/** Starts Egypt Post's node on `dataDir` and `port` and waits until it is ready. */
async function startEgypt(dataDir: string, port: number): Promise<StartedScript> {
  const s = startScript('egypt-post', {
    BARID_DATA_DIR: dataDir,
    BARID_PORT: String(port),
    BARID_LOG_LEVEL: 'info',
  })
  started.push(s)
  await eventually(
    async () => {
      if (s.proc.exitCode !== null) throw new Error(`exited ${s.proc.exitCode}: ${s.stderr()}`)
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200)
    },
    60_000,
    100,
  )
  return s
}

/** Whether nothing listens on `port` (this process can bind it). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

describe('start.sh', () => {
  it('hands back the PID of the node itself, which SIGTERM drains and stops, freeing its port', async () => {
    const port = await freePort()
    const s = await startEgypt(join(await tempDir(), 'eg-term'), port)
    // The process title: what `pidof barid-node` and `pgrep -x barid-node` find.
    expect((await readFile(`/proc/${s.proc.pid}/comm`, 'utf8')).trim()).toBe('barid-node')

    s.proc.kill('SIGTERM')
    expect(await s.exited).toBe(0)
    const said = logMessages(s.stdout())
    expect(said).toContain('node stopping: draining')
    expect(said.at(-1)).toBe('node stopped')
    expect(await portFree(port)).toBe(true)
  }, 90_000)

  it('starts no second node on a data directory in use, backs the first up, and starts one at once after a kill -9', async () => {
    const dataDir = join(await tempDir(), 'eg-lock')
    const first = await startEgypt(dataDir, await freePort())

    const secondPort = await freePort()
    const second = startScript('egypt-post', {
      BARID_DATA_DIR: dataDir,
      BARID_PORT: String(secondPort),
      BARID_LOG_LEVEL: 'silent',
    })
    started.push(second)
    // Bounded: before the lock, the second node ran on and this waited for ever.
    const stillRunning = new Promise((r) => setTimeout(() => r('still running'), 60_000).unref())
    expect(await Promise.race([second.exited, stillRunning])).toBe(1)
    const lines = second.stderr().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toBe(
      `barid-node: cannot start: data directory ${dataDir} is in use by another node ` +
        `(PID ${first.proc.pid}) (ERR_UNAVAILABLE)`,
    )
    expect(await portFree(secondPort)).toBe(true)
    // A backup is no second node: it reads the running node's database (spec 15.8).
    const backup = startScript('egypt-post', { BARID_DATA_DIR: dataDir }, [
      'backup',
      '--to',
      join(await tempDir(), 'eg-lock-backup'),
    ])
    started.push(backup)
    expect(await backup.exited).toBe(0)
    expect(JSON.parse(backup.stdout())).toMatchObject({ operator: 'post.eg' })

    // A crash leaves nothing behind that blocks the next start.
    first.proc.kill('SIGKILL')
    await first.exited
    const third = await startEgypt(dataDir, await freePort())
    third.proc.kill('SIGTERM')
    expect(await third.exited).toBe(0)
  }, 120_000)
})

describe('start.sh --help', () => {
  it('prints the usage and every setting the node reads, and starts no node', async () => {
    for (const profile of ['egypt-post', 'denmark']) {
      const dataDir = join(await tempDir(), `help-${profile}`)
      const script = fileURLToPath(new URL(`../../${profile}/start.sh`, import.meta.url))
      const r = spawnSync(script, ['--help'], {
        encoding: 'utf8',
        env: { ...process.env, BARID_DATA_DIR: dataDir },
        timeout: 30_000,
      })
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' })
      expect(r.stdout).toMatch(/^usage: barid-node /)
      // Each setting by its config path, and by its environment variable where it has one.
      for (const s of SETTINGS) {
        expect(r.stdout, s.path).toContain(`\n  ${s.path}${s.env ? ` (${s.env})` : ''}\n`)
      }
      expect(r.stdout).toContain('BARID_COMPILED')
      expect(existsSync(dataDir)).toBe(false)
    }
  })
})

describe('start-profile.sh before the workspace is installed', () => {
  it('says to run the bootstrap instead of failing inside Node on a missing package', async () => {
    // A fresh clone: the script where it lives, next to no node_modules.
    const root = join(await tempDir(), 'fresh-clone')
    await mkdir(join(root, 'nodes', 'node', 'scripts'), { recursive: true })
    await mkdir(join(root, 'nodes', 'egypt-post'))
    const script = join(root, 'nodes', 'node', 'scripts', 'start-profile.sh')
    await copyFile(fileURLToPath(new URL('../scripts/start-profile.sh', import.meta.url)), script)
    for (const compiled of ['', '1']) {
      const r = spawnSync('sh', [script, join(root, 'nodes', 'egypt-post')], {
        encoding: 'utf8',
        env: { ...process.env, BARID_COMPILED: compiled },
      })
      expect({ compiled, status: r.status, stderr: r.stderr }).toEqual({
        compiled,
        status: 1,
        stderr:
          `start: ${join(root, 'nodes', 'node', 'node_modules')} is missing: the workspace is ` +
          'not installed; run npm run bootstrap at the root of the repository first\n',
      })
    }
  })
})
