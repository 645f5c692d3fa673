/**
 * @module delivery/engine
 * The delivery engine (spec 14): drains the persistent outbox to peers. Per peer it runs at
 * most `concurrencyPerPeer` transactions at once, each of up to `batchSize` items. It sleeps
 * until the next item is due (or until woken by new work), resets a peer's backoff when the
 * peer is heard from, and on start simply finds the pending items still in the outbox
 * (catch-up: nothing is held only in memory). `stop()` lets in-flight attempts finish.
 *
 * Scheduling: a full pass asks storage which peers have due items and fills each peer's free
 * slots (with full transactions; a part-full one only when none is in flight to that peer);
 * when an attempt ends, only its own peer is refilled. While every peer known to have
 * work is at its concurrency limit, a wake (new work) only marks a full pass as wanted, and the
 * next attempt to end runs it: under a bulk backlog new letters arrive far more often than a
 * slot frees up, and each full pass reads the outbox.
 *
 * Peer hold (spec 14.3): when a transaction fails as a whole and is retried (the peer is
 * unreachable, or answers 5xx, 429, ...), the engine starts no transaction to that peer until a
 * delay drawn like an item's backoff from the peer's consecutive failures (at least its
 * `Retry-After`), and then one at a time, until the peer answers or is heard from. Without it, a
 * node whose peer is down read and encoded every new batch of letters only to fail to connect.
 * The hold is memory only: after a restart the first attempt finds out again. While a peer is
 * on hold its overdue items are still settled (not delivered, with evidence for registered
 * mail) at least every `idlePollMs`, without contacting it: a long outage does not hold up the
 * senders' non-delivery results.
 */
import type { Peer } from '../federation/peer-directory.js'
import { peerFeatures } from '../federation/peer-features.js'
import type { NodeServices, OutboxSignal } from '../services.js'
import {
  AMBIGUOUS_GIVE_UP_MS,
  attemptDelivery,
  settleOverdue,
  type AttemptContext,
  type AttemptOutcome,
} from './outbound.js'
import { backoffDelay } from './retry-policy.js'

/** Part-full transactions a peer may have in flight (full ones: up to `concurrencyPerPeer`). */
const PART_FULL_IN_FLIGHT = 1

/** Overdue items of a held peer settled in one sweep (spec 14.3), at most. */
const SWEEP_LIMIT = 1000

/** Shortest interval between passes started by new work while attempts are in flight. */
const WAKE_WHILE_BUSY_MS = 10

export interface DeliveryEngine extends OutboxSignal {
  start(): void
  /** Stops scheduling and waits for in-flight attempts (graceful shutdown). */
  stop(): Promise<void>
  /** Resolves when nothing is due and nothing is in flight (tests, the demo). */
  idle(): Promise<void>
  readonly inFlight: number
}

/**
 * @example
 * ```ts
 * const engine = createDeliveryEngine(svc)
 * svc.outbox = engine
 * engine.start()
 * ```
 */
