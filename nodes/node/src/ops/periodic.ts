/**
 * @module ops/periodic
 * The schedule of a background worker that runs in bounded steps (mailbox retention, key
 * certificate renewal): a first run soon after start, then one every interval, sooner when a run
 * stopped at its bound with more to do; runs never overlap, and a stop waits for the one in
 * flight. What a run does, and how it logs, is the worker's.
 */

/** A worker's schedule, around its `run`. */
export interface Periodic<R> {
  start(): void
  /** Runs now (after any run in progress); rejects if the run fails. */
  runOnce(): Promise<R>
  /** Stops the timer and waits for the run in flight to finish its step. */
  stop(): Promise<void>
  /** True once `stop` was called: a run checks it between steps. */
  readonly stopping: boolean
}

/**
 * @example
 * ```ts
 * const p = periodic({ run, intervalMs: 3600_000, firstRunMs: 60_000, catchUpMs: 1000, onError })
 * p.start()
 * ```
 */
export function periodic<R extends { more: boolean }>(o: {
  run: () => Promise<R>
  intervalMs: number
  firstRunMs: number
  /** Pause before the next run when a run stopped at its bound (`more`). */
  catchUpMs: number
  /** A scheduled run that failed; the next is scheduled after the interval all the same. */
  onError: (e: unknown) => void
}): Periodic<R> {
  let stopping = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()

  function serialised(): Promise<R> {
    const next = running.then(o.run)
    running = next.catch(() => undefined)
    return next
  }

  function schedule(ms: number): void {
    if (stopping) return
    timer = setTimeout(() => {
      serialised().then(
        (r) => schedule(r.more ? o.catchUpMs : o.intervalMs),
        (e: unknown) => {
          o.onError(e)
          schedule(o.intervalMs)
        },
      )
    }, ms)
    timer.unref()
  }

  return {
    start() {
      if (timer === undefined) schedule(o.firstRunMs)
    },
    runOnce: serialised,
    async stop() {
      stopping = true
      clearTimeout(timer)
      await running
    },
    get stopping() {
      return stopping
    },
  }
}
