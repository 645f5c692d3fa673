/**
 * Test harness: two nodes (Egypt Post and Denmark) with real SQLite files in a temp dir, either
 * listening on loopback ports or wired in-process (fetch routed to `app.request`).
 */
import { runCli } from '@barid/cli'
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadProfile, type Profile } from '../src/config/profile.js'
import { resolveConfig, type NodeConfig, type NodeConfigInput } from '../src/config/config.js'
import { registerSender, openMailbox } from '../src/admin/admin.js'
import {
  AgencyClient,
  CitizenClient,
  devToken,
  newPartyKeys,
  sealFor,
  type Fetch,
  type PartyKeys,
  type SealInput,
} from './clients.js'
import { TrustStore, toBase64Url, verifyTrustList } from '../src/core.js'
import { verifyDiscoveryDocument } from '@barid/core'
import { startNode, type RunningNode } from '../src/node.js'
import type { NotificationChannel } from '../src/notify/channel.js'
import type { Logger } from '../src/ops/logger.js'
import { createLocalFederation, type LocalFederation } from '../src/trust/local-federation.js'

const NODES_DIR = fileURLToPath(new URL('../../', import.meta.url))

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

/** Ends `p` with `signal` if it still runs, and waits for it to exit (a test's cleanup). */
export async function endProcess(
  p: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return
  const exited = new Promise((r) => p.once('exit', r))
  p.kill(signal)
  await exited
}

/** The trust store of a federation's list, verified with its governance key (both files). */
export async function trustFrom(trustListFile: string, governanceKeyFile: string) {
  return TrustStore.open(
    await verifyTrustList(new Uint8Array(await readFile(trustListFile)), {
      governanceKeys: [JSON.parse(await readFile(governanceKeyFile, 'utf8'))],
      now: Math.floor(Date.now() / 1000),
    }),
  )
}

/** The key-discovery document `url` serves for `operator`, verified: its kids and its signer. */
export async function publishedKeys(url: string, operator: string, trust: TrustStore) {
  const res = await fetch(`${url}/.well-known/barid-node`)
  if (res.status !== 200) throw new Error(`key discovery of ${url}: ${res.status}`)
  const doc = await verifyDiscoveryDocument(new Uint8Array(await res.arrayBuffer()), {
    operator,
    trust,
    now: Math.floor(Date.now() / 1000),
  })
  return { keys: doc.keys.map((k) => toBase64Url(k.kid)), signer: toBase64Url(doc.signerKid) }
}

export type Side = 'eg' | 'dk'

export interface PairOptions {
  listen?: boolean
  /** Wraps the fetch a node uses to reach its peer (fault injection). */
  wrapFetch?: (side: Side, f: Fetch) => Fetch
  config?: NodeConfigInput
  /** Settings for one side only, over `config` (`registered`, `limits` merged field by field). */
  configFor?: Partial<Record<Side, NodeConfigInput>>
  /** Notification channels a side has besides its own (e-mail, SMS bound to a test transport). */
  channelsFor?: Partial<Record<Side, NotificationChannel[]>>
  dir?: string
}

