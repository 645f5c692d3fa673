/**
 * @module mailbox/retention-worker
 * Mailbox retention (spec 15.4): letters are removed from mailboxes `retention.mailboxDays`
 * (operator profile) after their delivery, with their ciphertext and the attachment blobs no
 * other letter references; evidence and the transparency log stay. The worker runs every
 * interval in bounded steps (one transaction each, the event loop free in between), at most
 * `maxSteps` per run; a run that stops at that bound is followed by the next one soon after, so
 * a backlog drains without starving requests. Stopping lets the step in flight finish.
 */
import { isBaridError } from '../core.js'
import type { NodeServices } from '../services.js'

const DAY = 86_400_000

/** What one run removed. */
export interface RetentionRun {
  /** Entries delivered before this time were due (ms since the epoch). */
  cutoff: number
  entries: number
  letters: number
  blobs: number
  steps: number
  /** True when the run stopped at its bound (or at shutdown) with entries possibly left. */
  more: boolean
}

export interface RetentionWorkerOptions {
  /** Pause between runs; default the config's `housekeepingIntervalMs`. */
  intervalMs?: number
  /** Delay of the first run after start; default min(interval, 60 s). */
  firstRunMs?: number
  /**
   * Entries per step (transaction); default 100: about 8 ms of CPU on a node holding a million
   * letters (bench/listing.ts), the longest the step holds the write lock and the event loop.
   */
  step?: number
  /** Steps per run; default 500. */
  maxSteps?: number
  /** Pause before the next run when a run stopped at its bound; default 1 s. */
  catchUpMs?: number
}

export interface RetentionWorker {
  start(): void
  /** Runs retention now (after any run in progress); rejects if storage fails. */
  runOnce(): Promise<RetentionRun>
  /** Stops the timer and waits for the step in flight. */
  stop(): Promise<void>
}

/**
 * @example
 * ```ts
 * const retention = createRetentionWorker(svc); retention.start()
 * await retention.stop()
 * ```
 */
export function createRetentionWorker(
  svc: NodeServices,
  opts: RetentionWorkerOptions = {},
): RetentionWorker {
  const intervalMs = opts.intervalMs ?? svc.config.housekeepingIntervalMs
  const firstRunMs = opts.firstRunMs ?? Math.min(intervalMs, 60_000)
  const step = opts.step ?? 100
  const maxSteps = opts.maxSteps ?? 500
  const catchUpMs = opts.catchUpMs ?? 1000
  const purged = svc.metrics.registry.counter(
    'barid_retention_purged_total',
    'What mailbox retention removed, by kind: entries, letters (ciphertext), blobs',
  )
  const runs = svc.metrics.registry.counter(
    'barid_retention_runs_total',
    'Mailbox retention runs, by outcome: complete, partial (more due), error',
  )
  let stopping = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()

  async function deleteBlobs(digests: readonly string[]): Promise<number> {
    let failed = 0
    for (const digest of digests) {
      try {
        await svc.blobs.delete(digest)
      } catch (e) {
        // The row is gone already: the file is an orphan, never served; count and go on.
        failed++
        svc.log.error('retention: blob file not deleted', {
          error: isBaridError(e) ? e.code : String(e).slice(0, 200),
        })
      }
    }
    return failed
  }

  async function run(): Promise<RetentionRun> {
    const started = performance.now()
    const cutoff = svc.now() - svc.config.profile.retention.mailboxDays * DAY
    const r: RetentionRun = { cutoff, entries: 0, letters: 0, blobs: 0, steps: 0, more: false }
    for (;;) {
      if (stopping || r.steps >= maxSteps) {
        r.more = true
        break
      }
      const s = await svc.storage.purgeMailboxes({
        deliveredBefore: cutoff,
        limit: step,
        at: svc.now(),
      })
      r.steps++
      r.entries += s.entries
      r.letters += s.letters
      r.blobs += s.blobs.length
      await deleteBlobs(s.blobs)
      purged.inc({ kind: 'entries' }, s.entries)
      purged.inc({ kind: 'letters' }, s.letters)
      purged.inc({ kind: 'blobs' }, s.blobs.length)
      if (!s.more) break
      // Requests and deliveries run between steps.
      await new Promise((resolve) => setImmediate(resolve))
    }
    runs.inc({ outcome: r.more ? 'partial' : 'complete' })
    const fields = {
      entries: r.entries,
      letters: r.letters,
      blobs: r.blobs,
      steps: r.steps,
      more: r.more,
      cutoff: new Date(cutoff).toISOString(),
      ms: Math.round(performance.now() - started),
    }
    if (r.entries > 0) svc.log.info('mailbox retention', fields)
    else svc.log.debug('mailbox retention', fields)
    return r
  }

  /** Runs are serialised: a call made during a run starts after it. */
  function serialised(): Promise<RetentionRun> {
    const next = running.then(run)
    running = next.catch(() => undefined)
    return next
  }

  function schedule(ms: number): void {
    if (stopping) return
    timer = setTimeout(() => {
      serialised().then(
        (r) => schedule(r.more ? catchUpMs : intervalMs),
        (e) => {
          runs.inc({ outcome: 'error' })
          svc.log.error('mailbox retention failed', {
            error: isBaridError(e) ? e.code : String(e).slice(0, 200),
          })
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
  }
}
