/**
 * @module report/result
 * The results of a run (spec 30.6) in the shape the JSON report has, so that the terminal and
 * Markdown reports are views of the same document.
 */
import type { CheckGroup, PropertyFailure } from '../checks/check.js'

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
    selected?: string[]
  }
  implementation: string
  nodes: { name: 'A' | 'B'; url: string; operator: string; discovery: unknown }[]
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
  /** True when no check ended in `fail`. */
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
