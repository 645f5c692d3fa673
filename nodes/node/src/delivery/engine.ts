/**
 * @module delivery/engine
 * The delivery engine (spec 14): drains the persistent outbox to peers. Per peer it runs at
 * most `concurrencyPerPeer` transactions at once, each of up to `batchSize` items. It sleeps
 * until the next item is due (or until woken by new work), resets a peer's backoff when the
 * peer is heard from, and on start simply finds the pending items still in the outbox
 * (catch-up: nothing is held only in memory). `stop()` lets in-flight attempts finish.
 */
import type { NodeServices, OutboxSignal } from '../services.js'
import { attemptDelivery, type AttemptContext } from './outbound.js'

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
  let timer: NodeJS.Timeout | undefined
  let started = false
  let stopping = false
  let ticking = false
  let again = false
  let idleWaiters: (() => void)[] = []
  let wakePending = false

  const total = () => [...running.values()].reduce((n, s) => n + s.size, 0)

  function schedule(delayMs: number): void {
    if (!started || stopping) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void tick(), Math.max(0, Math.min(delayMs, 2 ** 31 - 1)))
    timer.unref?.()
  }

  async function notifyIdle(): Promise<void> {
    if (idleWaiters.length === 0 || total() > 0) return
    const due = await svc.storage.duePeers(svc.now())
    if (due.length > 0 || total() > 0) return
    const w = idleWaiters
    idleWaiters = []
    for (const f of w) f()
  }

  async function tick(): Promise<void> {
    if (ticking) {
      again = true
      return
    }
    ticking = true
    try {
      do {
        again = false
        const now = svc.now()
        const d = svc.config.delivery
        for (const { peer: operator } of await svc.storage.duePeers(now)) {
          const peer = await svc.directory.getPeer(operator)
          if (!peer) continue
          const set = running.get(operator) ?? new Set()
          running.set(operator, set)
          while (set.size < d.concurrencyPerPeer && !stopping) {
            const items = await svc.storage.dueItems(operator, now, d.batchSize, busyItems)
            if (items.length === 0) break
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
                again = true
                if (!ticking) void tick()
              })
            set.add(p)
          }
        }
      } while (again && !stopping)
      const next = await svc.storage.nextDueAt()
      const now = svc.now()
      schedule(
        next === undefined
          ? svc.config.delivery.idlePollMs
          : Math.min(Math.max(0, next - now), svc.config.delivery.idlePollMs),
      )
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
      // Coalesced: a bulk submission wakes the engine once per event-loop turn, not per letter.
      if (!started || stopping || wakePending) return
      wakePending = true
      setImmediate(() => {
        wakePending = false
        void tick()
      })
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
