/**
 * @module keys/renewal-worker
 * Renews mailbox key certificates before they expire (spec 13.4), every housekeeping interval:
 * the unrevoked keys of open mailboxes whose certificate ends within
 * {@link RENEW_WITHIN_DAYS}, oldest first, then those whose certificate another CA than the
 * operator's current one issued (after a CA rotation, spec 21.4; and those whose issuer is not
 * read yet, which are read and recorded), in bounded steps (`step` keys each, the event loop
 * free in between), at most `maxSteps` per run; a run stopped at that bound is followed by the
 * next one soon after, which resumes the pass where it stopped. Each renewal is one conditional
 * write (see `renewKey`): a crash loses at most the renewals in flight, which the next run does
 * again; a key renewed meanwhile by a lookup is left as that lookup wrote it. Keys that cannot be
 * renewed (the operator CA expired, or ends first) are counted and reported once per run: the
 * operator renews the CA (spec 21.4).
 */
import { isBaridError } from '../core.js'
import { periodic, type ScheduleOptions, type Worker } from '../ops/periodic.js'
import type { NodeServices } from '../services.js'
import type { KeyDueForRenewal } from '../storage/types.js'
import { RENEW_WITHIN_DAYS, renewKey } from './key-renewal.js'

const DAY = 86_400_000

/** What one run did. */
export interface RenewalRun {
  /** Keys found due (or whose notAfter or issuer was not read yet). */
  due: number
  /** Of those, keys found under another CA than the current one (or its issuer not read yet). */
  otherCa: number
  renewed: number
  /** Due, but the operator CA has expired or ends before their certificates. */
  unrenewable: number
  /** Renewals that failed (logged); tried again next run. */
  failed: number
  steps: number
  /** True when the run stopped at its bound (or at shutdown) with keys possibly left. */
  more: boolean
}

export interface RenewalWorkerOptions extends ScheduleOptions {
  /** Keys per step; default 50 (a signature each). */
  step?: number
  /** Steps per run; default 100. */
  maxSteps?: number
}

export type RenewalWorker = Worker<RenewalRun>

/**
 * @example
 * ```ts
 * const renewal = createRenewalWorker(svc); renewal.start()
 * await renewal.stop()
 * ```
 */
export function createRenewalWorker(
  svc: NodeServices,
  opts: RenewalWorkerOptions = {},
): RenewalWorker {
  const step = opts.step ?? 50
  const maxSteps = opts.maxSteps ?? 100
  const outcomes = svc.metrics.registry.counter(
    'barid_key_renewals_total',
    'Mailbox key certificates due for renewal, by outcome: renewed, not-due, ca-expired, ' +
      'ca-ends-first, superseded, error',
    ['outcome'],
  )
  // Where a run stopped at its bound, in each pass: the next one goes on from there, so keys
  // that cannot be renewed (a CA expired) at the front of a pass cannot keep it from those
  // behind them. The second pass (keys under another CA) runs once the first is complete.
  let after: { certNotAfter: number; id: number } | undefined
  let afterIssuer: { certIssuer: string; id: number } | undefined
  let issuerPass: string | undefined

  async function run(): Promise<RenewalRun> {
    const started = performance.now()
    // Fixed for the run: keys renewed in it end a year on, far past it, and are not seen again.
    const before = svc.now() + RENEW_WITHIN_DAYS * DAY
    const r: RenewalRun = {
      due: 0,
      otherCa: 0,
      renewed: 0,
      unrenewable: 0,
      failed: 0,
      steps: 0,
      more: false,
    }
    const renewAll = async (keys: readonly KeyDueForRenewal[]) => {
      for (const k of keys) {
        r.due++
        try {
          const { outcome } = await renewKey(svc, k, k.address)
          outcomes.inc({ outcome })
          if (outcome === 'renewed') r.renewed++
          else if (outcome === 'ca-expired' || outcome === 'ca-ends-first') r.unrenewable++
        } catch (e) {
          r.failed++
          outcomes.inc({ outcome: 'error' })
          svc.log.error('key certificate renewal failed', {
            kid: k.kid,
            error: isBaridError(e) ? e.code : String(e).slice(0, 200),
          })
        }
      }
    }
    // The keys near expiry, oldest notAfter first.
    let expiring = true
    for (;;) {
      if (schedule.stopping || r.steps >= maxSteps) {
        r.more = true
        break
      }
      r.steps++
      const keys = await svc.storage.keysDueForRenewal({ before, limit: step, after })
      await renewAll(keys)
      const last = keys.at(-1)
      if (keys.length < step || last === undefined) {
        after = undefined // the pass is complete: the next starts from the earliest notAfter
        expiring = false
        break
      }
      after = { certNotAfter: last.certNotAfter, id: last.id }
      await new Promise((resolve) => setImmediate(resolve))
    }
    // Then the keys under another CA than the current one (spec 21.4), whatever their notAfter.
    // A cursor belongs to the CA it was taken against: a CA changed meanwhile starts afresh.
    const issuer = svc.certifier.caKeyId()
    if (issuerPass !== issuer) afterIssuer = undefined
    issuerPass = issuer
    while (!expiring) {
      if (schedule.stopping || r.steps >= maxSteps) {
        r.more = true
        break
      }
      r.steps++
      const keys = await svc.storage.keysIssuedElsewhere({
        issuer,
        limit: step,
        after: afterIssuer,
      })
      r.otherCa += keys.length
      await renewAll(keys)
      const last = keys.at(-1)
      if (keys.length < step || last === undefined) {
        afterIssuer = undefined
        break
      }
      afterIssuer = { certIssuer: last.certIssuer, id: last.id }
      await new Promise((resolve) => setImmediate(resolve))
    }
    const line = { ...r, ms: Math.round(performance.now() - started) }
    if (r.unrenewable > 0)
      svc.log.warn(
        'mailbox key certificates cannot be renewed: the operator CA has expired or ends first; ' +
          'keys are left out of lookups once their certificates expire, and those under a ' +
          'retired CA stop verifying (renew the CA, spec 21.4)',
        { ...line, caNotAfter: new Date(svc.certifier.caNotAfter()).toISOString() },
      )
    else if (r.renewed > 0 || r.failed > 0) svc.log.info('key certificate renewal', line)
    else svc.log.debug('key certificate renewal', line)
    return r
  }

  const schedule = periodic({
    ...opts,
    run,
    housekeepingIntervalMs: svc.config.housekeepingIntervalMs,
    onError: (e) => {
      svc.log.error('key certificate renewal failed', {
        error: isBaridError(e) ? e.code : String(e).slice(0, 200),
      })
    },
  })
  return { start: schedule.start, runOnce: schedule.runOnce, stop: schedule.stop }
}
