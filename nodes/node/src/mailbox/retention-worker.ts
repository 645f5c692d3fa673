/**
 * @module mailbox/retention-worker
 * Mailbox and evidence retention (spec 15.4): letters are removed from mailboxes
 * `retention.mailboxDays` (operator profile) after their delivery, with their ciphertext and the
 * attachment blobs no other letter references; then evidence records are removed
 * `retention.evidenceYears` after their issue, a letter's records together once nothing holds
 * them; the transparency log always stays. Each part runs every interval in bounded steps (one
 * transaction each, the event loop free in between), at most `maxSteps` per run; a run that
 * stops at that bound is followed by the next one soon after, so a backlog drains without
 * starving requests, and the evidence pass resumes where it stopped. Stopping lets the step in
 * flight finish.
 */
import { isBaridError } from '../core.js'
import type { LogFields } from '../ops/logger.js'
import { periodic, type ScheduleOptions, type Worker } from '../ops/periodic.js'
import type { NodeServices } from '../services.js'
import type { EvidenceCursor } from '../storage/storage.js'
import { evidenceCutoff } from './evidence-cutoff.js'

const DAY = 86_400_000

/** What the evidence part of a run removed. */
export interface EvidenceRetentionRun {
  /** Records issued before this time were due (ms since the epoch). */
  cutoff: number
  records: number
  letters: number
  /** Acknowledged receipts removed with their records. */
  receipts: number
  steps: number
  /** True when it stopped at its bound (or at shutdown): the next run resumes the pass. */
  more: boolean
}

/** What one run removed. */
export interface RetentionRun {
  /** Entries delivered before this time were due (ms since the epoch). */
  cutoff: number
  entries: number
  letters: number
  blobs: number
  steps: number
  /**
   * True when the run stopped at its bound (or at shutdown) with entries or evidence possibly
   * left.
   */
  more: boolean
  evidence: EvidenceRetentionRun
}

export interface RetentionWorkerOptions extends ScheduleOptions {
  /**
   * Entries (and evidence records) per step (transaction); default 100: about 8 ms of CPU on a
   * node holding a million letters (bench/listing.ts), the longest the step holds the write lock
   * and the event loop.
   */
  step?: number
  /** Steps per run, for each of the two parts; default 500. */
  maxSteps?: number
}

export type RetentionWorker = Worker<RetentionRun>

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
  const step = opts.step ?? 100
  const maxSteps = opts.maxSteps ?? 500
  const purged = svc.metrics.registry.counter(
    'barid_retention_purged_total',
    'What retention removed, by kind: entries, letters (ciphertext), blobs, evidence (records)',
    ['kind'],
  )
  const runs = svc.metrics.registry.counter(
    'barid_retention_runs_total',
    'Mailbox retention runs, by outcome: complete, partial (more due), error',
    ['outcome'],
  )
  // Where the evidence pass stopped at its bound: the next run goes on from there, so records
  // held at the front of the pass cannot keep it from ever reaching those behind them.
  let evidenceAfter: EvidenceCursor | undefined

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

  /**
   * Calls `step` until it reports nothing more is due, at most `maxSteps` times and not after
   * shutdown began, letting requests and deliveries run between steps. Gives the steps taken and
   * whether more is due (the bound or shutdown stopped it).
   */
  async function inSteps(step: () => Promise<boolean>): Promise<{ steps: number; more: boolean }> {
    let steps = 0
    for (;;) {
      if (schedule.stopping || steps >= maxSteps) return { steps, more: true }
      steps++
      if (!(await step())) return { steps, more: false }
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** One line per run: info when it removed something, else debug. */
  function logRun(
    msg: string,
    removed: number,
    fields: LogFields,
    cutoff: number,
    started: number,
  ): void {
    const line = {
      ...fields,
      cutoff: new Date(cutoff).toISOString(),
      ms: Math.round(performance.now() - started),
    }
    if (removed > 0) svc.log.info(msg, line)
    else svc.log.debug(msg, line)
  }

  async function run(): Promise<RetentionRun> {
    const started = performance.now()
    const cutoff = svc.now() - svc.config.profile.retention.mailboxDays * DAY
    const r: RetentionRun = {
      cutoff,
      entries: 0,
      letters: 0,
      blobs: 0,
      steps: 0,
      more: false,
      evidence: { cutoff: 0, records: 0, letters: 0, receipts: 0, steps: 0, more: false },
    }
    Object.assign(
      r,
      await inSteps(async () => {
        const s = await svc.storage.purgeMailboxes({
          deliveredBefore: cutoff,
          limit: step,
          at: svc.now(),
        })
        r.entries += s.entries
        r.letters += s.letters
        r.blobs += s.blobs.length
        await deleteBlobs(s.blobs)
        purged.inc({ kind: 'entries' }, s.entries)
        purged.inc({ kind: 'letters' }, s.letters)
        purged.inc({ kind: 'blobs' }, s.blobs.length)
        return s.more
      }),
    )
    const { entries, letters, blobs, steps, more } = r
    logRun('mailbox retention', entries, { entries, letters, blobs, steps, more }, cutoff, started)
    // After the mailboxes: an entry removed above may be what held its letter's evidence.
    r.evidence = await runEvidence()
    r.more ||= r.evidence.more
    runs.inc({ outcome: r.more ? 'partial' : 'complete' })
    return r
  }

  async function runEvidence(): Promise<EvidenceRetentionRun> {
    const started = performance.now()
    const cutoff = evidenceCutoff(svc.now(), svc.config.profile.retention.evidenceYears)
    const e: EvidenceRetentionRun = {
      cutoff,
      records: 0,
      letters: 0,
      receipts: 0,
      steps: 0,
      more: false,
    }
    Object.assign(
      e,
      await inSteps(async () => {
        const s = await svc.storage.purgeEvidence({
          issuedBefore: cutoff,
          limit: step,
          ...(evidenceAfter ? { after: evidenceAfter } : {}),
        })
        e.records += s.records
        e.letters += s.letters
        e.receipts += s.receipts
        purged.inc({ kind: 'evidence' }, s.records)
        // A pass that reached the end starts again from the oldest record next time.
        evidenceAfter = s.more ? s.next : undefined
        return s.more
      }),
    )
    const { records, letters, receipts, steps, more } = e
    const fields = { records, letters, receipts, steps, more }
    logRun('evidence retention', records, fields, cutoff, started)
    return e
  }

  const schedule = periodic({
    ...opts,
    run,
    housekeepingIntervalMs: svc.config.housekeepingIntervalMs,
    onError: (e) => {
          runs.inc({ outcome: 'error' })
      svc.log.error('retention failed', {
        error: isBaridError(e) ? e.code : String(e).slice(0, 200),
      })
    },
  })
  return { start: schedule.start, runOnce: schedule.runOnce, stop: schedule.stop }
}
