/**
 * @module cli
 * `pnpm conformance`: runs the suite (spec 30) against two nodes given by URL, or against two
 * reference nodes it starts itself when none are given; writes a JSON and a Markdown report and
 * prints a summary. `--mutants` runs the mutation score instead (30.7).
 *
 *   BARID_TEST_CONTROL_SECRET=… pnpm conformance --node-a URL --node-b URL [--runs N]
 *                    [--seed N --path P [--replay-path R]] [--only ids,groups] [--list]
 *                    [--known-failures file] [--implementation name] [--out dir]
 *                    [--config file] [--secret-file file] [--timeout seconds] [--verbose]
 *   pnpm conformance --mutants [--mutant name,…] [--full]
 *
 * Exit codes: 0 no check failed, 1 a check failed, 2 the run could not be carried out (a usage
 * error, or a test world that could not be set up: the report then says why).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { allChecks } from './checks/index.js'
import { startReferencePair } from './launcher/reference-nodes.js'
import { runMutation } from './mutation/run.js'
import { markdownMutation, markdownReport } from './report/markdown.js'
import { mutationSummary, resultLine, terminalSummary } from './report/terminal.js'
import { checkGroups, runSuite, unknownSelections, type KnownFailures } from './suite.js'

const HERE = fileURLToPath(new URL('..', import.meta.url))
const USAGE = `usage: pnpm conformance [--node-a URL --node-b URL | --config file.json]
                        [--runs N] [--seed N] [--path P] [--replay-path R] [--only ids,groups]
                        [--known-failures file.json] [--implementation name] [--out dir]
                        [--secret-file file] [--timeout seconds] [--verbose]
       pnpm conformance --list                 (every check id, with its group)
       pnpm conformance --mutants [--mutant name,…] [--full] [--runs N] [--seed N] [--out dir]
With no node URLs it starts two reference nodes (Egypt Post as A, Denmark as B).
The test-control secret of the nodes: the environment variable BARID_TEST_CONTROL_SECRET, or
--secret-file (a file holding it). --secret S also works but shows the secret in process lists
and shell history. Relative paths are taken from the directory pnpm was started in (INIT_CWD).
Exit codes: 0 no check failed, 1 a check failed, 2 the run could not be carried out (usage
error, or nodes that could not be reached or set up: the report says why).
`

/** Thrown for a wrong command line: exit 2 with the message and the usage. */
class UsageError extends Error {}

