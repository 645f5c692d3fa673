/**
 * @module checks/property
 * Runs a fast-check property as a check: the run count, seed and (for a replay) path come from
 * the suite's options; a failure becomes a {@link Failure} carrying the seed, the path and the
 * shrunk counterexample, which `--seed … --path …` replays exactly (spec 30.6).
 */
import fc from 'fast-check'
import { Failure, type CheckContext } from './check.js'

/**
 * @example
 * ```ts
 * await checkProperty(ctx, fc.asyncProperty(fc.nat(), async (i) => { … }), '10.5-1')
 * ```
 */
export async function checkProperty<T>(
  ctx: CheckContext,
  property: fc.IAsyncPropertyWithHooks<T> | fc.IAsyncProperty<T>,
  clause: string,
  o: { numRuns?: number; timeLimitMs?: number } = {},
): Promise<void> {
  const p = ctx.property
  const details = await fc.check(property as fc.IAsyncProperty<T>, {
    numRuns: o.numRuns ?? p.numRuns,
    seed: p.seed,
    ...(p.path ? { path: p.path } : {}),
    interruptAfterTimeLimit: o.timeLimitMs ?? 120_000,
  })
  if (!details.failed) return
  const error = details.errorInstance
  const message =
    error instanceof Failure
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error)
  throw new Failure(
    `property failed after ${details.numRuns} runs and ${details.numShrinks} shrinks: ${message}`,
    error instanceof Failure ? (error.clause ?? clause) : clause,
    {
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      counterexample:
        details.counterexample === null ? 'null' : fc.stringify(details.counterexample),
      numRuns: details.numRuns,
      numShrinks: details.numShrinks,
    },
  )
}
