/**
 * @module launcher/reference-nodes
 * Starts two reference nodes (Egypt Post as node A, Denmark as node B) as separate processes on
 * free loopback ports, exactly as an operator starts one (`node --import tsx src/main.ts
 * --profile …`), with test control enabled (spec 30.4) and optionally as a mutant (30.7). The
 * suite then reaches them over HTTP only, as it would any implementation.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))

/** The reference node's folder; `BARID_CONFORMANCE_NODE_DIR` points elsewhere (a checkout). */
export function referenceNodeDir(): string {
  return resolve(process.env.BARID_CONFORMANCE_NODE_DIR ?? join(REPO, 'nodes', 'node'))
}

export interface ReferencePair extends AsyncDisposable {
  nodeA: string
  nodeB: string
  secret: string
  /** Output of both processes (for a failed start). */
  output(): string
  /**
   * Restarts node A (same port, data and keys), as `mutant` or as the real node. Its
   * test-control state (clock, federation) starts afresh (30.4).
   */
  restartA(mutant?: string): Promise<void>
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => ok(port))
    })
  })
}

interface Proc {
  child: ChildProcess
  out: string[]
}

async function waitReady(url: string, p: Proc, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (p.child.exitCode !== null)
      throw new Error(`reference node exited (${p.child.exitCode}): ${p.out.join('').slice(-3000)}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > end)
      throw new Error(`reference node at ${url} not ready: ${p.out.join('').slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const c = p.child
  if (c.exitCode !== null || c.signalCode !== null) return
  const exited = new Promise<void>((r) => c.once('exit', () => r()))
  c.kill(signal)
  const t = setTimeout(() => c.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(t)
}

/**
 * @example
 * ```ts
 * await using pair = await startReferencePair({ mutant: 'accept-replay' })
 * const world = await createWorld({ nodeA: pair.nodeA, nodeB: pair.nodeB, secret: pair.secret })
 * ```
 */
export async function startReferencePair(
  o: { mutant?: string; logLevel?: string } = {},
): Promise<ReferencePair> {
  const nodeDir = referenceNodeDir()
  const dir = await mkdtemp(join(tmpdir(), 'barid-conformance-'))
  const secret = randomBytes(32).toString('base64url')
  const configFile = join(dir, 'node-config.json')
  // Short backoff so retries happen within the run (spec 15.1 config file).
  await writeFile(
    configFile,
    JSON.stringify({
      synchronous: 'normal',
      delivery: { baseBackoffMs: 50, maxBackoffMs: 500, idlePollMs: 100, requestTimeoutMs: 5000 },
    }),
  )
  const procs: Proc[] = []
  const urls: string[] = []
  const envs: Record<string, string>[] = []
  const spawnNode = (profile: string, env: Record<string, string>): Proc => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--profile', join(nodeDir, '..', profile)],
      { cwd: nodeDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const p: Proc = { child, out: [] }
    const keep = (d: Buffer) => {
      p.out.push(String(d))
      if (p.out.length > 200) p.out.shift()
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    return p
  }
  const close = async () => {
    await Promise.all(procs.map((p) => stop(p)))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (const [profile, name] of [
      ['egypt-post', 'a'],
      ['denmark', 'b'],
    ] as const) {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}`
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        BARID_DATA_DIR: join(dir, name),
        BARID_PORT: String(port),
        BARID_PUBLIC_URL: url,
        BARID_DEV_IDP: 'true',
        BARID_LOG_LEVEL: o.logLevel ?? 'warn',
        BARID_CONFIG: configFile,
        BARID_TEST_CONTROL_SECRET: secret,
      }
      delete env.BARID_MUTANT
      if (o.mutant) env.BARID_MUTANT = o.mutant
      envs.push(env)
      procs.push(spawnNode(profile, env))
      urls.push(url)
    }
    await Promise.all(urls.map((u, i) => waitReady(u, procs[i]!, 60_000)))
  } catch (e) {
    await close()
    throw e
  }
  return {
    nodeA: urls[0]!,
    nodeB: urls[1]!,
    secret,
    output: () => procs.map((p) => p.out.join('')).join('\n---\n'),
    async restartA(mutant) {
      // A kill, not a graceful stop: nothing of node A's state matters to the next variant.
      await stop(procs[0]!, 'SIGKILL')
      const env = { ...envs[0]! }
      delete env.BARID_MUTANT
      if (mutant) env.BARID_MUTANT = mutant
      procs[0] = spawnNode('egypt-post', env)
      await waitReady(urls[0]!, procs[0], 60_000)
    },
    close,
    [Symbol.asyncDispose]: close,
  }
}