export interface Pair {
  dir: string
  /** The federation both nodes are members of (its directory, `barid federation …`). */
  federation: LocalFederation
  configs: Record<Side, NodeConfig>
  nodes: Record<Side, RunningNode>
  fetchOf: Record<Side, Fetch>
  /** Starts `side` again (after `stop`), with `log` for its logger when given. */
  start(side: Side, o?: { log?: Logger }): Promise<RunningNode>
  stop(side: Side): Promise<void>
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export const FAST_DELIVERY = {
  baseBackoffMs: 20,
  maxBackoffMs: 200,
  requestTimeoutMs: 2000,
  idlePollMs: 100,
  expiryGraceMs: 0,
}

export async function startPair(o: PairOptions = {}): Promise<Pair> {
  const listen = o.listen ?? false
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'barid-pair-')))
  const configs = {} as Record<Side, NodeConfig>
  const members: { profile: Profile; url: string; dataDir: string }[] = []
  for (const [side, folder] of [
    ['eg', 'egypt-post'],
    ['dk', 'denmark'],
  ] as const) {
    const profile = await loadProfile(join(NODES_DIR, folder))
    const port = listen ? await freePort() : profile.port
    members.push({ profile, url: `http://127.0.0.1:${port}`, dataDir: join(dir, side) })
  }
  const federation = await federate(dir, members)
  for (const [i, side] of (['eg', 'dk'] as const).entries()) {
    const m = members[i]!
    configs[side] = resolveConfig(m.profile, {
      dataDir: m.dataDir,
      port: Number(new URL(m.url).port),
      publicUrl: m.url,
      operatorDir: join(m.dataDir, 'operator'),
      logLevel: 'silent',
      devIdentityProvider: true,
      autoProvisionMailboxes: false,
      synchronous: 'normal',
      ...o.config,
      ...o.configFor?.[side],
      registered: { ...o.config?.registered, ...o.configFor?.[side]?.registered },
      trust: { ...federation.trust, ...o.config?.trust },
      delivery: { ...FAST_DELIVERY, ...o.config?.delivery },
      limits: { ...o.config?.limits, ...o.configFor?.[side]?.limits },
    })
  }

  const nodes = {} as Record<Side, RunningNode>
  const fetchOf = {} as Record<Side, Fetch>
  // In-process: a request to a node's public URL goes to that node's app. On loopback, real
  // fetch, and (when not wrapped) the node's default streamed uploads.
  const routed: Fetch = async (input, init) => {
    if (listen) return fetch(input, init)
    const target = (['eg', 'dk'] as const).find((s) => input.startsWith(configs[s].publicUrl))
    const node = target && nodes[target]
    if (!node)
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
    return node.app.request(input, init)
  }
  for (const side of ['eg', 'dk'] as const)
    fetchOf[side] = o.wrapFetch ? o.wrapFetch(side, routed) : routed
  const start = async (side: Side, so: { log?: Logger } = {}) => {
    const wrapped = listen && !o.wrapFetch
    nodes[side] = await startNode(configs[side], {
      listen,
      ...(wrapped ? {} : { fetch: fetchOf[side] as typeof fetch }),
      ...(so.log ? { log: so.log } : {}),
      ...(o.channelsFor?.[side] ? { registered: { channels: o.channelsFor[side] } } : {}),
    })
    return nodes[side]
  }
  const stop = async (side: Side) => {
    const n = nodes[side]
    delete (nodes as Partial<Record<Side, RunningNode>>)[side]
    await n?.stop()
  }
  await start('eg')
  await start('dk')
  const close = async () => {
    await Promise.all([stop('eg'), stop('dk')])
    if (!o.dir) await rm(dir, { recursive: true, force: true })
  }
  return {
    dir,
    federation,
    configs,
    nodes,
    fetchOf,
    start,
    stop,
    close,
    [Symbol.asyncDispose]: close,
  }
}

/**
 * The config of a node started on a restored backup in `dataDir` (spec 15.8) in place of the one
 * configured by `old`: same profile, address and federation, the backup's operator directory.
 *
 * @example
 * ```ts
 * await pair.stop('dk')
 * pair.configs.dk = restoredConfig(pair.configs.dk, backupDir)
 * await pair.start('dk')
 * ```
 */
export function restoredConfig(
  old: NodeConfig,
  dataDir: string,
  over: NodeConfigInput = {},
): NodeConfig {
  return resolveConfig(old.profile, {
    dataDir,
    operatorDir: join(dataDir, 'operator'),
    port: old.port,
    publicUrl: old.publicUrl,
    logLevel: 'silent',
    devIdentityProvider: true,
    synchronous: 'normal',
    trust: old.trust,
    delivery: FAST_DELIVERY,
    ...over,
  })
}

/**
 * A federation in `<dir>/federation` with each member admitted, made with the operator CLI;
 * each member's operator directory is `<dataDir>/operator`.
 */
export async function federate(
  dir: string,
  members: readonly { profile: Profile; url: string; dataDir: string }[],
): Promise<LocalFederation> {
  return createLocalFederation({
    dir: join(dir, 'federation'),
    name: 'barid-test',
    operators: members.map((m) => ({
      profile: m.profile,
      url: m.url,
      operatorDir: join(m.dataDir, 'operator'),
    })),
  })
}

/** The client-side fetch for a node (in-process or real). */
export function clientFetch(pair: Pair, side: Side): Fetch {
  return async (input, init) => {
    const node = pair.nodes[side]
    if (!node) throw new TypeError('fetch failed')
    return node.app.request(input, init)
  }
}

export interface Agency {
  address: string
  keys: PartyKeys
  client: AgencyClient
  apiKey: string
}

