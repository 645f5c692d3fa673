/**
 * @module checks/property
 * Runs a fast-check property as a check: the run count, seed and (for a replay) path come from
 * the suite's options; a failure becomes a {@link Failure} carrying the seed, the path and the
 * shrunk counterexample, which `--seed … --path …` replays exactly (spec 30.6); a counterexample
 * with a command sequence also carries its `replayPath` (`--replay-path`), without which
 * fast-check replays the commands but not which of them ran.
 */
import fc from 'fast-check'
import { TransportError } from '../http/http.js'
import { Failure, type CheckContext, type PropertyParams } from './check.js'

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
  // A node that stopped answering is not a counterexample: report it as the transport failure.
  if (error instanceof TransportError) throw error
  const message =
    error instanceof Failure
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error)
  const counterexample =
    details.counterexample === null ? 'null' : fc.stringify(details.counterexample)
  const replayPath = replayPathOf(counterexample)
  throw new Failure(
    `property failed after ${details.numRuns} runs and ${details.numShrinks} shrinks: ${message}`,
    error instanceof Failure ? (error.clause ?? clause) : clause,
    {
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      counterexample,
      numRuns: details.numRuns,
      numShrinks: details.numShrinks,
      ...(replayPath !== undefined ? { replayPath } : {}),
    },
    error instanceof Failure ? error.exchange : undefined,
  )
}

/**
 * The `replayPath` fast-check writes into a printed command sequence (a comment
 * `replayPath="…"` after the commands), if the counterexample has one.
 *
 * @example
 * ```ts
 * replayPathOf(fc.stringify(details.counterexample)) // e.g. 'J:A'
 * ```
 */
export function replayPathOf(counterexample: string): string | undefined {
  return /\/\*replayPath="([^"]*)"\*\//.exec(counterexample)?.[1]
}

/**
 * `fc.commands` for a model check, with the run's replay path when it replays a counterexample
 * (fast-check replays a command sequence exactly only with `seed`, `path` and `replayPath`).
 *
 * @example
 * ```ts
 * fc.asyncProperty(commandsOf(commandArbitraries(), ctx.property, 14), async (cmds) => { … })
 * ```
 */
export function commandsOf<Model extends object, Real>(
  arbs: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[],
  params: PropertyParams,
  maxCommands: number,
): fc.Arbitrary<Iterable<fc.AsyncCommand<Model, Real>>> {
  return fc.commands(arbs, {
    maxCommands,
    ...(params.replayPath !== undefined ? { replayPath: params.replayPath } : {}),
  })
}
