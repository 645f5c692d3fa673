/**
 * @module suite
 * Runs the conformance suite against two nodes (spec 30): builds the test federation, runs the
 * selected checks one after another, classifies each result (pass, fail, warning, unsupported,
 * known failure, fixed), and computes clause coverage.
 */
import { allChecks } from './checks/index.js'
import { Failure, type Check, type CheckContext } from './checks/check.js'
import { loadClauses } from './clauses/registry.js'
import { ControlError, Unsupported } from './http/test-control.js'
import {
  SEVERITY,
  type CheckResult,
  type CheckStatus,
  type ClauseCoverage,
  type RunReport,
} from './report/result.js'
import { createWorld, type World } from './world/world.js'

export const SUITE_VERSION = '0.1.0'

/** Checks an implementation is known to fail: still run and reported (30.6). */
export interface KnownFailures {
  implementation?: string
  knownFailures: Record<string, string>
}

export interface SuiteOptions {
  nodeA: string
  nodeB: string
  secret: string
  /** fast-check runs per property (default 10). */
  runs?: number
  seed?: number
  /** Replays one counterexample of a property (with `seed`). */
  path?: string
  /** Check ids, id prefixes or groups to run (default all). */
  only?: string[]
  known?: KnownFailures
  implementation?: string
  log?: (line: string) => void
  /** Called after each check (progress). */
  onResult?: (r: CheckResult) => void
  /** Reuse a world (tests of the suite); it is not closed. */
  world?: World
}

/** Checks selected by ids, id prefixes or group names. */
export function selectChecks(
  only: readonly string[] | undefined,
  checks: readonly Check[] = allChecks(),
): Check[] {
  if (!only || only.length === 0) return [...checks]
  return checks.filter((c) =>
    only.some((s) => c.id === s || c.group === s || c.id.startsWith(`${s}.`)),
  )
}

async function runOne(
  check: Check,
  ctx: CheckContext,
): Promise<Omit<CheckResult, 'id' | 'title' | 'group' | 'kind' | 'level' | 'clauses'>> {
  const start = Date.now()
  const timeoutMs = check.timeoutMs ?? 60_000
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      check.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Failure(`the check did not finish within ${timeoutMs / 1000} s`)),
          timeoutMs,
        )
      }),
    ])
    return { status: 'pass', durationMs: Date.now() - start }
  } catch (e) {
    const durationMs = Date.now() - start
    if (e instanceof Unsupported) return { status: 'unsupported', durationMs, message: e.message }
    if (e instanceof Failure)
      return {
        status: check.level === 'SHOULD' ? 'warning' : 'fail',
        durationMs,
        message: e.message,
        ...(e.clause ? { brokenClause: e.clause } : {}),
        ...(e.property ? { property: e.property } : {}),
      }
    // Anything else (a node that does not answer, a malformed answer the check could not
    // read, a test-control error) is a failure too: the node did not let the check finish.
    const what =
      e instanceof ControlError
        ? e.message
        : `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`
    return {
      status: check.level === 'SHOULD' ? 'warning' : 'fail',
      durationMs,
      message: what.slice(0, 2000),
    }
  } finally {
    clearTimeout(timer)
  }
}

function coverage(results: readonly CheckResult[]): RunReport['coverage'] {
  const clauses = loadClauses()
  const byClause = new Map<string, CheckResult[]>()
  for (const r of results)
    for (const c of r.clauses) byClause.set(c, [...(byClause.get(c) ?? []), r])
  const nodeClauses = clauses.filter((c) => c.appliesTo === 'node')
  const list: ClauseCoverage[] = nodeClauses.map((c) => {
    const rs = byClause.get(c.id) ?? []
    let status: CheckStatus | 'uncovered' = rs.length === 0 ? 'uncovered' : 'pass'
    for (const r of rs) if (SEVERITY[r.status] > SEVERITY[status]) status = r.status
    if (rs.length > 0 && rs.every((r) => r.status === 'unsupported')) status = 'unsupported'
    return {
      id: c.id,
      level: c.level,
      text: c.text.replace(/\s+/g, ' '),
      checks: rs.map((r) => r.id),
      status,
    }
  })
  const must = nodeClauses.filter((c) => c.level === 'MUST' && c.observable !== false)
  const uncovered = must.filter((c) => !byClause.has(c.id))
  return {
    mustObservable: must.length,
    mustCovered: must.length - uncovered.length,
    clauses: list,
    uncoveredMust: uncovered.map((c) => ({ id: c.id, text: c.text.replace(/\s+/g, ' ') })),
    unobservable: nodeClauses
      .filter((c) => c.level === 'MUST' && c.observable === false)
      .map((c) => ({ id: c.id, why: c.why ?? '' })),
  }
}

/**
 * Runs the suite.
 *
 * @example
 * ```ts
 * const report = await runSuite({ nodeA, nodeB, secret, runs: 10 })
 * console.log(report.passed, report.summary)
 * ```
 */
export async function runSuite(o: SuiteOptions): Promise<RunReport> {
  const started = Date.now()
  const seed = o.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0
  const runs = o.runs ?? 10
  const log = o.log ?? (() => {})
  const world = o.world ?? (await createWorld({ nodeA: o.nodeA, nodeB: o.nodeB, secret: o.secret }))
  const results: CheckResult[] = []
  try {
    const ctx: CheckContext = {
      world,
      property: { numRuns: runs, seed, ...(o.path ? { path: o.path } : {}) },
      log,
    }
    for (const check of selectChecks(o.only)) {
      const r = await runOne(check, ctx)
      const result: CheckResult = {
        id: check.id,
        title: check.title,
        group: check.group,
        kind: check.kind,
        level: check.level ?? 'MUST',
        clauses: check.clauses,
        ...r,
      }
      const known = o.known?.knownFailures[check.id]
      if (known !== undefined) {
        result.knownReason = known
        if (result.status === 'fail' || result.status === 'warning') result.status = 'known-failure'
        else if (result.status === 'pass') result.status = 'fixed'
      }
      results.push(result)
      o.onResult?.(result)
    }
  } finally {
    if (!o.world) await world.close()
  }
  const summary = {
    pass: 0,
    fail: 0,
    warning: 0,
    unsupported: 0,
    'known-failure': 0,
    fixed: 0,
    total: results.length,
  }
  for (const r of results) summary[r.status]++
  return {
    suite: {
      name: '@barid/conformance',
      version: SUITE_VERSION,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      seed,
      runs,
      ...(o.path ? { path: o.path } : {}),
      ...(o.only ? { selected: o.only } : {}),
    },
    implementation: o.implementation ?? o.known?.implementation ?? 'unnamed',
    nodes: [world.a, world.b].map((n) => ({
      name: n.name,
      url: n.url,
      operator: n.operator,
      discovery: n.discovery.payload,
    })),
    features: { A: [...world.a.control.features], B: [...world.b.control.features] },
    results,
    summary,
    coverage: coverage(results),
    passed: summary.fail === 0,
  }
}
