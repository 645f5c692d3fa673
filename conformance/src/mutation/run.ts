/**
 * @module mutation/run
 * The mutation score (spec 30.7): start the reference nodes, run the targeted checks on the real
 * node (which must pass), then restart node A as each mutant in turn and run the checks that
 * target it. A mutant is caught when one of them fails. The score is caught / total.
 */
import { forgetFixtures } from '../checks/fixtures.js'
import { startReferencePair } from '../launcher/reference-nodes.js'
import type { CheckResult, RunReport } from '../report/result.js'
import { runSuite } from '../suite.js'
import { createWorld } from '../world/world.js'
import { MUTANT_CHECKS, mutantNames } from './catalogue.js'

export interface MutantResult {
  mutant: string
  caught: boolean
  /** Checks that failed (caught it). */
  caughtBy: string[]
  results: CheckResult[]
  durationMs: number
  /** The mutant could not be started or run. */
  error?: string
}

export interface MutationReport {
  startedAt: string
  durationMs: number
  /** The targeted checks on the real node: all must pass. */
  baseline: RunReport
  mutants: MutantResult[]
  score: { caught: number; total: number; ratio: number }
  /** True when the baseline passed and every mutant was caught. */
  passed: boolean
}

export interface MutationOptions {
  /** Mutants to run (default all in the catalogue). */
  mutants?: string[]
  /** Run every check against every mutant, not only the targeted ones. */
  full?: boolean
  runs?: number
  seed?: number
  log?: (line: string) => void
  onMutant?: (r: MutantResult) => void
}

/**
 * @example
 * ```ts
 * const m = await runMutation({ mutants: ['accept-replay'] })
 * console.log(m.score) // { caught: 1, total: 1, ratio: 1 }
 * ```
 */
export async function runMutation(o: MutationOptions = {}): Promise<MutationReport> {
  const started = Date.now()
  const names = o.mutants ?? mutantNames()
  const unknown = names.filter((n) => !MUTANT_CHECKS[n])
  if (unknown.length > 0) throw new Error(`unknown mutants: ${unknown.join(', ')}`)
  const log = o.log ?? (() => {})
  const targeted = [...new Set(names.flatMap((n) => MUTANT_CHECKS[n]!))]
  const only = o.full ? undefined : targeted
  await using pair = await startReferencePair()
  const world = await createWorld({ nodeA: pair.nodeA, nodeB: pair.nodeB, secret: pair.secret })
  try {
    log('mutation: baseline on the real node')
    const baseline = await runSuite({
      ...pair,
      world,
      only,
      runs: o.runs,
      seed: o.seed,
      implementation: 'barid reference node',
    })
    const mutants: MutantResult[] = []
    for (const mutant of names) {
      const t0 = Date.now()
      let result: MutantResult
      try {
        await pair.restartA(mutant)
        await world.refresh()
        forgetFixtures(world)
        const r = await runSuite({
          ...pair,
          world,
          only: o.full ? undefined : MUTANT_CHECKS[mutant],
          runs: o.runs,
          seed: o.seed,
        })
        const caughtBy = r.results.filter((x) => x.status === 'fail').map((x) => x.id)
        result = {
          mutant,
          caught: caughtBy.length > 0,
          caughtBy,
          results: r.results,
          durationMs: Date.now() - t0,
        }
      } catch (e) {
        result = {
          mutant,
          caught: false,
          caughtBy: [],
          results: [],
          durationMs: Date.now() - t0,
          error: String(e).slice(0, 500),
        }
      }
      mutants.push(result)
      o.onMutant?.(result)
      log(`mutation: ${mutant} ${result.caught ? 'caught' : 'NOT caught'}`)
    }
    const caught = mutants.filter((m) => m.caught).length
    return {
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      baseline,
      mutants,
      score: {
        caught,
        total: mutants.length,
        ratio: mutants.length === 0 ? 1 : caught / mutants.length,
      },
      passed: baseline.passed && caught === mutants.length,
    }
  } finally {
    await world.close()
  }
}