export async function makeAgency(
  pair: Pair,
  side: Side,
  id: string,
  name: string,
  local: string,
  f?: Fetch,
): Promise<Agency> {
  const node = pair.nodes[side]
  const r = await registerSender(node.services, { id, name, address: local })
  const keys = await newPartyKeys()
  const client = new AgencyClient(node.url, r.apiKey, f ?? clientFetch(pair, side))
  await client.registerKeys(keys)
  return { address: r.mailbox.address, keys, client, apiKey: r.apiKey }
}

export interface Citizen {
  address: string
  identifier: string
  keys: PartyKeys
  client: CitizenClient
}

export async function makeCitizen(
  pair: Pair,
  side: Side,
  local: string,
  identifier: string,
  f?: Fetch,
): Promise<Citizen> {
  const node = pair.nodes[side]
  const mb = await openMailbox(node.services, { address: local, identifier, kind: 'person' })
  const keys = await newPartyKeys()
  const fetcher = f ?? clientFetch(pair, side)
  const client = new CitizenClient(
    node.url,
    () => devToken(pair.nodes[side].url, identifier, f ?? clientFetch(pair, side)),
    fetcher,
  )
  await client.registerKeys(keys)
  return { address: mb.address, identifier, keys, client }
}

/**
 * An Egyptian agency (ETA) and a Danish resident (Lars), with real HTTP between them (or, with
 * `inProcess`, through the nodes' apps), and `send(subject)`, which seals a registered letter
 * from ETA to Lars (other fields from `extra`), submits it and gives its id.
 */
export async function etaToLars(pair: Pair, o: { inProcess?: boolean } = {}) {
  const f = o.inProcess ? undefined : fetch
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax', f)
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234', f)
  const to = await eta.client.lookup({ address: lars.address })
  if (to.status !== 'active') throw new Error(`lookup of ${lars.address}: ${to.status}`)
  const send = async (subject: string, extra: Partial<SealInput> = {}): Promise<string> => {
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: 'registered',
      subject,
      body: 'b',
      lang: 'en',
      ...extra,
    })
    await eta.client.submit(l.bytes)
    return l.id
  }
  return { eta, lars, send }
}

/** Karen Holm, a Danish resident without a digital mailbox, served on paper (spec 17.6). */
export const KAREN = { identifier: 'dk:cpr:0202501234', address: 'karen.holm@digitalpost.dk' }

/**
 * Registers {@link KAREN} in digitalpost.dk's exemption registry, with a postal address, looks
 * her up as agency `from`, and gives her lookup and `seal(body)`: a registered letter from `from`
 * to her (sealed to `keys`, her lookup's keys unless given).
 */
export async function servedOnPaper(pair: Pair, from: Agency) {
  const dk = pair.nodes.dk
  const res = await dk.app.request(`${dk.url}/v1/admin/exemptions`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${dk.services.keys.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      ...KAREN,
      reason: 'no-internet-access',
      name: 'Karen Holm',
      postalAddress: ['Nørregade 1, 2. th.', '1165 København K'],
    }),
  })
  if (!res.ok) throw new Error(`exemption of Karen Holm: HTTP ${res.status}`)
  const to = await from.client.lookup({ identifier: KAREN.identifier })
  if (to.status !== 'active') throw new Error(`lookup of Karen Holm: ${to.status}`)
  const seal = (body: string, keys = to) =>
    sealFor({
      from: { address: from.address, keys: from.keys },
      to: [{ address: to.address, keys }],
      kind: 'registered',
      subject: 'Afgørelse',
      body,
      lang: 'da',
    })
  return { to, seal }
}

/**
 * Runs `barid evidence verify` on an evidence bundle against the pair's federation, offline as an
 * auditor would (spec 21.7); gives the exit code (0: it verifies).
 */
export async function verifyBundleOffline(pair: Pair, bundle: Uint8Array): Promise<number> {
  const file = join(pair.dir, `bundle-${randomUUID()}.cbor`)
  await writeFile(file, bundle)
  const f = pair.federation
  const args = ['evidence', 'verify', file, '--trust-list', f.trustListFile]
  return runCli([...args, '--governance-key', f.governanceKeyFile, '--json'], {
    stdout: () => undefined,
    stderr: () => undefined,
    cwd: pair.dir,
  })
}

/** Waits until `check` passes or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (e) {
      if (Date.now() > end) throw e
      await new Promise((r) => setTimeout(r, everyMs))
    }
  }
}
