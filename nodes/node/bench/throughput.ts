/**
 * The node benchmark (`pnpm bench`, or `npx tsx bench/throughput.ts [--quick] [options]`; see
 * `--help`). What an operator would see: Egypt Post and Denmark each run in their own process,
 * on loopback HTTP, with their own SQLite files in a temp dir, set up through their APIs.
 *
 * 1. Sustained throughput: an agency's pre-sealed letters submitted at post.eg in batches;
 *    letters per second from the first batch to the last letter seen in a Danish mailbox.
 * 2. Latency: letters offered at a fixed rate by an open-loop generator, once one letter a
 *    request and once in batches of ten (`--per-request`); p50/p99 from each letter's scheduled
 *    send time to the moment it is seen in the Danish mailbox. With `--repeat`, a target is met
 *    only when every run meets it.
 *
 * The listing target (a million letters stored) is measured by bench/listing.ts, which
 * `pnpm bench` runs after this one.
 *
 * Each cross-border figure is printed beside the raw per-letter floor measured just before it
 * in the same run (one verification with the agency's signing algorithm, `--alg`, and one SQLite
 * insert with the node's pragmas), as
 * a ratio, and every target with PASS or MISS. Each paced run is also preceded by its transport
 * floor: the same requests on the same schedule to a bare HTTP server (lib/http-floor.ts). Sealing is the sender's cost: it is done before
 * timing and reported apart. The machine is shared: each section prints the load average.
 */
import Database from 'better-sqlite3'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, type BenchArgs } from './lib/args.js'
import { cpuMeter } from './lib/cpu.js'
import {
  federationConfigs,
  makeAgency,
  makeCitizens,
  startChildNode,
  type ChildNode,
  type Side,
} from './lib/federation.js'
import { rawFloor } from './lib/floor.js'
import { httpFloor } from './lib/http-floor.js'
import { bulkRun, pacedRun, requestBodies } from './lib/load.js'
import { watchDeliveries } from './lib/observe.js'
import { sealLetters, type SealedForBench } from './lib/seal.js'
import { fmt, printVerdicts, say, summary, type Verdict } from './lib/stats.js'

const args = parseArgs(process.argv.slice(2))
const verdicts: Verdict[] = []
const root = await mkdtemp(join(tmpdir(), 'barid-bench-'))
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`

/** Runs `timed` with both nodes' CPU profiles recording when `--cpu-prof DIR` is given. */
async function profiled<T>(f: Federation, name: string, timed: () => Promise<T>): Promise<T> {
  if (!args.cpuProf) return timed()
  await mkdir(args.cpuProf, { recursive: true })
  await Promise.all([f.nodes.eg.startProfile(), f.nodes.dk.startProfile()])
  try {
    return await timed()
  } finally {
    for (const side of ['eg', 'dk'] as const) {
      const file = join(args.cpuProf, `${name}-${side}.cpuprofile`)
      await f.nodes[side].stopProfile(file)
      say(`  CPU profile of ${f.nodes[side].config.profile.operator}: ${file}`)
    }
  }
}

interface Federation {
  nodes: Record<Side, ChildNode>
  stop(): Promise<void>
}

async function federation(name: string): Promise<Federation> {
  const configs = await federationConfigs(join(root, name), { synchronous: args.synchronous })
  const nodes = {
    eg: await startChildNode(configs.eg),
    dk: await startChildNode(configs.dk),
  }
  return { nodes, stop: async () => void (await Promise.all([nodes.eg.stop(), nodes.dk.stop()])) }
}

/** The floor just before a run, printed; returns letters per second. */
async function floorBeside(size: number): Promise<number> {
  const floor = await rawFloor({
    dir: root,
    n: 3000,
    size,
    synchronous: args.synchronous,
    alg: args.alg,
  })
  const perS = 1000 / floor.msPerLetter
  say(
    `  floor: 1 ${args.alg} verify (${fmt(floor.verifyMs * 1000)} us) + 1 SQLite insert ` +
      `(${fmt(floor.insertMs * 1000)} us) = ${fmt(floor.msPerLetter, 3)} ms/letter, ` +
      `${fmt(perS)} letters/s`,
  )
  return perS
}

/** Seconds of the transport floor's paced run: enough requests for a p99. */
const TRANSPORT_FLOOR_SECONDS = 3

/**
 * The transport floor just before a paced run, printed: the run's first request bodies on the
 * same schedule to a bare HTTP server. At 1,000 requests a second, each 100 us of CPU a
 * request is a tenth of a core that the nodes do not get.
 */
async function transportFloorBeside(
  a: BenchArgs,
  letters: readonly SealedForBench[],
  perRequest: number,
): Promise<void> {
  const n = Math.min(letters.length, Math.round(a.rate * TRANSPORT_FLOOR_SECONDS))
  const floor = await httpFloor({
    bodies: requestBodies(letters.slice(0, n), perRequest),
    rate: a.rate,
    perRequest,
    connections: a.connections,
  })
  const requestsPerSecond = a.rate / Math.max(1, perRequest)
  const both =
    floor.serverUs === undefined || floor.clientUs === undefined
      ? undefined
      : floor.serverUs + floor.clientUs
  say(
    `  transport floor: the same requests at the same rate to a bare HTTP server: ` +
      (both === undefined
        ? ''
        : `server ${fmt(floor.serverUs!)} us + client ${fmt(floor.clientUs!)} us of CPU a ` +
          `request (${fmt((both * requestsPerSecond) / 1e4 / cpus().length)}% of the ` +
          `machine at this rate), `) +
      `p99 ${fmt(floor.p99Ms, 1)} ms` +
      (floor.errors > 0 ? `, ${floor.errors} errors` : ''),
  )
}

/** Sets up a federation with an agency and `recipients` Danish citizens, and seals `n` letters. */
async function prepare(a: BenchArgs, name: string, n: number) {
  const f = await federation(name)
  const eta = await makeAgency(
    f.nodes.eg,
    { id: 'eta', name: 'Egyptian Tax Authority', address: 'tax' },
    a.alg,
  )
  const people = await makeCitizens(f.nodes.dk, a.recipients)
  // One lookup across the border, as an agency makes before sealing; the other recipients'
  // keys are the ones they just registered, used directly.
  const found = await eta.client.lookup({ address: people[0]!.address })
  if (found.status !== 'active') throw new Error('cross-border lookup failed')
  const sealed = await sealLetters(eta, people, n, { kind: a.kind })
  const size = sealed.letters.reduce((s, l) => s + l.bytes.byteLength, 0) / n
  say(
    `  sealed ${fmt(n)} letters of ~${fmt(size)} bytes on the sender's side at ` +
      `${fmt(n / sealed.seconds)} letters/s (the sender's cost: not in the node figures)`,
  )
  return { f, eta, letters: sealed.letters, size }
}

