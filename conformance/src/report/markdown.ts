/**
 * @module report/markdown
 * The report a standards body can publish (spec 30.6): implementation and parameters, results
 * by group with the clauses each check covers, failures with counterexamples, and clause
 * coverage including the clauses no check covers and those no black-box run can observe.
 */
import type { MutationReport } from '../mutation/run.js'
import type { RunReport } from './result.js'
import { exchangeLines } from './terminal.js'

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/**
 * @example
 * ```ts
 * await writeFile('report.md', markdownReport(report))
 * ```
 */
export function markdownReport(r: RunReport): string {
  const s = r.summary
  const out: string[] = []
  out.push(`# Barid conformance report: ${r.implementation}`)
  out.push('')
  out.push(
    `Suite \`${r.suite.name}\` ${r.suite.version}, run ${r.suite.startedAt} (${(r.suite.durationMs / 1000).toFixed(1)} s), seed \`${r.suite.seed}\`, ${r.suite.runs} runs per property.`,
  )
  if (r.partial)
    out.push(
      '',
      `**Partial run**: ${r.suite.checksRun} of ${r.suite.checksTotal} checks, selected by \`--only ${(r.suite.selected ?? []).join(',')}\`. It says nothing of the checks left out.`,
    )
  out.push('')
  out.push('| Node | Operator | URL | Test-control features |')
  out.push('| --- | --- | --- | --- |')
  for (const n of r.nodes)
    out.push(
      `| ${n.name} | ${n.operator ? `\`${n.operator}\`` : '?'} | ${n.url} | ${r.features[n.name].join(', ')} |`,
    )
  out.push('')
  if (r.setupError) {
    out.push(
      '**Result: no result.** The test world (spec 30.5) could not be set up, so no check ran:',
      '',
      '```',
      r.setupError.slice(0, 4000),
      '```',
      '',
    )
    return out.join('\n')
  }
  const verdict = !r.passed
    ? 'not conformant'
    : r.partial
      ? `no check failed (partial: ${r.suite.checksRun} of ${r.suite.checksTotal} checks)`
      : 'conformant: no check failed'
  out.push(
    `**Result: ${verdict}.** ${s.pass} passed, ${s.fail} failed, ${s.warning} SHOULD warnings, ${s.unsupported} unsupported, ${s['known-failure']} known failures, ${s.fixed} fixed (${s.total} checks).`,
  )
  out.push('')
  out.push('## Results')
  const groups = [...new Set(r.results.map((x) => x.group))]
  for (const g of groups) {
    out.push('')
    out.push(`### ${g}`)
    out.push('')
    out.push('| Check | What it checks | Clauses | Result |')
    out.push('| --- | --- | --- | --- |')
    for (const x of r.results.filter((y) => y.group === g))
      out.push(
        `| \`${x.id}\` | ${cell(x.title)}${x.level === 'SHOULD' ? ' (SHOULD)' : ''} | ${x.clauses.join(', ')} | ${x.status} |`,
      )
  }
  const bad = r.results.filter((x) => x.status !== 'pass' && x.status !== 'unsupported')
  if (bad.length > 0) {
    out.push('')
    out.push('## Findings')
    for (const x of bad) {
      out.push('')
      out.push(`### \`${x.id}\`: ${x.status}`)
      out.push('')
      if (x.brokenClause) out.push(`Clause ${x.brokenClause}.`)
      if (x.message) out.push('', '```', x.message.slice(0, 4000), '```')
      if (x.knownReason) out.push('', `Declared known failure: ${x.knownReason}`)
      const exchange = exchangeLines(x)
      if (exchange.length > 0) out.push('', 'Last exchange:', '', '```', ...exchange, '```')
      if (x.property)
        out.push(
          '',
          `Property: seed \`${x.property.seed}\`, path \`${x.property.path}\`${x.property.replayPath !== undefined ? `, replay path \`${x.property.replayPath}\`` : ''}, ${x.property.numShrinks} shrinks. Counterexample:`,
          '',
          '```',
          x.property.counterexample.slice(0, 4000),
          '```',
        )
    }
  }
  const c = r.coverage
  out.push('')
  out.push('## Clause coverage')
  out.push('')
  out.push(
    `${c.mustCovered} of ${c.mustObservable} observable MUST clauses binding a node are covered by a check.`,
  )
  if (c.uncoveredMust.length > 0) {
    out.push('')
    out.push('MUST clauses with no check:')
    out.push('')
    for (const u of c.uncoveredMust) out.push(`- ${u.id}: ${cell(u.text)}`)
  }
  out.push('')
  out.push('MUST clauses a black-box run cannot observe:')
  out.push('')
  for (const u of c.unobservable) out.push(`- ${u.id}: ${u.why}`)
  out.push('')
  out.push('| Clause | Level | Result | Checks |')
  out.push('| --- | --- | --- | --- |')
  for (const x of c.clauses)
    out.push(
      `| ${x.id} | ${x.level} | ${x.status} | ${x.checks.map((k) => `\`${k}\``).join(', ')} |`,
    )
  out.push('')
  return out.join('\n')
}

/** The mutation run as Markdown. */
export function markdownMutation(m: MutationReport): string {
  const out = [
    `# Barid conformance: mutation score`,
    '',
    `${m.score.caught} of ${m.score.total} mutants of the reference node caught (**${(m.score.ratio * 100).toFixed(0)}%**), run ${m.startedAt} (${(m.durationMs / 1000).toFixed(1)} s). The real node ${m.baseline.passed ? 'passes' : 'fails'} the same checks.`,
    '',
    '| Mutant | Caught | By |',
    '| --- | --- | --- |',
  ]
  for (const r of m.mutants)
    out.push(
      `| \`${r.mutant}\` | ${r.caught ? 'yes' : '**no**'} | ${r.caught ? r.caughtBy.map((c) => `\`${c}\``).join(', ') : cell(r.error ?? 'every targeted check passed')} |`,
    )
  out.push('')
  return out.join('\n')
}
