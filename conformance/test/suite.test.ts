/**
 * The suite at a small depth against two reference nodes it starts as processes (as CI does):
 * every check passes or is a declared known failure, every observable MUST clause of a node
 * has a check, and the reports render.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReferencePair, type ReferencePair } from '../src/launcher/reference-nodes.js'
import { markdownReport } from '../src/report/markdown.js'
import type { RunReport } from '../src/report/result.js'
import { terminalSummary } from '../src/report/terminal.js'
import { runSuite, type KnownFailures } from '../src/suite.js'

const KNOWN = fileURLToPath(new URL('../known-failures/reference.json', import.meta.url))

describe('the conformance suite against two reference nodes', () => {
  let pair: ReferencePair
  let report: RunReport

  beforeAll(async () => {
    pair = await startReferencePair()
    const known = JSON.parse(await readFile(KNOWN, 'utf8')) as KnownFailures
    report = await runSuite({ ...pair, runs: 4, seed: 20260301, known })
  }, 180_000)

  afterAll(async () => {
    await pair?.close()
  })

  it('passes every check on the reference node, known failures declared', () => {
    const failed = report.results.filter((r) => r.status === 'fail' || r.status === 'warning')
    expect(failed.map((r) => `${r.id}: ${r.message}`)).toEqual([])
    expect(report.passed).toBe(true)
    expect(report.summary.unsupported).toBe(0)
  })

  it('covers every observable MUST clause that binds a node', () => {
    expect(report.coverage.uncoveredMust.map((c) => c.id)).toEqual([])
    expect(report.coverage.mustCovered).toBe(report.coverage.mustObservable)
  })

  it('renders the terminal and Markdown reports with the clause table', () => {
    expect(report.partial).toBe(false)
    expect(terminalSummary(report)).toContain('RESULT: conformant')
    const md = markdownReport(report)
    expect(md).toContain('| Clause | Level | Result | Checks |')
    expect(md).toContain('`model.federation`')
  })
})