function cpuReporter(f: Federation) {
  const cpu = cpuMeter({
    'post.eg': f.nodes.eg.process.pid,
    'digitalpost.dk': f.nodes.dk.process.pid,
    client: process.pid,
  })
  return (letters: number) => {
    const used = Object.entries(cpu())
    if (used.length > 0)
      say(
        `  CPU per letter (all threads): ` +
          used.map(([k, s]) => `${k} ${fmt((s * 1e6) / letters)} us`).join(', '),
      )
  }
}

async function sustained(a: BenchArgs, run: number): Promise<number> {
  const { f, eta, letters, size } = await prepare(a, `bulk-${run}`, a.letters)
  try {
    const perS = await floorBeside(size)
    const watcher = watchDeliveries(f.nodes.dk.config.dbFile)
    const cpuLine = cpuReporter(f)
    try {
      const r = await profiled(f, `sustained-${run}`, () =>
        bulkRun(eta, letters, watcher, { batchSize: 2500, timeoutMs: 600_000 }),
      )
      const rate = r.letters / r.seconds
      say(
        `  ${fmt(r.letters)} letters in ${fmt(r.seconds, 2)} s: ${fmt(rate)} letters/s end to ` +
          `end = ${fmt(rate / perS, 2)}x the floor (batches stored in ${fmt(r.submitSeconds, 2)} ` +
          `s; steady state, 10% to 90% delivered: ${fmt(r.steadyRate)} letters/s)`,
      )
      cpuLine(r.letters)
      return rate
    } finally {
      watcher.close()
    }
  } finally {
    await f.stop()
  }
}

