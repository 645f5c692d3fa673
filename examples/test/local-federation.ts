/**
 * @module test/local-federation
 * Two reference nodes (Egypt Post and Denmark) set up and started as operators would: the
 * federation, the operator CAs and the node certificates are made with the `barid` command
 * line (`federation init`, `operator init`, `federation admit`, `operator certify-node`), the
 * nodes are started by their command-line entry point with the trust list, the governance key
 * and their operator directory, and are used over HTTP only: nothing of the node's or the
 * CLI's code is imported.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const NODE_DIR = join(REPO, 'nodes', 'node')
const BARID = join(REPO, 'packages', 'cli', 'bin', 'barid.mjs')

export interface LocalNode {
  operator: string
  url: string
  dataDir: string
  adminTokenFile: string
}

export interface LocalFederation {
  dir: string
  /** The federation's signed trust list (`barid federation init`/`admit`). */
  trustListFile: string
  /** Its governance public key: what a client anchors its trust in. */
  governanceKeyFile: string
  eg: LocalNode
  dk: LocalNode
  /** Stops a node (SIGTERM, graceful) and starts it again on the same port and data. */
  restart(
    side: 'eg' | 'dk',
    o?: { downMs?: number; whileDown?: () => Promise<void> },
  ): Promise<void>
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** A loopback port nothing listens on now (bound, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

function startProcess(
  profile: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  let out = ''
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--profile', join(REPO, 'nodes', profile)],
    {
      cwd: NODE_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout!.on('data', (d) => (out += String(d)))
  child.stderr!.on('data', (d) => (out += String(d)))
  return { child, output: () => out }
}

async function waitReady(
  url: string,
  proc: { child: ChildProcess; output: () => string },
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (proc.child.exitCode !== null)
      throw new Error(`node exited (${proc.child.exitCode}): ${proc.output().slice(-2000)}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`node at ${url} not ready: ${proc.output().slice(-2000)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** Runs the operator CLI, `barid <args> --json`, and returns its answer. */
async function barid(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, [BARID, ...args, '--json'], {
    cwd: REPO,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
}

/**
 * Starts Egypt Post and Denmark on free loopback ports, federated with each other, with the
 * development identity provider on.
 *
 * @example
 * ```ts
 * await using fed = await startLocalFederation()
 * console.log(fed.eg.url, fed.dk.url, fed.trustListFile)
 * ```
 */
export async function startLocalFederation(): Promise<LocalFederation> {
  const dir = await mkdtemp(join(tmpdir(), 'barid-examples-'))
  const fedDir = join(dir, 'federation')
  const trustListFile = join(fedDir, 'trust-list.cose')
  const governanceKeyFile = join(fedDir, 'governance.pub.jwk')
  // Short delivery backoff (spec 15.1 config file), so a letter held for a restarted peer
  // moves within a second of the peer's return rather than minutes.
  const configFile = join(dir, 'node-config.json')
  await writeFile(
    configFile,
    JSON.stringify({
      delivery: { baseBackoffMs: 100, maxBackoffMs: 1000, idlePollMs: 200, requestTimeoutMs: 5000 },
    }),
  )
  const sides = await Promise.all(
    (
      [
        ['egypt-post', 'post.eg', 'EG', ['Egypt Post', 'البريد المصري', 'Egyptens Post'], 'eg:nid'],
        [
          'denmark',
          'digitalpost.dk',
          'DK',
          ['Danish Digital Post', 'البريد الرقمي', 'Digital Post'],
          'dk:cpr',
        ],
      ] as const
    ).map(async ([profile, operator, country, [en, ar, da], scheme]) => {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}`
      const dataDir = join(dir, operator)
      const operatorDir = join(dataDir, 'operator')
      const env = {
        BARID_DATA_DIR: dataDir,
        BARID_PORT: String(port),
        BARID_PUBLIC_URL: url,
        BARID_TRUST_LIST: trustListFile,
        BARID_GOVERNANCE_KEYS: governanceKeyFile,
        BARID_OPERATOR_DIR: operatorDir,
        // Both nodes are on this machine: allow peers on loopback (spec 22.4; refused by default).
        BARID_ALLOW_NON_PUBLIC: 'loopback',
        BARID_DEV_IDP: 'true',
        BARID_LOG_LEVEL: 'warn',
        BARID_CONFIG: configFile,
      }
      const init = [
        ...['operator', 'init', '--dir', operatorDir, '--operator', operator],
        ...['--country', country, '--name-en', en, '--name-ar', ar, '--name-da', da],
        ...['--endpoint', `${url}/`, '--scheme', scheme],
      ]
      return {
        profile,
        operatorDir,
        init,
        node: { operator, url, dataDir, adminTokenFile: join(dataDir, 'keys', 'admin-token') },
        env,
      }
    }),
  )
  const procs: { child: ChildProcess; output: () => string }[] = []
  const running: Record<'eg' | 'dk', { child: ChildProcess; output: () => string } | undefined> = {
    eg: undefined,
    dk: undefined,
  }
  const close = async () => {
    await Promise.all(procs.map((p) => stopProcess(p.child)))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    // The federation, as its governance and the two operators make it (spec 21.2).
    await barid(['federation', 'init', '--name', 'barid-examples', '--dir', fedDir])
    await Promise.all(sides.map((s) => barid(s.init)))
    for (const s of sides) {
      const admitted = await barid([
        ...['federation', 'admit', '--dir', fedDir],
        ...['--request', join(s.operatorDir, 'admission-request.json')],
      ])
      await barid([
        ...['operator', 'certify-node', '--dir', s.operatorDir],
        ...['--ca-cert', String(admitted.caCertificate)],
      ])
    }
    const started = sides.map((s) => startProcess(s.profile, s.env))
    procs.push(...started)
    await Promise.all(sides.map((s, i) => waitReady(s.node.url, started[i]!)))
    running.eg = started[0]
    running.dk = started[1]
  } catch (e) {
    await close()
    throw e
  }
  const restart: LocalFederation['restart'] = async (side, o = {}) => {
    const s = sides[side === 'eg' ? 0 : 1]!
    await stopProcess(running[side]!.child)
    await o.whileDown?.()
    if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs))
    const p = startProcess(s.profile, s.env)
    procs.push(p)
    running[side] = p
    await waitReady(s.node.url, p)
  }
  return {
    dir,
    trustListFile,
    governanceKeyFile,
    eg: sides[0]!.node,
    dk: sides[1]!.node,
    restart,
    close,
    [Symbol.asyncDispose]: close,
  }
}

/**
 * Calls a node's admin API (spec 15.5) with its admin token.
 *
 * @example
 * ```ts
 * await admin(fed.dk, 'POST', '/v1/admin/mailboxes', { address: 'lars.jensen', identifier: 'dk:cpr:0101901234' })
 * ```
 */
export async function admin(
  node: LocalNode,
  method: string,
  path: string,
  body: unknown,
): Promise<unknown> {
  const token = (await readFile(node.adminTokenFile, 'utf8')).trim()
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as unknown
  if (!res.ok) throw new Error(`admin ${path}: ${JSON.stringify(json)}`)
  return json
}
