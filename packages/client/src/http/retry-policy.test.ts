import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '@barid/core'
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelay } from './retry-policy.js'

describe('retry policy', () => {
  it('retries only failures that say "try again"', () => {
    expect(isRetryable(new BaridError('ERR_UNAVAILABLE', 'x'))).toBe(true)
    expect(isRetryable(new BaridError('ERR_RATE_LIMITED', 'x'))).toBe(true)
    expect(isRetryable(new BaridError('ERR_PEER_UNAVAILABLE', 'x'))).toBe(true)
    expect(isRetryable(new BaridError('ERR_INTERNAL', 'x', { details: { httpStatus: 500 } }))).toBe(
      true,
    )
    expect(
      isRetryable(
        new BaridError('ERR_INTERNAL', 'x', { details: { httpStatus: 500, code: 'ERR_NEW' } }),
      ),
    ).toBe(false)
    expect(isRetryable(new BaridError('ERR_INTERNAL', 'x'))).toBe(false)
    for (const code of [
      'ERR_IDEMPOTENCY_CONFLICT',
      'ERR_SENDER_MISMATCH',
      'ERR_UNAUTHENTICATED',
      'ERR_NOT_FOUND',
    ] as const) {
      expect(isRetryable(new BaridError(code, 'x'))).toBe(false)
    }
  })

  it('keeps every delay between 1 ms and the exponential cap', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const d = retryDelay(attempt, DEFAULT_RETRY_POLICY, () => r)!
        const cap = Math.min(
          DEFAULT_RETRY_POLICY.maxDelayMs,
          DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** Math.min(attempt, 30),
        )
        expect(d).toBeGreaterThanOrEqual(1)
        expect(d).toBeLessThanOrEqual(cap)
      }),
      { numRuns: 200 },
    )
  })

  it('waits at least what Retry-After asks, and gives up when it asks too much', () => {
    expect(retryDelay(0, DEFAULT_RETRY_POLICY, () => 0.5, 5)).toBe(5000)
    expect(retryDelay(0, DEFAULT_RETRY_POLICY, () => 0.5, 61)).toBeUndefined()
  })
})