async function paced(
  a: BenchArgs,
  run: number,
  perRequest: number,
): Promise<{ p99: number; ok: boolean }> {
  const n = Math.round(a.rate * a.seconds)
  const { f, eta, letters, size } = await prepare(a, `paced-${perRequest}-${run}`, n)
  try {
    const perS = await floorBeside(size)
    await transportFloorBeside(a, letters, perRequest)
    const watcher = watchDeliveries(f.nodes.dk.config.dbFile)
    const cpuLine = cpuReporter(f)
    try {
      const r = await profiled(f, `paced-${perRequest}-${run}`, () =>
        pacedRun(eta, letters as SealedForBench[], watcher, {
          rate: a.rate,
          timeoutMs: 120_000,
          connections: a.connections,
          perRequest,
        }),
      )
      const e2e = summary(r.endToEnd)
      const acc = summary(r.acceptance)
      const late = summary(r.lateness)
      say(
        `  offered ${fmt(r.offered)} letters at ${fmt(r.offeredRate)}/s = ` +
          `${fmt(r.offeredRate / perS, 2)}x the floor (generator late by p99 ` +
          `${fmt(late.p99, 1)} ms; at most ${r.maxInFlight} unanswered)`,
      )
      say(
        `  accepted at post.eg (202): p50 ${fmt(acc.p50, 1)} ms, p99 ${fmt(acc.p99, 1)} ms, ` +
          `max ${fmt(acc.max, 1)} ms`,
      )
      say(
        `  seen in a Danish mailbox:  p50 ${fmt(e2e.p50, 1)} ms, p99 ${fmt(e2e.p99, 1)} ms, ` +
          `max ${fmt(e2e.max, 1)} ms (${fmt(e2e.n)} of ${fmt(r.offered)} delivered)`,
      )
      // Where the time goes: the letter's acceptance time as post.eg recorded it (its clock is
      // this machine's), from its database.
      const eg = new Database(f.nodes.eg.config.dbFile, { readonly: true })
      const written = (
        eg.prepare('select id, received_at as at from letters').all() as {
          id: string
          at: number
        }[]
      ).flatMap((l) => {
        const t = r.scheduledAt.get(l.id)
        return t === undefined ? [] : [l.at - t]
      })
      eg.close()
      const w = summary(written)
      say(
        `  of which to post.eg's outbox: p50 ${fmt(w.p50, 1)} ms, p99 ${fmt(w.p99, 1)} ms ` +
          `(acceptance recorded by the node)`,
      )
      cpuLine(r.offered)
      if (r.errors.size > 0)
        say(`  errors: ${[...r.errors].map(([k, v]) => `${k} x${v}`).join(', ')}`)
      return { p99: e2e.p99, ok: e2e.n === r.offered && r.errors.size === 0 }
    } finally {
      watcher.close()
    }
  } finally {
    await f.stop()
  }
}

const range = (xs: number[], digits: number) => {
  const s = [...xs].sort((p, q) => p - q)
  return s.length === 1
    ? fmt(s[0]!, digits)
    : `${fmt(s[0]!, digits)}..${fmt(s[s.length - 1]!, digits)}`
}

try {
  say(
    `Barid node benchmark: post.eg and digitalpost.dk as separate processes on loopback HTTP, ` +
      `SQLite files with synchronous=${args.synchronous}, ` +
      `${args.kind === 'registered' ? 'registered' : 'ordinary'} letters signed with ` +
      `${args.alg}; ` +
      `${cpus().length} CPUs ` +
      `(${cpus()[0]?.model ?? 'unknown'})`,
  )
  if (args.sections.has('throughput')) {
    const rates: number[] = []
    for (let run = 1; run <= args.repeat; run++) {
      say(
        `\n[1] sustained: ${fmt(args.letters)} letters to ${args.recipients} Danish residents, ` +
          `batches of 2,500 (run ${run} of ${args.repeat}; ${load()})`,
      )
      rates.push(await sustained(args, run))
    }
    verdicts.push({
      name: 'sustained Egypt -> Denmark',
      value: `${range(rates, 0)} letters/s`,
      target: '>= 2,500/s',
      // Every run must meet it: the machine is shared, and a target met once is not met.
      pass: Math.min(...rates) >= 2500,
    })
  }
  // Single letters (one request each) and small batches: what a sender submits is its choice;
  // each letter's latency counts from its own scheduled time either way.
  for (const perRequest of args.sections.has('latency') ? args.perRequest : []) {
    const how = perRequest > 1 ? `batches of ${perRequest}` : 'single letters'
    const p99s: number[] = []
    let ok = true
    for (let run = 1; run <= args.repeat; run++) {
      say(
        `\n[2] latency: ${how} offered at ${fmt(args.rate)} letters/s for ${args.seconds} s, ` +
          `open loop, ${args.connections} connections (run ${run} of ${args.repeat}; ${load()})`,
      )
      const r = await paced(args, run, perRequest)
      p99s.push(r.p99)
      ok &&= r.ok
    }
    verdicts.push({
      name: `end-to-end p99 at ${fmt(args.rate)}/s, ${how}`,
      value: `${range(p99s, 1)} ms`,
      target: '< 250 ms',
      pass: ok && Math.max(...p99s) < 250,
    })
  }
  say(`\nsummary (${load()})`)
  printVerdicts(verdicts)
} finally {
  if (!args.keep) await rm(root, { recursive: true, force: true })
  else say(`kept ${root}`)
}
