/**
 * @module ops/periodic
 * The schedule of a background worker that runs in bounded steps (mailbox retention, key
 * certificate renewal): a first run soon after start, then one every interval, sooner when a run
 * stopped at its bound with more to do; runs never overlap, and a stop waits for the one in
 * flight. What a run does, and how it logs, is the worker's.
 */

/** When a worker runs. */
export interface ScheduleOptions {
  /** Pause between runs; default the config's `housekeepingIntervalMs`. */
  intervalMs?: number
  /** Delay of the first run after start; default min(interval, 60 s). */
  firstRunMs?: number
  /** Pause before the next run when a run stopped at its bound; default 1 s. */
  catchUpMs?: number
}

/** A background worker as the node holds it. */
export interface Worker<R> {
  start(): void
  /** Runs now (after any run in progress); rejects if the run fails. */
  runOnce(): Promise<R>
  /** Stops the timer and waits for the run in flight to finish its step. */
  stop(): Promise<void>
}

/** A worker's schedule, around its `run`. */
export interface Periodic<R> extends Worker<R> {
  /** True once `stop` was called: a run checks it between steps. */
  readonly stopping: boolean
}

/**
 * @example
 * ```ts
 * const p = periodic({ run, housekeepingIntervalMs: 3600_000, onError })
 * p.start()
 * ```
 */
export function periodic<R extends { more: boolean }>(
  o: ScheduleOptions & {
    run: () => Promise<R>
    /** The default interval: the node's `housekeepingIntervalMs`. */
    housekeepingIntervalMs: number
    /** A scheduled run that failed; the next is scheduled after the interval all the same. */
    onError: (e: unknown) => void
  },
): Periodic<R> {
  const intervalMs = o.intervalMs ?? o.housekeepingIntervalMs
  const firstRunMs = o.firstRunMs ?? Math.min(intervalMs, 60_000)
  const catchUpMs = o.catchUpMs ?? 1000
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
        (r) => schedule(r.more ? catchUpMs : intervalMs),
        (e: unknown) => {
          o.onError(e)
          schedule(intervalMs)
        },
      )
    }, ms)
    timer.unref()
  }

  return {
    start() {
      if (timer === undefined) schedule(firstRunMs)
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
