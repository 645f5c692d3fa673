/**
 * @module cli
 * `pnpm conformance`: runs the suite (spec 30) against two nodes given by URL, or against two
 * reference nodes it starts itself when none are given; writes a JSON and a Markdown report and
 * prints a summary. `--mutants` runs the mutation score instead (30.7).
 *
 *   pnpm conformance --node-a URL --node-b URL --secret S [--runs N] [--seed N] [--path P]
 *                    [--only ids,groups] [--known-failures file] [--implementation name]
 *                    [--out dir] [--config file] [--verbose]
 *   pnpm conformance --mutants [--mutant name,…] [--full]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startReferencePair } from './launcher/reference-nodes.js'
import { runMutation } from './mutation/run.js'
import { markdownMutation, markdownReport } from './report/markdown.js'
import { mutationSummary, resultLine, terminalSummary } from './report/terminal.js'
import { runSuite, type KnownFailures } from './suite.js'

const HERE = fileURLToPath(new URL('..', import.meta.url))
const USAGE = `usage: pnpm conformance [--node-a URL --node-b URL --secret S | --config file.json]
                        [--runs N] [--seed N] [--path P] [--only ids,groups]
                        [--known-failures file.json] [--implementation name] [--out dir] [--verbose]
       pnpm conformance --mutants [--mutant name,…] [--full] [--runs N] [--seed N] [--out dir]
With no node URLs it starts two reference nodes (Egypt Post as A, Denmark as B).
`

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
      seed: { type: 'string' },
      path: { type: 'string' },
      only: { type: 'string' },
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
  const file: FileConfig = values.config
    ? (JSON.parse(await readFile(values.config, 'utf8')) as FileConfig)
    : {}
  const int = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined
    if (!/^\d+$/.test(v)) throw new Error(`${what} must be a whole number`)
    return Number(v)
  }
  const runs = int(values.runs, '--runs') ?? file.runs ?? 100
  const seed = int(values.seed, '--seed') ?? file.seed
  const out = resolve(values.out ?? 'conformance-report')
  const log = values.verbose ? (l: string) => process.stderr.write(`${l}\n`) : undefined
  await mkdir(out, { recursive: true })

  if (values.mutants || values.mutant) {
    const list = values.mutant ? values.mutant.split(',').filter(Boolean) : undefined
    const m = await runMutation({
      ...(list && list.length > 0 ? { mutants: list } : {}),
      full: values.full ?? false,
      runs,
      ...(seed !== undefined ? { seed } : {}),
      log: log ?? ((l) => process.stderr.write(`${l}\n`)),
    })
    await writeFile(join(out, 'mutation.json'), JSON.stringify(m, null, 2))
    await writeFile(join(out, 'mutation.md'), markdownMutation(m))
    process.stdout.write(mutationSummary(m))
    process.stdout.write(`  reports: ${join(out, 'mutation.json')}, ${join(out, 'mutation.md')}\n`)
    return m.passed ? 0 : 1
  }

  let nodeA = values['node-a'] ?? file.nodeA
  let nodeB = values['node-b'] ?? file.nodeB
  let secret = values.secret ?? file.secret ?? process.env.BARID_TEST_CONTROL_SECRET
  let implementation = values.implementation ?? file.implementation
  let knownSource: string | KnownFailures | undefined =
    values['known-failures'] ?? file.knownFailures
  let pair: Awaited<ReturnType<typeof startReferencePair>> | undefined
  if (!nodeA && !nodeB) {
    process.stderr.write('no nodes given: starting two reference nodes\n')
    pair = await startReferencePair()
    ;({ nodeA, nodeB, secret } = pair)
    implementation ??= 'barid reference node'
    knownSource ??= join(HERE, 'known-failures', 'reference.json')
  }
  if (!nodeA || !nodeB || !secret) {
    process.stderr.write(`give both --node-a and --node-b, and --secret\n${USAGE}`)
    return 2
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
      ...(seed !== undefined ? { seed } : {}),
      ...(values.path ? { path: values.path } : {}),
      ...(values.only ? { only: values.only.split(',').filter(Boolean) } : {}),
      ...(known ? { known } : {}),
      ...(implementation ? { implementation } : {}),
      ...(log ? { log } : {}),
      onResult: (r) => process.stdout.write(`${resultLine(r)}\n`),
    })
    await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2))
    await writeFile(join(out, 'report.md'), markdownReport(report))
    const cmd = pair
      ? 'pnpm conformance'
      : `pnpm conformance --node-a ${nodeA} --node-b ${nodeB} --secret …`
    process.stdout.write(terminalSummary(report, cmd))
    process.stdout.write(`  reports: ${join(out, 'report.json')}, ${join(out, 'report.md')}\n`)
    return report.passed ? 0 : 1
  } finally {
    await pair?.close()
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`conformance: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(2)
  },
)
