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
 */
import type { Peer } from '../federation/peer-directory.js'
import type { NodeServices, OutboxSignal } from '../services.js'
import { attemptDelivery, type AttemptContext } from './outbound.js'

/** Part-full transactions a peer may have in flight (full ones: up to `concurrencyPerPeer`). */
const PART_FULL_IN_FLIGHT = 1

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

  /** Sleeps until the earliest pending item is due (at most `idlePollMs`). */
  async function reschedule(): Promise<void> {
    const next = await svc.storage.nextDueAt()
    const poll = svc.config.delivery.idlePollMs
    schedule(next === undefined ? poll : Math.min(Math.max(0, next - svc.now()), poll))
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
    const blobs = peerBlobs.get(operator) ?? new Set()
    peerBlobs.set(operator, blobs)
    const ctx: AttemptContext = { svc, peer, random, peerBlobs: blobs }
    const p: Promise<void> = attemptDelivery(ctx, items)
      .catch((e) =>
        svc.log.error('delivery attempt crashed', {
          peer: operator,
          error: String(e).slice(0, 300),
        }),
      )
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
        while (set.size < d.concurrencyPerPeer && !stopping) {
          const items = await svc.storage.dueItems(operator, svc.now(), d.batchSize, busyItems)
          // A part-full transaction goes only when none is in flight to the peer: letters that
          // trickle in meanwhile wait for the one in flight to end (one round trip at most) and
          // then go together, instead of one small transaction each.
          if (items.length === 0 || (items.length < d.batchSize && set.size >= PART_FULL_IN_FLIGHT))
            break
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
        await Promise.all(due.map((peer) => fill(peer)))
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
