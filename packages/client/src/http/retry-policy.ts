/**
 * @module http/retry-policy
 * Which failures a client retries and how long it waits. Only requests that are safe to repeat
 * are retried at all (reads, uploads addressed by digest, and submissions that carry an
 * `Idempotency-Key`, spec 12.2); among their failures, only those that say "try again":
 * no answer, `ERR_UNAVAILABLE`, `ERR_RATE_LIMITED`, `ERR_PEER_UNAVAILABLE`, and a 5xx
 * `ERR_INTERNAL`. The wait is capped exponential backoff with full jitter, and never shorter
 * than the node's `Retry-After`.
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import type { BaridError, BaridErrorCode } from '../core.js'

/** How a client retries. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retrying). */
  retries: number
  /** Backoff of the first retry, before jitter. */
  baseDelayMs: number
  /** Cap of the exponential backoff. */
  maxDelayMs: number
  /** A `Retry-After` longer than this is not waited for: the error is returned instead. */
  maxRetryAfterMs: number
}

/** The default: 3 retries, 250 ms doubling to at most 8 s, `Retry-After` up to 60 s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  retries: 3,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
}

const RETRYABLE: readonly BaridErrorCode[] = [
  'ERR_UNAVAILABLE',
  'ERR_RATE_LIMITED',
  'ERR_PEER_UNAVAILABLE',
]

/**
 * True when a failure of a repeatable request is worth repeating.
 *
 * @example
 * ```ts
 * isRetryable(new BaridError('ERR_UNAVAILABLE', 'busy')) // true
 * isRetryable(new BaridError('ERR_SENDER_MISMATCH', 'no')) // false
 * ```
 */
export function isRetryable(err: BaridError): boolean {
  check(err, shape.baridError, 'err')
  if (RETRYABLE.includes(err.code)) return true
  // A 5xx ERR_INTERNAL is the node's own failure; one that maps an unknown code is not.
  const status = err.details?.httpStatus
  return (
    err.code === 'ERR_INTERNAL' &&
    typeof status === 'number' &&
    status >= 500 &&
    err.details?.code === undefined
  )
}

/**
 * The wait before retry number `attempt` (0 for the first retry), or undefined when the node
 * asks for a longer wait than the policy allows.
 *
 * @example
 * ```ts
 * retryDelay(2, DEFAULT_RETRY_POLICY, Math.random) // between 0 and 1000 ms
 * retryDelay(0, DEFAULT_RETRY_POLICY, Math.random, 5) // 5000 ms or a little more
 * ```
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterSeconds?: number,
): number | undefined {
  check(attempt, shape.attempt, 'attempt')
  check(policy, shape.fullRetryPolicy, 'policy')
  check(random, shape.fn, 'random')
  check(retryAfterSeconds, shape.optionalSeconds, 'retryAfterSeconds')
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30))
  // Full jitter (spreads clients that failed together); the floor keeps a retry from being instant.
  const jittered = Math.max(1, Math.floor(random() * cap))
  if (retryAfterSeconds === undefined) return jittered
  const asked = retryAfterSeconds * 1000
  if (asked > policy.maxRetryAfterMs) return undefined
  return Math.max(asked, jittered)
}