/** A node URL, or a usage error saying what is wrong with it. */
function nodeUrl(v: string, which: string): string {
  let u: URL
  try {
    u = new URL(v)
  } catch {
    throw new UsageError(`${which} ${v} is not a URL (e.g. http://127.0.0.1:7401)`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`${which} ${v} is not an http or https URL`)
  return v
}

interface FileConfig {
  nodeA?: string
  nodeB?: string
  secret?: string
  implementation?: string
  knownFailures?: string | KnownFailures
  runs?: number
  seed?: number
}

async function main(): Promise<number> {
  // pnpm passes a lone `--` through to the script.
  const args = process.argv.slice(2).filter((a) => a !== '--')
  const { values } = parseArgs({
    args,
    options: {
      'node-a': { type: 'string' },
      'node-b': { type: 'string' },
      secret: { type: 'string' },
      config: { type: 'string' },
      runs: { type: 'string' },
      timeout: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'replay-path': { type: 'string' },
      only: { type: 'string' },
      list: { type: 'boolean' },
      'secret-file': { type: 'string' },
      'known-failures': { type: 'string' },
      implementation: { type: 'string' },
      out: { type: 'string' },
      mutants: { type: 'boolean' },
      mutant: { type: 'string' },
      full: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  })
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (values.list) {
    for (const c of allChecks())
      process.stdout.write(`${c.group.padEnd(14)} ${c.id.padEnd(34)} ${c.title}\n`)
    return 0
  }
  // pnpm runs the script in conformance/; INIT_CWD is where the caller started pnpm.
  const callerDir = process.env.INIT_CWD || process.cwd()
  const path = (p: string) => resolve(callerDir, p)
  const file: FileConfig = values.config
    ? (JSON.parse(await readFile(path(values.config), 'utf8')) as FileConfig)
    : {}
  const only = values.only?.split(',').filter(Boolean)
  if (only) {
    const unknown = only.length === 0 ? [values.only ?? ''] : unknownSelections(only)
    if (unknown.length > 0)
      throw new UsageError(
        `--only ${unknown.join(',')}: no check has that id, id prefix or group.\n` +
          `groups: ${checkGroups().join(', ')}\n` +
          'every check id: pnpm conformance --list',
      )
  }
  if (values['replay-path'] !== undefined && (values.seed === undefined || !values.path))
    throw new UsageError('--replay-path replays a counterexample: give it with --seed and --path')
  const int = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined
    if (!/^\d+$/.test(v)) throw new UsageError(`${what} must be a whole number`)
    return Number(v)
  }
  const runs = int(values.runs, '--runs') ?? file.runs ?? 100
  const seed = int(values.seed, '--seed') ?? file.seed
  const timeout = int(values.timeout, '--timeout')
  const out = path(values.out ?? 'conformance-report')
  const log = values.verbose ? (l: string) => process.stderr.write(`${l}\n`) : undefined

  if (values.mutants || values.mutant) {
    const list = values.mutant ? values.mutant.split(',').filter(Boolean) : undefined
    const m = await runMutation({
      ...(list && list.length > 0 ? { mutants: list } : {}),
      full: values.full ?? false,
      runs,
      ...(seed !== undefined ? { seed } : {}),
      log: log ?? ((l) => process.stderr.write(`${l}\n`)),
    })
    await mkdir(out, { recursive: true })
    await writeFile(join(out, 'mutation.json'), JSON.stringify(m, null, 2))
    await writeFile(join(out, 'mutation.md'), markdownMutation(m))
    process.stdout.write(mutationSummary(m))
    process.stdout.write(`  reports: ${join(out, 'mutation.json')}, ${join(out, 'mutation.md')}\n`)
    return m.passed ? 0 : 1
  }

  let nodeA = values['node-a'] ?? file.nodeA
  let nodeB = values['node-b'] ?? file.nodeB
  if (nodeA) nodeUrl(nodeA, '--node-a')
  if (nodeB) nodeUrl(nodeB, '--node-b')
  const secretFile = values['secret-file']
    ? (await readFile(path(values['secret-file']), 'utf8')).trim()
    : undefined
  let secret =
    values.secret ?? secretFile ?? file.secret ?? process.env.BARID_TEST_CONTROL_SECRET
  let implementation = values.implementation ?? file.implementation
  let knownSource: string | KnownFailures | undefined =
    values['known-failures'] !== undefined
      ? path(values['known-failures'])
      : typeof file.knownFailures === 'string'
        ? path(file.knownFailures)
        : file.knownFailures
  let pair: Awaited<ReturnType<typeof startReferencePair>> | undefined
  if (!nodeA && !nodeB) {
    process.stderr.write('no nodes given: starting two reference nodes\n')
    pair = await startReferencePair()
    ;({ nodeA, nodeB, secret } = pair)
    implementation ??= 'barid reference node'
    knownSource ??= join(HERE, 'known-failures', 'reference.json')
  }
  if (!nodeA || !nodeB || !secret) {
    await pair?.close()
    throw new UsageError(
      'give both --node-a and --node-b, and the secret (BARID_TEST_CONTROL_SECRET or --secret-file)',
    )
  }
  const known: KnownFailures | undefined =
    typeof knownSource === 'string'
      ? (JSON.parse(await readFile(knownSource, 'utf8')) as KnownFailures)
      : knownSource
  try {
    const report = await runSuite({
      nodeA,
      nodeB,
      secret,
      runs,
      ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(values.path ? { path: values.path } : {}),
      ...(values['replay-path'] !== undefined ? { replayPath: values['replay-path'] } : {}),
      ...(only ? { only } : {}),
      ...(known ? { known } : {}),
      ...(implementation ? { implementation } : {}),
      ...(log ? { log } : {}),
      onResult: (r) => process.stdout.write(`${resultLine(r)}\n`),
    })
    await mkdir(out, { recursive: true })
    await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2))
    await writeFile(join(out, 'report.md'), markdownReport(report))
    const cmd = pair
      ? 'pnpm conformance'
      : `BARID_TEST_CONTROL_SECRET=… pnpm conformance --node-a ${nodeA} --node-b ${nodeB}`
    process.stdout.write(terminalSummary(report, cmd))
    process.stdout.write(`  reports: ${join(out, 'report.json')}, ${join(out, 'report.md')}\n`)
    if (report.setupError) return 2
    return report.passed ? 0 : 1
  } finally {
    await pair?.close()
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    const usage =
      e instanceof UsageError || (e as { code?: string })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    if (usage)
      process.stderr.write(`conformance: ${(e as Error).message}\n\n${USAGE}`)
    else process.stderr.write(`conformance: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(2)
  },
)
