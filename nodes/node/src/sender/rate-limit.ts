/**
 * @module sender/rate-limit
 * Token buckets per caller, in memory (each node limits its own callers; limits are not
 * shared between nodes of one operator).
 */
import { BaridError } from '../core.js'

export interface RateLimiter {
  /** Takes one token for `key`, or throws `ERR_RATE_LIMITED` with `retryAfter` seconds. */
  take(key: string): void
}

/**
 * @example
 * ```ts
 * const lookups = createRateLimiter({ perMinute: 600, now: Date.now })
 * lookups.take(sender.id)
 * ```
 */
export function createRateLimiter(o: {
  perMinute: number
  burst?: number
  now: () => number
}): RateLimiter {
  const burst = o.burst ?? Math.max(1, Math.ceil(o.perMinute / 6))
  const rate = o.perMinute / 60_000
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    take(key) {
      const now = o.now()
      const b = buckets.get(key) ?? { tokens: burst, at: now }
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * rate)
      b.at = now
      if (b.tokens < 1) {
        buckets.set(key, b)
        throw new BaridError('ERR_RATE_LIMITED', 'too many requests', {
          details: { retryAfter: Math.ceil((1 - b.tokens) / rate / 1000) },
        })
      }
      b.tokens -= 1
      buckets.set(key, b)
      if (buckets.size > 100_000) buckets.delete(buckets.keys().next().value!)
    },
  }
}
