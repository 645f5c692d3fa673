/**
 * @module demo/main
 * The main job (`pnpm start`): a federation of two nodes on loopback, Egypt Post (`post.eg`) and
 * Danish Digital Post (`digitalpost.dk`), made with the operator CLI as real operators make one
 * (federation, operator CAs, node certificates, signed trust list), each node with embedded
 * SQLite. An Egyptian agency sends a registered letter with a PDF to a resident of Denmark, a
 * Danish agency one to a resident of Egypt who replies; everyone uses `@barid/client`, with keys
 * certified by X.509 certificates checked against the trust list. The evidence trails are
 * printed and verified, online and then offline from evidence bundles. The nodes then keep
 * running until Ctrl-C, or the demo exits at once with `--once` or when `CI` is set. A temporary
 * data directory the demo made is removed when it exits, however it exits (`--keep` keeps it).
 *
 *   pnpm start                 # temp data dir, nodes stay up, dir removed on Ctrl-C
 *   pnpm start -- --once       # exit after the demo
 *   pnpm start -- --keep       # leave the temp data dir behind at exit
 *   pnpm start -- --data DIR   # keep data in DIR (the federation and accounts are reused on
 *                              # the next run, its list reissued if a node's port had to move,
 *                              # the senders given new API keys: demo/accounts.ts)
 */
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { resolveConfig, type NodeConfig } from '../config/config.js'
import { loadProfile, type Profile } from '../config/profile.js'
import { createLogger } from '../ops/logger.js'
import { startNode, type RunningNode } from '../node.js'
import {
  createLocalFederation,
  openLocalFederation,
  type LocalFederation,
} from '../trust/local-federation.js'
import { openDemoDataDir } from './data-dir.js'
import type { DemoContext } from './letters.js'
import { followPorts, listedEndpoints, listedPort } from './listed-ports.js'
import { demoPort, movedPortsLine, type DemoPort } from './ports.js'
import { runScenario } from './scenario.js'

const NODES_DIR = fileURLToPath(new URL('../../../', import.meta.url))
const { values: args } = parseArgs({
  options: {
    once: { type: 'boolean' },
    data: { type: 'string' },
    keep: { type: 'boolean' },
    verbose: { type: 'boolean' },
  },
  strict: false,
})
const once = args.once === true || Boolean(process.env.CI)
const say = (s = '') => process.stdout.write(s + '\n')
const step = (s: string) => say(`\n\u25b6 ${s}`)

interface Member {
  profile: Profile
  /** The profile's port, and the port taken (another when that one is in use). */
  port: DemoPort
  url: string
  dataDir: string
  operatorDir: string
}

/**
 * A demo node: on the port its operator's endpoint names in a reused federation's list, else on
 * its profile's port, else (taken) on another.
 */
async function member(
  folder: string,
  dataDir: string,
  listed: ReadonlyMap<string, readonly string[]>,
): Promise<Member> {
  const profile = await loadProfile(join(NODES_DIR, folder))
  const port = await demoPort(listedPort(listed.get(profile.operator)) ?? profile.port)
  const dir = join(dataDir, profile.operator)
  return {
    profile,
    port,
    url: `http://127.0.0.1:${port.port}`,
    dataDir: dir,
    operatorDir: join(dir, 'operator'),
  }
}

/** The federation made by an earlier run in `dataDir`, if any. */
async function earlierFederation(dataDir: string): Promise<LocalFederation | undefined> {
  const dir = join(dataDir, 'federation')
  const made = await access(join(dir, 'federation.json')).then(
    () => true,
    () => false,
  )
  return made ? openLocalFederation(dir) : undefined
}

/**
 * The federation: made with the operator CLI on the first run, reused afterwards, its list then
 * naming the nodes where they listen now.
 */
async function federation(
  dataDir: string,
  members: Member[],
  earlier: { fed: LocalFederation; listed: ReadonlyMap<string, readonly string[]> } | undefined,
): Promise<LocalFederation> {
  const dir = join(dataDir, 'federation')
  if (earlier) {
    say(`  reusing the federation in ${dir}`)
    const nodes = members.map((m) => ({ operator: m.profile.operator, url: m.url }))
    for (const f of await followPorts(earlier.fed, nodes, earlier.listed))
      say(
        `  barid federation set-endpoints  ${f.operator}: now at ${f.endpoint}, trust list #${f.sequence}`,
      )
    return earlier.fed
  }
  const fed = await createLocalFederation({
    dir,
    name: 'barid-demo',
    operators: members.map((m) => ({ profile: m.profile, url: m.url, operatorDir: m.operatorDir })),
  })
  say(`  barid federation init     governance key and federation root in ${dir}`)
  for (const m of members) {
    say(
      `  barid operator init       ${m.profile.operator}: operator CA key and CSR, node key (${m.operatorDir})`,
    )
    say(
      `  barid federation admit    ${m.profile.operator}: operator CA certificate, new trust list`,
    )
    say(
      `  barid operator certify-node  ${m.profile.operator}: X.509 node certificate from its operator CA`,
    )
  }
  say(`  trust list ${fed.trustListFile}, governance key ${fed.governanceKeyFile}`)
  return fed
}

