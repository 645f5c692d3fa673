/**
 * @module bench/lib/federation
 * A local federation for the benchmark: Egypt Post and Denmark, each in its own child process
 * (`node-child.ts`), listening on loopback with its own SQLite file in a temp dir, set up over
 * their HTTP APIs only (admin API, sender API, citizen API with the development IdP), as an
 * operator and its users would.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveConfig, type NodeConfig, type NodeConfigInput } from '../../src/config/config.js'
import { loadProfile } from '../../src/config/profile.js'
import {
  AgencyClient,
  CitizenClient,
  devToken,
  newPartyKeys,
  type PartyKeys,
} from '../../test/clients.js'
import { federate } from '../../test/harness.js'

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url))
const NODES_DIR = fileURLToPath(new URL('../../../', import.meta.url))
const CHILD = fileURLToPath(new URL('./node-child.ts', import.meta.url))

export type Side = 'eg' | 'dk'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** One node running in a child process. */
export interface ChildNode {
  readonly config: NodeConfig
  readonly url: string
  readonly process: ChildProcess
  readonly adminToken: string
  /** Starts recording a CPU profile in the node's process. */
  startProfile(): Promise<void>
  /** Stops recording and writes the profile (`.cpuprofile`, as `node --cpu-prof` writes). */
  stopProfile(file: string): Promise<void>
  stop(): Promise<void>
}

export interface ChildNodeOptions {
  /** Extra `node` flags for the child. */
  execArgv?: string[]
}

/**
 * Starts a node in a child process and waits until it listens.
 *
 * @example
 * ```ts
 * const dk = await startChildNode(config)
 * await fetch(`${dk.url}/readyz`)
 * await dk.stop()
 * ```
 */
export async function startChildNode(
  config: NodeConfig,
  opts: ChildNodeOptions = {},
): Promise<ChildNode> {
  const child = fork(CHILD, [], {
    cwd: PACKAGE_DIR,
    execArgv: ['--import', 'tsx', ...(opts.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) =>
      reject(new Error(`node ${config.profile.operator} exited ${code}`)),
    )
    child.on('message', (m: { type: string; url?: string }) => {
      if (m.type === 'ready') resolve(m.url!)
    })
    child.send({ type: 'start', config })
  })
  child.removeAllListeners('exit')
  const adminToken = (await readFile(join(config.dataDir, 'keys', 'admin-token'), 'utf8')).trim()
  let stopped: Promise<void> | undefined
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.send({ type: 'stop' })
    }))
  const ask = (message: object, answer: string) =>
    new Promise<void>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== answer) return
        child.off('message', on)
        resolve()
      }
      child.on('message', on)
      child.send(message)
    })
  return {
    config,
    url,
    process: child,
    adminToken,
    startProfile: () => ask({ type: 'profile-start' }, 'profiling'),
    stopProfile: (file) => ask({ type: 'profile-stop', file }, 'profiled'),
    stop,
  }
}

/** Resolved configs of both nodes in `dir`, members of a federation made with the operator CLI. */
export async function federationConfigs(
  dir: string,
  input: NodeConfigInput,
): Promise<Record<Side, NodeConfig>> {
  const configs = {} as Record<Side, NodeConfig>
  const members = []
  for (const folder of ['egypt-post', 'denmark']) {
    const profile = await loadProfile(join(NODES_DIR, folder))
    const port = await freePort()
    members.push({ profile, port, url: `http://127.0.0.1:${port}` })
  }
  const sides = ['eg', 'dk'] as const
  const fed = await federate(
    dir,
    members.map((m, i) => ({ profile: m.profile, url: m.url, dataDir: join(dir, sides[i]!) })),
  )
  for (const [i, side] of sides.entries()) {
    const m = members[i]!
    configs[side] = resolveConfig(m.profile, {
      dataDir: join(dir, side),
      port: m.port,
      publicUrl: m.url,
      trust: fed.trust,
      operatorDir: join(dir, side, 'operator'),
      logLevel: 'silent',
      devIdentityProvider: true,
      autoProvisionMailboxes: false,
      ...input,
      delivery: { ...input.delivery },
      limits: { ...input.limits },
    })
  }
  return configs
}

async function admin(node: ChildNode, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${node.url}/v1/admin${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${node.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`admin ${path}: HTTP ${res.status} ${await res.text()}`)
  return res.json()
}

/** A sender organisation with its keys and API client. */
export interface BenchAgency {
  address: string
  keys: PartyKeys
  client: AgencyClient
  apiKey: string
}

/** A citizen with a mailbox and registered keys (the keys stay on their "device", here). */
export interface BenchCitizen {
  address: string
  identifier: string
  keys: PartyKeys
}

/**
 * Registers a sender organisation through the admin API and its keys through the sender API.
 *
 * @example
 * ```ts
 * const eta = await makeAgency(eg, { id: 'eta', name: 'Egyptian Tax Authority', address: 'tax' })
 * ```
 */
export async function makeAgency(
  node: ChildNode,
  s: { id: string; name: string; address: string },
  alg: 'Ed25519' | 'ES256' = 'Ed25519',
): Promise<BenchAgency> {
  const r = (await admin(node, '/senders', s)) as { apiKey: string; mailbox: { address: string } }
  const keys = await newPartyKeys(alg)
  const client = new AgencyClient(node.url, r.apiKey)
  await client.registerKeys(keys)
  return { address: r.mailbox.address, keys, client, apiKey: r.apiKey }
}

/** A CPR number (born 1 January 1990) for citizen `i` (modulus 11 is not required). */
export function cprOf(i: number): string {
  return `dk:cpr:010190${String(i % 4000).padStart(4, '0')}`
}

/**
 * Opens `n` citizens' mailboxes at `node` (admin API) and registers their keys (citizen API,
 * with a development IdP token).
 *
 * @example
 * ```ts
 * const people = await makeCitizens(dk, 100)
 * ```
 */
export async function makeCitizens(node: ChildNode, n: number): Promise<BenchCitizen[]> {
  const out: BenchCitizen[] = []
  for (let i = 0; i < n; i++) {
    const identifier = cprOf(i)
    const mb = (await admin(node, '/mailboxes', {
      address: `p${i}`,
      identifier,
      kind: 'person',
    })) as { address: string }
    const keys = await newPartyKeys()
    const token = await devToken(node.url, identifier)
    await new CitizenClient(node.url, async () => token).registerKeys(keys)
    out.push({ address: mb.address, identifier, keys })
  }
  return out
}
