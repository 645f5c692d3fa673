/**
 * The node as an operator runs it in production: compiled to JavaScript (`pnpm build`) and
 * started by plain Node (`pnpm serve`), with no TypeScript loader. Node 20 cannot load a `.ts`
 * module, so the node starting at all shows that it, `@barid/core` and `@barid/cli` ran from
 * their builds (the `barid-dist` export condition). On its first start it makes its
 * development federation with the compiled CLI; its key-discovery document, signed by
 * compiled core, verifies under that federation's trust list; SIGTERM stops it cleanly.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { endProcess, eventually, freePort, publishedKeys, trustFrom } from './harness.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

let dir: string | undefined
let proc: ChildProcess | undefined

afterAll(async () => {
  await endProcess(proc, 'SIGKILL')
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('the compiled node', () => {
  it('builds, starts in plain Node, makes its development federation, signs what verifies, and stops on SIGTERM', async () => {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], {
      cwd: NODE_DIR,
      timeout: 240_000,
    })
    dir = await mkdtemp(join(tmpdir(), 'barid-compiled-'))
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const dataDir = join(dir, 'data')
    const child = spawn(
      process.execPath,
      ['--conditions=barid-dist', 'dist/main.js', '--profile', '../egypt-post'],
      {
        cwd: NODE_DIR,
        env: { ...process.env, BARID_DATA_DIR: dataDir, BARID_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    proc = child
    let log = ''
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 30_000, 100)

    const fed = join(dataDir, 'federation')
    const store = await trustFrom(join(fed, 'trust-list.cose'), join(fed, 'governance.pub.jwk'))
    expect((await publishedKeys(url, 'post.eg', store)).keys).toHaveLength(1)

    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; url?: string })
    expect(lines.find((l) => l.msg === 'node started')?.url).toBe(url)
  }, 300_000)
})
