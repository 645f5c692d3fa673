/**
 * @module checks/check
 * What a check is (spec 30.6): an id, the clauses it covers, and a `run` that throws a
 * {@link Failure} when a node under test departs from them, or `Unsupported` when it needs a
 * test-control feature the node lacks. Assertion helpers name the clause they judge, so a
 * failure says which requirement was broken.
 */
import type { Exchange, HttpResult } from '../http/http.js'
import type { World } from '../world/world.js'

export type CheckGroup =
  | 'test-control'
  | 'discovery'
  | 'signatures'
  | 'transactions'
  | 'delivery'
  | 'sender'
  | 'citizen'
  | 'privacy'
  | 'vectors'
  | 'model'
  | 'transparency'
  | 'cross'

/** What a property check needs to run, replay and report (fast-check parameters). */
export interface PropertyParams {
  numRuns: number
  seed: number
  path?: string
  /** fast-check's replay hint for command sequences (`fc.commands`), with `seed` and `path`. */
  replayPath?: string
}

export interface CheckContext {
  world: World
  property: PropertyParams
  /** Progress lines (verbose mode). */
  log(msg: string): void
}

/** A counterexample of a failed property, for the reports and for replay. */
export interface PropertyFailure {
  seed: number
  path: string
  counterexample: string
  numRuns: number
  numShrinks: number
  /** The `replayPath` of a command sequence in the counterexample, for an exact replay. */
  replayPath?: string
}

export interface Check {
  id: string
  title: string
  group: CheckGroup
  /** Clause ids (spec 30.2) this check covers. */
  clauses: string[]
  kind: 'example' | 'property' | 'model' | 'vector'
  /** `SHOULD` checks end in `warning`, not `fail` (default `MUST`). */
  level?: 'MUST' | 'SHOULD'
  /** Longest time a run may take, ms (default 60 s). */
  timeoutMs?: number
  run(ctx: CheckContext): Promise<void>
}

/** A node under test departed from a clause. */
export class Failure extends Error {
  constructor(
    message: string,
    readonly clause?: string,
    readonly property?: PropertyFailure,
    /** The exchange the failure was judged on, when it was one answer. */
    readonly exchange?: Exchange,
  ) {
    super(message)
    this.name = 'Failure'
  }
}

/** Fails the check (`exchange`: the answer it was judged on, for the report). */
export function fail(message: string, clause?: string, exchange?: Exchange): never {
  throw new Failure(message, clause, undefined, exchange)
}

/** Fails unless `cond` (`exchange`: the answer it was judged on, for the report). */
export function ensure(
  cond: unknown,
  message: string,
  clause?: string,
  exchange?: Exchange,
): asserts cond {
  if (!cond) fail(message, clause, exchange)
}

const show = (r: HttpResult) =>
  `${r.status}${r.code ? ` ${r.code}` : ''}${r.code ? '' : ` ${r.text.slice(0, 160)}`}`

/** Fails unless the node refused with one of `codes` (and its table status, checked in http.ts). */
export function expectRefusal(
  r: HttpResult,
  codes: string | readonly string[],
  clause: string,
  what: string,
): void {
  const list = typeof codes === 'string' ? [codes] : codes
  if (r.status < 400 || r.code === undefined || !list.includes(r.code))
    fail(`${what}: expected ${list.join(' or ')}, got ${show(r)}`, clause, r.exchange)
}

/** Fails unless the answer has one of `statuses`. */
export function expectStatus(
  r: HttpResult,
  statuses: number | readonly number[],
  clause: string,
  what: string,
): void {
  const list = typeof statuses === 'number' ? [statuses] : statuses
  if (!list.includes(r.status))
    fail(`${what}: expected HTTP ${list.join(' or ')}, got ${show(r)}`, clause, r.exchange)
}

/** Waits until `probe` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  o: { timeoutMs?: number; everyMs?: number; what: string; clause?: string },
): Promise<T> {
  const end = Date.now() + (o.timeoutMs ?? 15_000)
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > end) fail(`timed out waiting: ${o.what}`, o.clause)
    await new Promise((r) => setTimeout(r, o.everyMs ?? 50))
  }
}