export function createDeliveryEngine(
  svc: NodeServices,
  opts: { random?: () => number } = {},
): DeliveryEngine {
  const random = opts.random ?? Math.random
  const running = new Map<string, Set<Promise<void>>>()
  const busyItems = new Set<number>()
  const peerBlobs = new Map<string, Set<string>>()
  const features = peerFeatures(svc)
  /** Per peer: the fill in progress, and whether another was asked for meanwhile. */
  const filling = new Map<string, Promise<void>>()
  const fillAgain = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let started = false
  let stopping = false
  let ticking = false
  let again = false
  let idleWaiters: (() => void)[] = []
  let wakePending = false
  /** A full pass is wanted (new work arrived while every busy peer was at its limit). */
  let passWanted = false
  /** Peers on hold: consecutive failed transactions, and no new one before `until`. */
  const holds = new Map<string, { failures: number; until: number }>()
  svc.metrics.registry.gauge(
    'barid_peer_consecutive_failures',
    'Failed transactions in a row of each peer on hold (spec 14.3)',
    async () => [...holds].map(([peer, h]) => ({ labels: { peer }, value: h.failures })),
  )
  /** When each held peer's overdue items were last swept, by the node's clock. */
  const swept = new Map<string, number>()
  const heldNow = () => [...holds].filter(([, h]) => h.until > svc.now()).map(([peer]) => peer)

  const total = () => [...running.values()].reduce((n, s) => n + s.size, 0)
  const saturated = () => {
    const limit = svc.config.delivery.concurrencyPerPeer
    const sets = [...running.values()].filter((s) => s.size > 0)
    return sets.length > 0 && sets.every((s) => s.size >= limit)
  }

  function schedule(delayMs: number): void {
    if (!started || stopping) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void tick(), Math.max(0, Math.min(delayMs, 2 ** 31 - 1)))
    timer.unref?.()
  }

  /** Sleeps until the earliest pending item of a peer not on hold is due, or a hold ends. */
  async function reschedule(): Promise<void> {
    const held = heldNow()
    let next = await svc.storage.nextDueAt(held)
    for (const peer of held) next = Math.min(next ?? Infinity, holds.get(peer)!.until)
    const poll = svc.config.delivery.idlePollMs
    schedule(next === undefined ? poll : Math.min(Math.max(0, next - svc.now()), poll))
  }

  /** Puts `operator` on hold after a failed transaction, or lifts the hold after an answer. */
  function noteOutcome(operator: string, o: AttemptOutcome): void {
    if (!o.peerFailed) {
      holds.delete(operator)
      return
    }
    const d = svc.config.delivery
    const failures = (holds.get(operator)?.failures ?? 0) + 1
    const backoff = { baseMs: d.baseBackoffMs, maxMs: d.maxBackoffMs }
    const delay = backoffDelay(failures - 1, backoff, random)
    const until = svc.now() + Math.max(delay, o.retryAfterMs)
    if (failures === 1)
      svc.log.warn('peer failed: holding its deliveries', { peer: operator, ms: until - svc.now() })
    holds.set(operator, { failures, until })
  }

  function contextFor(operator: string, peer: Peer): AttemptContext {
    const blobs = peerBlobs.get(operator) ?? new Set()
    peerBlobs.set(operator, blobs)
    return { svc, peer, random, peerBlobs: blobs, peerFeatures: features }
  }

  /** Settles a held peer's overdue items without contacting it, at most once per idlePollMs. */
  async function sweepOverdue(operator: string, peer: Peer): Promise<void> {
    const now = svc.now()
    const d = svc.config.delivery
    if (now - (swept.get(operator) ?? -Infinity) < d.idlePollMs) return
    swept.set(operator, now)
    const overdue = await svc.storage.overdueItems(
      operator,
      now - d.expiryGraceMs,
      now - AMBIGUOUS_GIVE_UP_MS,
      SWEEP_LIMIT,
    )
    const items = overdue.filter((i) => !busyItems.has(i.id))
    if (items.length === 0) return
    for (const i of items) busyItems.add(i.id)
    try {
      const n = await settleOverdue(contextFor(operator, peer), items)
      if (n > 0) svc.log.info('peer on hold: overdue items settled', { peer: operator, items: n })
    } finally {
      for (const i of items) busyItems.delete(i.id)
    }
  }

  async function notifyIdle(): Promise<void> {
    if (idleWaiters.length === 0 || total() > 0) return
    const due = await svc.storage.peersWithDueItems(svc.now())
    if (due.length > 0 || total() > 0) return
    const w = idleWaiters
    idleWaiters = []
    for (const f of w) f()
  }

  function launch(
    operator: string,
    peer: Peer,
    set: Set<Promise<void>>,
    items: Awaited<ReturnType<typeof svc.storage.dueItems>>,
  ): void {
    for (const i of items) busyItems.add(i.id)
    const p: Promise<void> = attemptDelivery(contextFor(operator, peer), items)
      .then((o) => noteOutcome(operator, o))
      .catch((e) => {
        svc.log.error('delivery attempt crashed', {
          peer: operator,
          error: String(e).slice(0, 300),
        })
        // Its items are unsettled and still due: without a hold they would go again at once.
        noteOutcome(operator, { peerFailed: true, retryAfterMs: 0 })
      })
      .finally(() => {
        set.delete(p)
        for (const i of items) busyItems.delete(i.id)
        if (stopping) return
        void afterAttempt(operator)
      })
    set.add(p)
  }

  async function afterAttempt(operator: string): Promise<void> {
    try {
      if (passWanted) {
        passWanted = false
        void tick()
      } else await fill(operator)
      await reschedule()
    } catch (e) {
      svc.log.error('delivery engine refill failed', { error: String(e).slice(0, 300) })
      schedule(1000)
    }
    await notifyIdle()
  }

  /** Starts attempts for `operator` until its slots are full or nothing is due. */
  function fill(operator: string): Promise<void> {
    const current = filling.get(operator)
    if (current) {
      fillAgain.add(operator)
      return current
    }
    const p = (async () => {
      do {
        fillAgain.delete(operator)
        const peer = await svc.directory.getPeer(operator)
        if (!peer) return
        const set = running.get(operator) ?? new Set()
        running.set(operator, set)
        const d = svc.config.delivery
        if (holds.has(operator)) await sweepOverdue(operator, peer)
        // On hold: nothing until it ends, then one transaction at a time until one is answered.
        const hold = holds.get(operator)
        if (hold && hold.until > svc.now()) return
        const limit = hold ? 1 : d.concurrencyPerPeer
        while (set.size < limit && !stopping) {
          // A part-full transaction goes only when none is in flight to the peer: letters that
          // trickle in meanwhile wait for the one in flight to end (one round trip at most) and
          // then go together, instead of one small transaction each.
          const atLeast = set.size >= PART_FULL_IN_FLIGHT ? d.batchSize : 1
          const items = await svc.storage.dueItems(
            operator,
            svc.now(),
            d.batchSize,
            busyItems,
            atLeast,
          )
          if (items.length === 0) break
          launch(operator, peer, set, items)
        }
      } while (fillAgain.has(operator) && !stopping)
    })().finally(() => filling.delete(operator))
    filling.set(operator, p)
    return p
  }

  /** A full pass: every peer with due items gets its free slots filled. */
  async function tick(): Promise<void> {
    if (ticking) {
      again = true
      return
    }
    ticking = true
    try {
      do {
        again = false
        passWanted = false
        const due = await svc.storage.peersWithDueItems(svc.now())
        // Held peers too, with or without due items: their overdue items are swept (above).
        const peers = new Set([...due, ...holds.keys()])
        await Promise.all([...peers].map((peer) => fill(peer)))
      } while (again && !stopping)
      await reschedule()
    } catch (e) {
      svc.log.error('delivery engine tick failed', { error: String(e).slice(0, 300) })
      schedule(1000)
    } finally {
      ticking = false
    }
    await notifyIdle()
  }

  const engine: DeliveryEngine = {
    start() {
      if (started) return
      started = true
      void tick()
    },
    wake() {
      if (!started || stopping) return
      if (saturated()) {
        passWanted = true
        return
      }
      // Coalesced: a bulk submission wakes the engine once per event-loop turn, not per letter;
      // and while attempts are in flight (their ends refill their peers), at most once per
      // WAKE_WHILE_BUSY_MS, since a pass that finds only a part-full transaction sends nothing.
      if (wakePending) return
      wakePending = true
      const run = () => {
        wakePending = false
        void tick()
      }
      if (total() > 0) setTimeout(run, WAKE_WHILE_BUSY_MS).unref?.()
      else setImmediate(run)
    },
    heardFrom(operator) {
      if (holds.delete(operator)) engine.wake()
      void svc.storage
        .resetBackoff(operator, svc.now())
        .then((n) => {
          if (n > 0) {
            svc.log.info('peer is back: backoff reset', { peer: operator, items: n })
            engine.wake()
          }
        })
        .catch(() => undefined)
    },
    async stop() {
      stopping = true
      if (timer) clearTimeout(timer)
      while (total() > 0) await Promise.allSettled([...running.values()].flatMap((s) => [...s]))
      for (const f of idleWaiters) f()
      idleWaiters = []
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        void notifyIdle()
      })
    },
    get inFlight() {
      return total()
    },
  }
  return engine
}
