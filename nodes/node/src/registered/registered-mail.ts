/**
 * @module registered/registered-mail
 * The background side of registered mail (spec 16, 17), started with the node: one runner that
 * every batch interval appends new evidence to the transparency log (and queues receipts), plans
 * new deliveries (print jobs, retrieval deadlines, notifications), settles due deadlines, prints
 * and notifies; and a witness that checks each peer's log every witness interval. Nothing here is
 * on a letter's path: letters are acknowledged before any of it runs, and everything it reads is
 * durable, so a restart resumes where the node stopped.
 */
import { join } from 'node:path'
import { BaridError, isBaridError, type KeyPair } from '../core.js'
import type { NotificationChannel } from '../notify/channel.js'
import { logChannel } from '../notify/log-channel.js'
import { notifyStep, type ChannelRegistry } from '../notify/notify-worker.js'
import { webhookChannel } from '../notify/webhook-channel.js'
import { loadOrCreatePrintKey } from '../paper/print-key.js'
import { printStep } from '../paper/print-channel.js'
import type { NodeServices } from '../services.js'
import { openEvidenceLog, type EvidenceLog } from '../transparency/evidence-log.js'
import { logKeyResolver } from '../transparency/log-keys.js'
import { httpLogSource, witnessOnce, type WitnessOutcome } from '../transparency/witness.js'
import { guardFetch } from '../trust/address-policy.js'
import { deadlineStep } from './deadlines.js'
import { deliveryFeedStep } from './delivery-feed.js'
import { releaseStep } from './scheduled-delivery.js'

export interface RegisteredMail {
  readonly log: EvidenceLog
  /** The operator's print key (spec 17.6). */
  readonly printKey: KeyPair
  readonly channels: ChannelRegistry
  /** True while the log's backlog is beyond its bound: new work is refused (spec 16.5 rule 2). */
  overloaded(): boolean
  /** Runs every background step until nothing is left (tests, and shutdown). */
  runOnce(): Promise<void>
  /** Witnesses every peer once. */
  witnessAll(): Promise<
    { log: string; outcome: WitnessOutcome | { status: 'error'; code: string } }[]
  >
  /** Asks the runner to run soon. */
  wake(): void
  stop(): Promise<void>
}

export interface StartRegisteredOptions {
  /** Extra channels (e-mail, SMS) bound to the operator's providers. */
  channels?: NotificationChannel[]
  /** Start the timers (default true; tests drive {@link RegisteredMail.runOnce}). */
  timers?: boolean
}

/**
 * Opens the log and starts the runner and the witness.
 *
 * @example
 * ```ts
 * svc.registered = await startRegisteredMail(svc)
 * ```
 */