function configFor(m: Member, fed: LocalFederation): NodeConfig {
  return resolveConfig(m.profile, {
    dataDir: m.dataDir,
    port: Number(new URL(m.url).port),
    publicUrl: m.url,
    trust: fed.trust,
    operatorDir: m.operatorDir,
    devIdentityProvider: true,
    logLevel: args.verbose ? 'info' : 'warn',
  })
}

async function main(): Promise<void> {
  const data = await openDemoDataDir({
    ...(typeof args.data === 'string' ? { given: args.data } : {}),
    keep: args.keep === true,
  })
  const dataDir = data.path
  say('Barid: a federated national digital post, Egypt Post <-> Danish Digital Post')
  say(`data directory: ${dataDir} (${data.fate})`)

  const nodes: RunningNode[] = []
  let stopping = false
  // Every way out goes through here, so that a folder the demo made never outlives it.
  const stop = async (code: number) => {
    if (stopping) return
    stopping = true
    if (nodes.length > 0) say('\nStopping the nodes (draining in-flight work)...')
    await Promise.all(nodes.map((n) => n.stop()))
    if (await data.release()) say(`Removed the data directory ${dataDir}.`)
    else say(`The data directory stays: ${dataDir}`)
    process.exit(code)
  }
  process.on('SIGINT', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))
  const fail = async (e: unknown) => {
    say(`\nDEMO FAILED: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
    await stop(1)
  }

  step('Creating the federation of trust with the operator CLI')
  let fed: LocalFederation
  try {
    const reused = await earlierFederation(dataDir)
    const earlier =
      reused === undefined ? undefined : { fed: reused, listed: await listedEndpoints(reused) }
    const listed = earlier?.listed ?? new Map<string, string[]>()
    const members = [
      await member('egypt-post', dataDir, listed),
      await member('denmark', dataDir, listed),
    ]
    // Taken profile ports (a node of start.sh still running) move the demo: never silently.
    const moved = movedPortsLine(members.map((m) => ({ operator: m.profile.operator, ...m.port })))
    if (moved) say(`  ${moved}`)
    fed = await federation(dataDir, members, earlier)
    const log = createLogger({ level: args.verbose ? 'info' : 'warn' })
    for (const m of members) nodes.push(await startNode(configFor(m, fed), { log }))
  } catch (e) {
    await fail(e)
    return
  }
  const [eg, dk] = nodes as [RunningNode, RunningNode]
  for (const n of nodes)
    say(
      `  ${n.config.profile.displayName.en} (${n.config.profile.operator}, ${n.config.profile.timeZone}) at ${n.url}, trust list #${n.services.trust.held.store.list.sequence}`,
    )

  const ctx: DemoContext = {
    say,
    dataDir,
    trustListFile: fed.trustListFile,
    governanceKeyFile: fed.governanceKeyFile,
    governanceKeys: [
      JSON.parse(await readFile(fed.governanceKeyFile, 'utf8')) as Record<string, unknown>,
    ],
    timeZones: Object.fromEntries(
      nodes.map((n) => [n.config.profile.operator, n.config.profile.timeZone]),
    ),
    // The nodes witness each other's logs every 60 s (spec 16.6); the demo has them do it now.
    witness: async () =>
      (
        await Promise.all(
          nodes.map(async (n) =>
            (await n.services.registered.witnessAll()).map(({ log, outcome: o }) => {
              const by = n.config.profile.operator
              return o.status === 'cosigned'
                ? `${by} cosigned ${log}'s checkpoint of size ${o.size}`
                : `${by} did not cosign ${log}'s checkpoint: ${o.status === 'fork' ? `fork ${o.kind}` : o.code}`
            }),
          ),
        )
      ).flat(),
  }
  try {
    await runScenario(ctx, eg, dk)
  } catch (e) {
    await fail(e)
    return
  }

  say('\nThe federation is running:')
  for (const n of nodes) {
    say(
      `  ${n.config.profile.operator}: ${n.url}  (/.well-known/barid-node, /healthz, /readyz, /metrics)`,
    )
    say(`    admin token: ${join(n.config.dataDir, 'keys', 'admin-token')}`)
  }
  say(`  trust list: ${fed.trustListFile}`)
  say(`  governance key: ${fed.governanceKeyFile}`)
  say(`  data directory: ${dataDir} (${data.fate})`)
  if (once) {
    say('\nDemo complete (--once).')
    await stop(0)
    return
  }
  say('\nPress Ctrl-C to stop.')
}

await main()
