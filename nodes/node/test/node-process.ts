/**
 * @module test/node-process
 * Nodes as operators run them: each in its own process (`src/main.ts --config FILE`), on a
 * loopback port, with its own data directory, members of a federation made with the operator
 * CLI. For the tests that need what only a separate process shows: a `kill -9`, or the
 * memory a node itself uses.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import type { TrustConfig } from '../src/config/config.js'
import { loadProfile } from '../src/config/profile.js'
import type { LookupResult } from '../src/directory/lookup.js'
import {
  AgencyClient,
  CitizenClient,
  devToken,
  newPartyKeys,
  type PartyKeys,
} from './clients.js'
import { eventually, FAST_DELIVERY, federate, freePort } from './harness.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

export interface NodeProcess {
  url: string
  dataDir: string
  proc?: ChildProcess
  /** Starts the process and waits until `/readyz` answers 200. */
  start(): Promise<void>
  /** SIGKILL: no chance to clean up. */
  kill9(): Promise<void>
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>
}

async function nodeProcess(
  folder: string,
  dir: string,
  port: number,
  trust: Partial<TrustConfig>,
): Promise<NodeProcess> {
  const url = `http://127.0.0.1:${port}`
  const dataDir = join(dir, folder)
  const file = join(dir, `${folder}.json`)
  await writeFile(
    file,
    JSON.stringify({
      profile: join(NODE_DIR, '..', folder),
      dataDir,
      port,
      publicUrl: url,
      trust,
      logLevel: 'silent',
      devIdentityProvider: true,
      delivery: FAST_DELIVERY,
    }),
  )
  const exit = async (p: ChildProcess | undefined, signal: NodeJS.Signals) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return
    const exited = new Promise((r) => p.once('exit', r))
    p.kill(signal)
    await exited
  }
  const n: NodeProcess = {
    url,
    dataDir,
    async start() {
      n.proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
        cwd: NODE_DIR,
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      await eventually(
        async () => expect((await fetch(`${url}/readyz`)).status).toBe(200),
        30_000,
        100,
      )
    },
    kill9: () => exit(n.proc, 'SIGKILL'),
    stop: () => exit(n.proc, 'SIGTERM'),
  }
  return n
}

/**
 * Egypt Post and Denmark as two processes in `dir` (not yet started).
 *
 * @example
 * ```ts
 * const { eg, dk } = await processPair(dir)
 * await Promise.all([eg.start(), dk.start()])
 * ```
 */
export async function processPair(dir: string): Promise<{ eg: NodeProcess; dk: NodeProcess }> {
  const ports = { eg: await freePort(), dk: await freePort() }
  const member = async (folder: string, port: number) => ({
    profile: await loadProfile(join(NODE_DIR, '..', folder)),
    url: `http://127.0.0.1:${port}`,
    dataDir: join(dir, folder),
  })
  const fed = await federate(dir, [
    await member('egypt-post', ports.eg),
    await member('denmark', ports.dk),
  ])
  return {
    eg: await nodeProcess('egypt-post', dir, ports.eg, fed.trust),
    dk: await nodeProcess('denmark', dir, ports.dk, fed.trust),
  }
}

/** A call to a node's admin API with the token its first start wrote; expects 201. */
export async function adminPost(node: NodeProcess, path: string, body: unknown): Promise<unknown> {
  const token = (await readFile(join(node.dataDir, 'keys', 'admin-token'), 'utf8')).trim()
  const res = await fetch(`${node.url}/v1/admin${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(201)
  return res.json()
}

/** An Egyptian agency and a Danish resident, set up through the nodes' APIs. */
export interface EtaAndLars {
  eta: AgencyClient
  /** The agency's sender API key (for requests the client does not make, such as uploads). */
  etaApiKey: string
  /** The agency's mailbox address (the letters' sender). */
  etaAddress: string
  etaKeys: PartyKeys
  lars: CitizenClient
  /** Lars's mailbox and keys as the agency looked them up. */
  to: LookupResult & { status: 'active' }
  /** A bearer token for Lars from the Danish node's development identity provider. */
  larsToken(): Promise<string>
}

/**
 * Registers the agency ETA at Egypt Post and the resident Lars (`dk:cpr:0101901234`) at
 * Denmark, both with fresh keys, and looks Lars up from the agency's side.
 *
 * @example
 * ```ts
 * const { eta, etaAddress, etaKeys, to } = await etaAndLars(eg, dk)
 * ```
 */
export async function etaAndLars(eg: NodeProcess, dk: NodeProcess): Promise<EtaAndLars> {
  const sender = (await adminPost(eg, '/senders', {
    id: 'eta',
    name: 'ETA',
    address: 'tax',
  })) as { apiKey: string; mailbox: { address: string } }
  await adminPost(dk, '/mailboxes', { address: 'lars', identifier: 'dk:cpr:0101901234' })
  const etaKeys = await newPartyKeys()
  const eta = new AgencyClient(eg.url, sender.apiKey)
  const larsToken = () => devToken(dk.url, 'dk:cpr:0101901234')
  const lars = new CitizenClient(dk.url, larsToken)
  await eta.registerKeys(etaKeys)
  await lars.registerKeys(await newPartyKeys())
  const to = await eta.lookup({ identifier: 'dk:cpr:0101901234' })
  if (to.status !== 'active') throw new Error(`lookup: ${to.status}`)
  const etaAddress = sender.mailbox.address
  return { eta, etaApiKey: sender.apiKey, etaAddress, etaKeys, lars, to, larsToken }
}

/** A profile's `start.sh` run as an operator runs it, in a process group of its own. */
export interface StartedScript {
  /** The process `start.sh` started: the PID an operator's `$!` holds. */
  proc: ChildProcess
  /** Its exit code (null if a signal ended it). */
  exited: Promise<number | null>
  stdout(): string
  stderr(): string
  /** SIGKILL to the whole group: whatever the script started ends, even a process left behind. */
  killGroup(): void
}

/**
 * Runs `nodes/<profile>/start.sh` with `args` and `env` (over this process's environment).
 *
 * @example
 * ```ts
 * const s = startScript('egypt-post', { BARID_DATA_DIR: dir, BARID_PORT: String(port) })
 * ```
 */
export function startScript(
  profile: string,
  env: Record<string, string>,
  args: string[] = [],
): StartedScript {
  const proc = spawn(join(NODE_DIR, '..', profile, 'start.sh'), args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  let err = ''
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()))
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()))
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
  return {
    proc,
    exited,
    stdout: () => out,
    stderr: () => err,
    killGroup() {
      try {
        process.kill(-proc.pid!, 'SIGKILL')
      } catch {
        // the group is gone already
      }
    },
  }
}

/** The `msg` of each JSON log line in `stdout`. */
export function logMessages(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg: string }).msg)
}

/** Resident and peak resident memory of a live process, bytes (Linux `/proc/PID/status`). */
export async function processMemory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`)
    return Number(m[1]) * 1024
  }
  return { rss: kib('VmRSS'), peak: kib('VmHWM') }
}
