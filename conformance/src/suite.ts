/**
 * @module suite
 * Runs the conformance suite against two nodes (spec 30): builds the test federation, runs the
 * selected checks one after another, classifies each result (pass, fail, warning, unsupported,
 * known failure, fixed), and computes clause coverage.
 */
import { BaridError } from '@barid/core'
import { allChecks } from './checks/index.js'
import { Failure, type Check, type CheckContext, type CheckGroup } from './checks/check.js'
import { loadClauses } from './clauses/registry.js'
import { forgetExchanges, lastExchange, TransportError, type Exchange } from './http/http.js'
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
  /** How long a request may wait for an answer, ms (default 30 s). */
  timeoutMs?: number
  /** fast-check runs per property (default 10). */
  runs?: number
  seed?: number
  /** Replays one counterexample of a property (with `seed`). */
  path?: string
  /** With `seed` and `path`, the replay path of a command sequence (the model check). */
  replayPath?: string
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

const selects = (c: Check, s: string) => c.id === s || c.group === s || c.id.startsWith(`${s}.`)

/** Checks selected by ids, id prefixes or group names. */
export function selectChecks(
  only: readonly string[] | undefined,
  checks: readonly Check[] = allChecks(),
): Check[] {
  if (!only || only.length === 0) return [...checks]
  return checks.filter((c) => only.some((s) => selects(c, s)))
}

/**
 * The entries of `only` that select no check: a typo must not make an empty run that passes.
 *
 * @example
 * ```ts
 * unknownSelections(['discovery', 'no.such.check']) // ['no.such.check']
 * ```
 */
export function unknownSelections(
  only: readonly string[],
  checks: readonly Check[] = allChecks(),
): string[] {
  return only.filter((s) => !checks.some((c) => selects(c, s)))
}

/** The check groups, in run order. */
export function checkGroups(checks: readonly Check[] = allChecks()): CheckGroup[] {
  return [...new Set(checks.map((c) => c.group))]
}

/** A departure from what was sent, for a result: the exchange as the reports show it. */
function exchangeFields(x: Exchange | undefined): Partial<CheckResult> {
  if (!x) return {}
  return {
    request: { target: x.target, ...x.request },
    ...(x.response ? { response: x.response } : {}),
    ...(x.error ? { transportError: x.error } : {}),
  }
}

async function runOne(
  check: Check,
  ctx: CheckContext,
): Promise<Omit<CheckResult, 'id' | 'title' | 'group' | 'kind' | 'level' | 'clauses'>> {
  const start = Date.now()
  const timeoutMs = check.timeoutMs ?? 60_000
  let timer: NodeJS.Timeout | undefined
  forgetExchanges()
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
        ...exchangeFields(e.exchange ?? lastExchange()),
      }
    // A node that did not answer, or whose test control failed, let the check observe nothing:
    // that fails whatever the clause's level (30.6: "a check that finds a node unreachable
    // fails"); a SHOULD the check could not observe was not met.
    if (e instanceof TransportError || e instanceof ControlError)
      return {
        status: 'fail',
        durationMs,
        message: `${e.message}${check.level === 'SHOULD' ? ' (a SHOULD check that could not observe the node fails, 30.6)' : ''}`,
        ...exchangeFields(e.exchange),
      }
    // Anything else (a malformed answer the check could not read) is a finding of the level
    // of the check: the node did not let the check finish.
    const what = `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`
    return {
      status: check.level === 'SHOULD' ? 'warning' : 'fail',
      durationMs,
      message: what.slice(0, 2000),
      ...exchangeFields(lastExchange()),
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

const emptySummary = (): RunReport['summary'] => ({
  pass: 0,
  fail: 0,
  warning: 0,
  unsupported: 0,
  'known-failure': 0,
  fixed: 0,
  total: 0,
})

/**
 * Runs the suite. An entry of `only` that selects no check is refused (`ERR_INVALID_ARGUMENT`)
 * before anything runs. A world that cannot be set up (a node unreachable, without test control,
 * or not serving its discovery documents) gives a report with `setupError` and `passed: false`.
 *
 * @example
 * ```ts
 * const report = await runSuite({ nodeA, nodeB, secret, runs: 10 })
 * console.log(report.passed, report.partial, report.summary)
 * ```
 */
export async function runSuite(o: SuiteOptions): Promise<RunReport> {
  const started = Date.now()
  const seed = o.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0
  const runs = o.runs ?? 10
  const log = o.log ?? (() => {})
  const all = allChecks()
  const only = o.only && o.only.length > 0 ? o.only : undefined
  const unknown = only ? unknownSelections(only, all) : []
  if (unknown.length > 0)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `no check has the id, id prefix or group ${unknown.join(', ')}; groups: ${checkGroups(all).join(', ')}`,
    )
  const selected = selectChecks(only, all)
  const suite = (): RunReport['suite'] => ({
    name: '@barid/conformance',
    version: SUITE_VERSION,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    seed,
    runs,
    ...(o.path ? { path: o.path } : {}),
    ...(o.replayPath !== undefined ? { replayPath: o.replayPath } : {}),
    ...(only ? { selected: [...only] } : {}),
    checksRun: selected.length,
    checksTotal: all.length,
  })
  const partial = selected.length < all.length
  let world: World
  try {
    world =
      o.world ??
      (await createWorld({
        nodeA: o.nodeA,
        nodeB: o.nodeB,
        secret: o.secret,
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      }))
  } catch (e) {
    const setupError = e instanceof Error ? e.message : String(e)
    return {
      suite: { ...suite(), checksRun: 0 },
      partial,
      setupError,
      implementation: o.implementation ?? o.known?.implementation ?? 'unnamed',
      nodes: [
        { name: 'A', url: o.nodeA },
        { name: 'B', url: o.nodeB },
      ],
      features: { A: [], B: [] },
      results: [],
      summary: emptySummary(),
      coverage: coverage([]),
      passed: false,
    }
  }
  const results: CheckResult[] = []
  try {
    const ctx: CheckContext = {
      world,
      property: {
        numRuns: runs,
        seed,
        ...(o.path ? { path: o.path } : {}),
        ...(o.replayPath !== undefined ? { replayPath: o.replayPath } : {}),
      },
      log,
    }
    for (const check of selected) {
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
        // A declaration covers what the node does, not a node that stopped answering.
        const unreachable = result.transportError !== undefined
        if (!unreachable && (result.status === 'fail' || result.status === 'warning'))
          result.status = 'known-failure'
        else if (result.status === 'pass') result.status = 'fixed'
      }
      results.push(result)
      o.onResult?.(result)
    }
  } finally {
    if (!o.world) await world.close()
  }
  const summary = emptySummary()
  summary.total = results.length
  for (const r of results) summary[r.status]++
  return {
    suite: suite(),
    partial,
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
