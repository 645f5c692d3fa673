/**
 * @module report/terminal
 * The run summary on the terminal (spec 30.6): one line per check, the failures with their
 * clause and, for a property, the seed, path and shrunk counterexample with the command that
 * replays it; then clause coverage.
 */
import type { MutationReport } from '../mutation/run.js'
import type { CheckResult, RunReport } from './result.js'

const MARK: Record<CheckResult['status'], string> = {
  pass: 'PASS ',
  fail: 'FAIL ',
  warning: 'WARN ',
  unsupported: 'UNSUP',
  'known-failure': 'KNOWN',
  fixed: 'FIXED',
}

/** One progress line for a finished check. */
export function resultLine(r: CheckResult): string {
  return `${MARK[r.status]} ${r.id.padEnd(34)} ${String(r.durationMs).padStart(6)} ms  [${r.clauses.join(' ')}]`
}

/** A shell word: quoted unless it is plain. */
const word = (s: string) => (/^[\w.,:/@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

/** The replay command for a failed property (with the replay path of a command sequence). */
export function replayCommand(r: CheckResult, base: string): string | undefined {
  if (!r.property) return undefined
  const replayPath =
    r.property.replayPath !== undefined ? ` --replay-path ${word(r.property.replayPath)}` : ''
  return `${base} --only ${r.id} --seed ${r.property.seed} --path ${word(r.property.path)}${replayPath}`
}

/** What a failed check sent and what came back, as lines (report.json has the same). */
export function exchangeLines(r: CheckResult): string[] {
  if (!r.request) return []
  const q = r.request
  const out = [`request: ${q.target}: ${q.method} ${q.url}`]
  const headers = Object.entries(q.headers)
  if (headers.length > 0) out.push(`  headers: ${headers.map(([k, v]) => `${k}: ${v}`).join('; ')}`)
  if (q.body !== undefined) out.push(`  body: ${q.body}`)
  if (r.response) out.push(`response: HTTP ${r.response.status} ${r.response.body}`)
  else if (r.transportError) out.push(`response: none (${r.transportError})`)
  return out
}

/** The verdict line: a partial run (`--only`) or a run that never started is never "conformant". */
export function verdict(report: RunReport): string {
  if (report.setupError) return 'RESULT: no result: the run could not be set up (see above)'
  if (!report.passed) return 'RESULT: NOT conformant (see failures above)'
  if (report.partial)
    return `RESULT: no check failed (partial: ${report.suite.checksRun} of ${report.suite.checksTotal} checks)`
  return 'RESULT: conformant (no check failed)'
}

/**
 * @example
 * ```ts
 * process.stdout.write(terminalSummary(report, 'pnpm conformance --node-a … --node-b …'))
 * ```
 */
export function terminalSummary(report: RunReport, command = 'pnpm conformance'): string {
  const out: string[] = []
  const s = report.summary
  out.push('')
  out.push(`Barid conformance ${report.suite.version}: ${report.implementation}`)
  for (const n of report.nodes) out.push(`  node ${n.name}: ${n.operator ?? '?'} at ${n.url}`)
  out.push(
    `  seed ${report.suite.seed}, ${report.suite.runs} runs per property, ${(report.suite.durationMs / 1000).toFixed(1)} s`,
  )
  if (report.partial)
    out.push(
      `  partial run: ${report.suite.checksRun} of ${report.suite.checksTotal} checks (--only ${(report.suite.selected ?? []).join(',')})`,
    )
  if (report.setupError) {
    out.push('')
    out.push('  the test world could not be set up (30.5), so no check ran:')
    out.push(...report.setupError.split('\n').map((l) => `    ${l}`))
    out.push('')
    out.push(`  ${verdict(report)}`)
    out.push('')
    return out.join('\n')
  }
  out.push('')
  out.push(
    `  ${s.pass} passed, ${s.fail} failed, ${s.warning} warnings (SHOULD), ${s.unsupported} unsupported, ${s['known-failure']} known failures, ${s.fixed} fixed, of ${s.total}`,
  )
  const bad = report.results.filter((r) => r.status !== 'pass')
  for (const r of bad) {
    out.push('')
    out.push(`  ${MARK[r.status]} ${r.id}: ${r.title}`)
    if (r.brokenClause) out.push(`        clause ${r.brokenClause}`)
    if (r.message) out.push(...r.message.split('\n').map((l) => `        ${l}`))
    if (r.knownReason) out.push(`        declared: ${r.knownReason}`)
    out.push(...exchangeLines(r).map((l) => `        ${l}`))
    if (r.property) {
      out.push(
        `        seed ${r.property.seed}, path ${r.property.path}, ${r.property.numShrinks} shrinks`,
      )
      out.push(`        counterexample: ${r.property.counterexample.slice(0, 2000)}`)
      out.push(`        replay: ${replayCommand(r, command)}`)
    }
  }
  const c = report.coverage
  out.push('')
  out.push(
    `  MUST clauses (node, observable) covered by a check${report.partial ? ' that ran' : ''}: ${c.mustCovered} of ${c.mustObservable}`,
  )
  if (c.uncoveredMust.length > 0)
    out.push(`  MUST clauses with no check: ${c.uncoveredMust.map((u) => u.id).join(', ')}`)
  out.push(
    `  MUST clauses a black-box run cannot observe: ${c.unobservable.map((u) => u.id).join(', ')}`,
  )
  out.push('')
  out.push(`  ${verdict(report)}`)
  out.push('')
  return out.join('\n')
}

/** The mutation score summary. */
export function mutationSummary(m: MutationReport): string {
  const out: string[] = [
    '',
    `Mutation run: ${m.score.caught} of ${m.score.total} mutants caught (score ${(m.score.ratio * 100).toFixed(0)}%), ${(m.durationMs / 1000).toFixed(1)} s`,
  ]
  out.push(
    `  real node on the targeted checks: ${m.baseline.passed ? 'passes' : 'FAILS'} (${m.baseline.summary.pass} passed, ${m.baseline.summary.fail} failed)`,
  )
  for (const r of m.mutants)
    out.push(
      `  ${r.caught ? 'caught    ' : 'NOT CAUGHT'} ${r.mutant.padEnd(28)} ${r.caught ? `by ${r.caughtBy.join(', ')}` : (r.error ?? 'every targeted check passed')}`,
    )
  out.push('')
  return out.join('\n')
}
