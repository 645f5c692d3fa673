/**
 * @module federation/replay-cache
 * Remembers signature nonces for twice the freshness window, so a captured request cannot be
 * replayed while its `created` is still fresh. Bounded: when full, the oldest entries go first;
 * since entries are only useful while fresh, a full cache under attack refuses new requests
 * rather than forgetting fresh nonces (spec 11.2).
 */
import { BaridError } from '../core.js'

export interface ReplayCache {
  /** Throws `ERR_FED_REPLAY` if (keyid, nonce) was seen; otherwise remembers it. */
  check(keyid: string, nonce: string, created: number): void
  readonly size: number
}

/**
 * @example
 * ```ts
 * const cache = createReplayCache({ windowSeconds: 60, now: () => Date.now() / 1000 })
 * cache.check(keyid, nonce, created)
 * ```
 */
export function createReplayCache(opts: {
  windowSeconds: number
  now: () => number
  maxEntries?: number
}): ReplayCache {
  const max = opts.maxEntries ?? 1_000_000
  // Insertion-ordered; entries expire in roughly insertion order.
  const seen = new Map<string, number>()
  function sweep(now: number): void {
    for (const [k, exp] of seen) {
      if (exp > now) break
      seen.delete(k)
    }
  }
  return {
    check(keyid, nonce, created) {
      const now = opts.now()
      sweep(now)
      const k = `${keyid} ${nonce}`
      if (seen.has(k)) throw new BaridError('ERR_FED_REPLAY', 'signature nonce already used')
      if (seen.size >= max)
        throw new BaridError('ERR_UNAVAILABLE', 'replay cache is full; retry later')
      seen.set(k, Math.max(now, created) + 2 * opts.windowSeconds)
    },
    get size() {
      return seen.size
    },
  }
}
