/**
 * @module federation/idempotent
 * First-response idempotency (spec 11.4, 12.2): the first complete response to a request key
 * is stored and returned again for every retry with the same body; a retry with a different
 * body is refused; a duplicate that arrives while the first is still being processed waits for
 * it (in this process; a multi-process deployment serialises on the storage row instead).
 */
import { BaridError, type BaridErrorCode } from '../core.js'
import type { StoredResponse } from '../storage/types.js'
import { mutant } from '../test-control/mutants.js'

export interface IdempotentOptions {
  key: string
  requestDigest: string
  load: () => Promise<StoredResponse | undefined>
  store: (r: StoredResponse) => Promise<void>
  run: () => Promise<{ status: number; body: string }>
  conflictCode: BaridErrorCode
}

/** A registry of requests in progress, shared by the routes of one node. */
export type InFlight = Map<string, Promise<StoredResponse>>

/**
 * Runs `run` at most once per key (per stored record); returns the stored response otherwise.
 *
 * @example
 * ```ts
 * const r = await idempotent(inflight, { key, requestDigest, load, store, run, conflictCode: 'ERR_FED_TRANSACTION_CONFLICT' })
 * ```
 */
export async function idempotent(
  inflight: InFlight,
  o: IdempotentOptions,
): Promise<{ status: number; body: string; replayed: boolean }> {
  for (;;) {
    const running = inflight.get(o.key)
    if (running) {
      const first = await running.catch(() => undefined)
      if (!first) continue // the first attempt failed without a response: try ourselves
      if (first.requestDigest !== o.requestDigest)
        throw new BaridError(o.conflictCode, 'key reused with a different request')
      return { status: first.status, body: first.body, replayed: true }
    }
    const stored = await o.load()
    if (stored) {
      if (stored.requestDigest !== o.requestDigest && !(o.conflictCode === 'ERR_FED_TRANSACTION_CONFLICT' && mutant('ignore-tx-conflict')))
        throw new BaridError(o.conflictCode, 'key reused with a different request')
      return { ...stored, replayed: true }
    }
    if (inflight.has(o.key)) continue
    const p = (async () => {
      const r = await o.run()
      const rec: StoredResponse = { requestDigest: o.requestDigest, status: r.status, body: r.body }
      // Only complete answers are kept: a 5xx means "not processed, retry", not a final word.
      if (r.status < 500) await o.store(rec)
      return rec
    })()
    inflight.set(o.key, p)
    try {
      const r = await p
      return { status: r.status, body: r.body, replayed: false }
    } finally {
      inflight.delete(o.key)
    }
  }
}
