/**
 * @module test-control/clock
 * The node's clock seam for conformance testing (spec 30.4): with test control enabled the node
 * reads time from an adjustable clock, which the test-control interface moves forward so that
 * deadlines pass without waiting. Without test control the node reads `Date.now` directly.
 * An adjustable clock is a plain `() => number`; its controls are found through a WeakMap, so
 * nothing else in the node knows the difference.
 */
import type { NodeConfig } from '../config/config.js'

/** Controls of an adjustable clock. */
export interface ClockControl {
  /** Milliseconds added to the base clock. */
  readonly offsetMs: number
  /** Moves the clock forward (never back: time in a node only grows). */
  advance(ms: number): void
  /** Returns to the base clock (test-control reset). */
  reset(): void
}

const controls = new WeakMap<() => number, ClockControl>()

/**
 * A clock that reads `base() + offset`, with its controls registered for {@link clockControl}.
 *
 * @example
 * ```ts
 * const now = adjustableClock()
 * clockControl(now)!.advance(8 * 24 * 3600_000)
 * ```
 */
export function adjustableClock(base: () => number = Date.now): () => number {
  let offset = 0
  const now = () => base() + offset
  controls.set(now, {
    get offsetMs() {
      return offset
    },
    advance(ms) {
      if (!Number.isSafeInteger(ms) || ms < 0)
        throw new RangeError('advance by a whole, positive ms')
      offset += ms
    },
    reset() {
      offset = 0
    },
  })
  return now
}

/** The controls of `now` if it is an adjustable clock. */
export function clockControl(now: () => number): ClockControl | undefined {
  return controls.get(now)
}

/**
 * The node's clock: adjustable when test control is enabled, else `Date.now`.
 *
 * @example
 * ```ts
 * const now = opts.now ?? nodeClock(config)
 * ```
 */
export function nodeClock(config: Pick<NodeConfig, 'testControlSecret'>): () => number {
  return config.testControlSecret ? adjustableClock() : Date.now
}