export async function startRegisteredMail(
  svc: NodeServices,
  o: StartRegisteredOptions = {},
): Promise<RegisteredMail> {
  const cfg = svc.config.registered
  const log = await openEvidenceLog(svc, {
    maxBatch: cfg.logMaxBatch,
    refreshMs: cfg.checkpointRefreshMs,
  })
  const printKey = await loadOrCreatePrintKey(join(svc.config.dataDir, 'keys', 'print.json'))
  const channels = new Map<string, NotificationChannel>([['log', logChannel(svc.log)]])
  if (cfg.notifications.webhookUrl)
    channels.set(
      'webhook',
      webhookChannel({
        url: cfg.notifications.webhookUrl,
        secret: cfg.notifications.webhookSecret,
        timeoutMs: cfg.notifications.timeoutMs,
        fetch: svc.fetch,
      }),
    )
  for (const c of o.channels ?? []) channels.set(c.name, c)

  const m = svc.metrics.registry
  let backlog = 0
  m.gauge('barid_log_size', 'Leaves in this node’s transparency log', async () => [
    { labels: {}, value: log.size },
  ])
  m.gauge('barid_log_backlog', 'Evidence records stored but not yet in the log', async () => [
    { labels: {}, value: backlog },
  ])
  const forks = m.counter('barid_log_forks_total', 'Forks proven in peers’ logs, by log', ['log'])
  const witnessed = m.counter(
    'barid_witness_checks_total',
    'Witness checks of peers’ logs, by log and outcome',
    ['log', 'outcome'],
  )
  const print = { printKey, dir: cfg.printDir, retryMs: cfg.printRetryMs }

  let lastSync = 0
  // The log has its own loop, so that slow work (a webhook timing out, a large print job) never
  // delays the batch bound of spec 16.5 / 17.9.
  async function logTick(): Promise<void> {
    // Bounded per tick, then the loop comes straight back while batches are full.
    for (let i = 0; i < 50 && (await log.step()) === cfg.logMaxBatch; i++);
    await log.refreshCheckpoint()
    backlog = await log.backlog()
  }
  async function workTick(): Promise<void> {
    await releaseStep(svc)
    while ((await deliveryFeedStep(svc)) > 0);
    const now = svc.now()
    if (now - lastSync >= 60_000) {
      lastSync = now
      await svc.storage.syncExemptions(now)
    }
    await deadlineStep(svc)
    await printStep(svc, print)
    await notifyStep(svc, channels)
  }

  let stopped = false
  const loops = [logTick, workTick].map((tick) => {
    let running: Promise<void> = Promise.resolve()
    let timer: NodeJS.Timeout | undefined
    let wakeUp: (() => void) | undefined
    const run = (): Promise<void> =>
      (running = running.then(() =>
        tick().catch((e) =>
          svc.log.error('registered mail: background step failed', {
            error: isBaridError(e) ? e.code : String(e).slice(0, 200),
          }),
        ),
      ))
    // A tick, then sleep for the batch interval or until woken.
    const loop = async (): Promise<void> => {
      while (!stopped) {
        await run()
        if (stopped) break
        await new Promise<void>((resolve) => {
          wakeUp = resolve
          timer = setTimeout(resolve, cfg.batchIntervalMs)
          timer.unref()
        })
      }
    }
    return {
      run,
      done: o.timers === false ? Promise.resolve() : loop(),
      wake() {
        clearTimeout(timer)
        wakeUp?.()
      },
      get running() {
        return running
      },
    }
  })

  const resolveKey = logKeyResolver(svc)
  async function witnessAll() {
    const out: Awaited<ReturnType<RegisteredMail['witnessAll']>> = []
    for (const peer of await svc.directory.peers()) {
      if (peer.operator === svc.directory.self || peer.status !== 'active' || !peer.baseUrl)
        continue
      try {
        const outcome = await witnessOnce(
          {
            storage: svc.storage,
            self: svc.directory.self,
            key: () => svc.keys.evidence,
            resolveKey,
            now: svc.now,
            log: svc.log,
            onFork: (l) => forks.inc({ log: l }),
          },
          httpLogSource(
            {
              // A peer's log is a peer endpoint: the address policy applies (spec 22.4).
              fetch: guardFetch(svc.fetch, svc.trust.addresses) as typeof fetch,
              timeoutMs: svc.config.delivery.requestTimeoutMs,
            },
            peer.operator,
            peer.baseUrl,
          ),
        )
        witnessed.inc({ log: peer.operator, outcome: outcome.status })
        out.push({ log: peer.operator, outcome })
      } catch (e) {
        const code = isBaridError(e) ? e.code : 'ERR_PEER_UNAVAILABLE'
        witnessed.inc({ log: peer.operator, outcome: 'error' })
        out.push({ log: peer.operator, outcome: { status: 'error', code } })
      }
    }
    return out
  }
  let witnessTimer: NodeJS.Timeout | undefined
  let witnessing = false
  if (o.timers !== false) {
    // A round that outlasts the interval (a slow peer) is not started again over itself.
    witnessTimer = setInterval(() => {
      if (witnessing) return
      witnessing = true
      void witnessAll().finally(() => (witnessing = false))
    }, cfg.witnessIntervalMs)
    witnessTimer.unref()
  }
  return {
    log,
    printKey,
    channels,
    overloaded: () => backlog > cfg.maxLogBacklog,
    async runOnce() {
      // Work first (it issues records), then the log (it logs them).
      await loops[1]!.run()
      await loops[0]!.run()
    },
    witnessAll,
    wake() {
      for (const l of loops) l.wake()
    },
    async stop() {
      stopped = true
      clearInterval(witnessTimer)
      for (const l of loops) l.wake()
      await Promise.all(loops.map((l) => l.done))
      await Promise.all(loops.map((l) => l.running))
    },
  }
}

function notStarted(): never {
  throw new BaridError('ERR_UNAVAILABLE', 'registered mail is not started yet')
}

/** Stands in for {@link RegisteredMail} while the node starts (never reached by requests). */
export const REGISTERED_NOT_STARTED: RegisteredMail = {
  get log(): EvidenceLog {
    return notStarted()
  },
  get printKey(): KeyPair {
    return notStarted()
  },
  channels: new Map(),
  overloaded: () => false,
  runOnce: async () => notStarted(),
  witnessAll: async () => notStarted(),
  wake() {},
  stop: async () => {},
}
