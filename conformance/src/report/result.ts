/**
 * @module report/result
 * The results of a run (spec 30.6) in the shape the JSON report has, so that the terminal and
 * Markdown reports are views of the same document.
 */
import type { CheckGroup, PropertyFailure } from '../checks/check.js'
import type { Exchange } from '../http/http.js'

export type CheckStatus = 'pass' | 'fail' | 'warning' | 'unsupported' | 'known-failure' | 'fixed'

export interface CheckResult {
  id: string
  title: string
  group: CheckGroup
  kind: string
  level: 'MUST' | 'SHOULD'
  clauses: string[]
  status: CheckStatus
  durationMs: number
  /** Why it failed (or the unsupported feature). */
  message?: string
  /** The clause the failure broke, when the check could tell. */
  brokenClause?: string
  property?: PropertyFailure
  /** The reason given in the known-failures declaration. */
  knownReason?: string
  /**
   * A result that is not a pass: the last request the check sent (or the one it judged), secrets
   * masked and body cut, and what came back (absent when nothing did; `error` says why).
   */
  request?: Exchange['request'] & { target: string }
  response?: Exchange['response']
  /** Why no answer came: the transport failure (refused, reset, timeout). */
  transportError?: string
}

export interface ClauseCoverage {
  id: string
  level: 'MUST' | 'SHOULD'
  text: string
  checks: string[]
  /** Worst result of the checks covering it. */
  status: CheckStatus | 'uncovered'
}

export interface RunReport {
  suite: {
    name: '@barid/conformance'
    version: string
    startedAt: string
    durationMs: number
    seed: number
    runs: number
    path?: string
    replayPath?: string
    /** `--only`: the ids, prefixes or groups selected. */
    selected?: string[]
    /** Checks run, of all the suite has: fewer in a partial run. */
    checksRun: number
    checksTotal: number
  }
  /**
   * True when `--only` left checks out: the run says nothing of what those would have found,
   * so it is never reported as conformant, only as "no check failed".
   */
  partial: boolean
  /** Set when the test world (30.5) could not be set up: no check ran, the run failed. */
  setupError?: string
  implementation: string
  /** `operator` and `discovery` are absent when the node could not be read (`setupError`). */
  nodes: { name: 'A' | 'B'; url: string; operator?: string; discovery?: unknown }[]
  features: Record<'A' | 'B', string[]>
  results: CheckResult[]
  summary: Record<CheckStatus, number> & { total: number }
  coverage: {
    mustObservable: number
    mustCovered: number
    clauses: ClauseCoverage[]
    /** Observable MUST clauses of nodes that no check covers. */
    uncoveredMust: { id: string; text: string }[]
    /** Node MUST clauses a black-box run cannot observe, with why. */
    unobservable: { id: string; why: string }[]
  }
  /** True when no check ended in `fail` and the world was set up (see `partial`). */
  passed: boolean
}

/** Orders results from worst to best (for clause status). */
export const SEVERITY: Record<CheckStatus | 'uncovered', number> = {
  fail: 5,
  'known-failure': 4,
  warning: 3,
  uncovered: 2,
  unsupported: 1,
  fixed: 0,
  pass: 0,
}
