/**
 * @module sender/batch-worker
 * Processes bulk submissions (spec 12.4). A batch is stored whole before the node answers
 * `202`, then its letters are accepted in the background in order, each with its own result;
 * after a restart the worker continues with the items still pending. A letter stopped by a fault
 * of the node's own store (its disk full or failing) stays pending and is tried again later,
 * with a growing pause: the batch was acknowledged, and the fault is not the letter's.
 */
import { isBaridError } from '../core.js'
import { submitLetter } from '../letters/submit.js'
import type { NodeServices } from '../services.js'
import { storeFaultCode } from '../storage/store-fault.js'

/** The first pause after a store fault, and the longest (it doubles while the fault lasts). */
const STORE_RETRY_MS = { first: 1000, max: 60_000 }

export interface BatchWorker {
  start(): void
  wake(): void
  stop(): Promise<void>
  /** Resolves when no batch item is pending. */
  idle(): Promise<void>
}

/**
 * @example
 * ```ts
 * const worker = createBatchWorker(svc); worker.start()
 * ```
 */
export function createBatchWorker(
  svc: NodeServices,
  opts: { chunk?: number; parallel?: number } = {},
): BatchWorker {
  const chunk = opts.chunk ?? 1024
  const parallel = opts.parallel ?? 128
  let running: Promise<void> | undefined
  let stopping = false
  let again = false
  let waiters: (() => void)[] = []
  // While the store fails: the pause before the next try, and its timer.
  let retryMs = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  async function loop(): Promise<void> {
    do {
      again = false
      for (;;) {
        if (stopping) return
        const items = await svc.storage.pendingBatchItems(chunk)
        if (items.length === 0) break
        const results: Parameters<NodeServices['storage']['recordBatchResults']>[0] = []
        // Items left pending for a fault of the store, per batch, and the first fault's code.
        const heldBack = new Map<string, number>()
        let fault: { code: string; error: string } | undefined
        const senders = new Map<string, Awaited<ReturnType<typeof svc.storage.getMailboxById>>>()
        // A pool of `parallel` letters in flight: verifications overlap (WebCrypto runs on the
        // thread pool) and their writes share group commits (storage/sqlite/group-commit.ts).
        // (Measured: refilling the pool continuously instead of chunk by chunk did not lower
        // latency at 1,000 letters/s, and cost more reads of pending items.)
        let next = 0
        await Promise.all(
          Array.from({ length: Math.min(parallel, items.length) }, async () => {
            for (let it = items[next++]; it !== undefined; it = items[next++]) {
              let mailbox = senders.get(it.senderId)
              if (mailbox === undefined) {
                const s = await svc.storage.getSenderById(it.senderId)
                mailbox = s && (await svc.storage.getMailboxById(s.mailboxId))
                senders.set(it.senderId, mailbox)
              }
              try {
                if (!mailbox) throw new Error('sender is gone')
                const r = await submitLetter(svc, it.bytes, mailbox, undefined, { status: false })
                results.push({
                  batchId: it.batchId,
                  idx: it.idx,
                  status: 'accepted',
                  letterId: r.letterId,
                  code: null,
                  message: null,
                })
              } catch (e) {
                if (isBaridError(e))
                  results.push({
                    batchId: it.batchId,
                    idx: it.idx,
                    status: 'rejected',
                    letterId: null,
                    code: e.code,
                    message: e.message,
                  })
                else if (storeFaultCode(e) !== undefined) {
                  heldBack.set(it.batchId, (heldBack.get(it.batchId) ?? 0) + 1)
                  fault ??= { code: storeFaultCode(e)!, error: String(e).slice(0, 200) }
                } else {
                  svc.log.error('batch item failed', {
                    batchId: it.batchId,
                    idx: it.idx,
                    error: String(e).slice(0, 200),
                  })
                  results.push({
                    batchId: it.batchId,
                    idx: it.idx,
                    status: 'rejected',
                    letterId: null,
                    code: 'ERR_INTERNAL',
                    message: 'internal error',
                  })
                }
              }
            }
          }),
        )
        await svc.storage.recordBatchResults(results, svc.now())
        if (fault) {
          const inMs = pause()
          for (const [batchId, pending] of heldBack)
            svc.log.error("batch letters held back: this node's store failed; retried later", {
              batchId,
              pending,
              code: fault.code,
              error: fault.error,
              retryInMs: inMs,
            })
          return
        }
        retryMs = 0
      }
    } while (again && !stopping)
    const w = waiters
    waiters = []
    for (const f of w) f()
  }

  /**
   * Tries again after a pause, longer while the store keeps failing: fetching the same items at
   * once would spin on a full disk. Returns the pause (ms).
   */
  function pause(): number {
    retryMs = Math.min(Math.max(retryMs * 2, STORE_RETRY_MS.first), STORE_RETRY_MS.max)
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      kick()
    }, retryMs)
    retryTimer.unref()
    return retryMs
  }

  function kick(): void {
    if (stopping || retryTimer) return
    if (running) {
      again = true
      return
    }
    running = loop()
      .catch((e) => {
        // Reading the pending items or recording results failed: with the store at fault, the
        // items are still pending and are tried again; anything else waits for the next wake.
        const code = storeFaultCode(e)
        const retryInMs = code === undefined || stopping ? undefined : pause()
        svc.log.error('batch worker failed', {
          error: String(e).slice(0, 300),
          ...(code === undefined ? {} : { code, retryInMs }),
        })
      })
      .finally(() => {
        running = undefined
        if (again) kick()
      })
  }

  return {
    start: kick,
    wake: kick,
    async stop() {
      stopping = true
      clearTimeout(retryTimer)
      await running
    },
    async idle() {
      if (!running && (await svc.storage.pendingBatchItems(1)).length === 0) return
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        kick()
      })
    },
  }
}
