import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../core.js'
import {
  backoffDelay,
  blobRefusal,
  classifyStatus,
  headOutcome,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
} from './retry-policy.js'

describe('retry policy', () => {
  it('keeps every backoff delay within (0, min(cap, base * 2^n)) and never above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, base, cap, r) => {
          const d = backoffDelay(n, { baseMs: base, maxMs: cap }, () => r)
          expect(d).toBeGreaterThan(0)
          expect(d).toBeLessThanOrEqual(
            Math.max(Math.min(cap, base * 2 ** Math.min(n, 30)), Math.min(base, cap) / 10),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('retries what may pass later and gives up on what will not', () => {
    expect(classifyStatus(503)).toEqual({ retry: true, ambiguous: false })
    expect(classifyStatus(429)).toEqual({ retry: true, ambiguous: false })
    expect(classifyStatus(401)).toEqual({ retry: true, ambiguous: false })
    expect(classifyStatus(401, 'ERR_FED_REPLAY')).toEqual({ retry: true, ambiguous: true })
    expect(classifyStatus(401, 'ERR_FED_KEY_UNKNOWN')).toEqual({ retry: true, ambiguous: false })
    expect(classifyStatus(500)).toEqual({ retry: true, ambiguous: true })
    expect(classifyStatus(502)).toEqual({ retry: true, ambiguous: true })
    expect(classifyStatus(400)).toEqual({ retry: false, ambiguous: false })
    expect(classifyStatus(403)).toEqual({ retry: false, ambiguous: false })
    expect(classifyStatus(413)).toEqual({ retry: false, ambiguous: false })
  })

  it('retries a transaction refused for its signature or key: the sender may be rotating keys (spec 11.2)', () => {
    for (const code of [
      'ERR_FED_KEY_UNKNOWN',
      'ERR_KEY_RETIRED',
      'ERR_FED_SIGNATURE_INVALID',
      'ERR_FED_SIGNATURE_STALE',
    ] as const)
      expect(classifyStatus(ERROR_CODES[code].http, code)).toEqual({
        retry: true,
        ambiguous: false,
      })
  })

  it('reads an upload answer by the transaction table: a final 4xx ends the letters of the blob, the rest is retried', () => {
    expect(blobRefusal(413, 'ERR_INPUT_TOO_LARGE')).toBe('ERR_INPUT_TOO_LARGE')
    // A proxy before the peer refuses the size without a Barid body: as final.
    expect(blobRefusal(413)).toBe('ERR_INPUT_TOO_LARGE')
    expect(blobRefusal(400, 'ERR_ATTACHMENT_MISMATCH')).toBe('ERR_ATTACHMENT_MISMATCH')
    expect(blobRefusal(422, 'ERR_ATTACHMENT_MISMATCH')).toBe('ERR_ATTACHMENT_MISMATCH')
    expect(blobRefusal(403, 'ERR_FORBIDDEN')).toBe('ERR_FORBIDDEN')
    // No code of errors.md (a proxy's page): the peer failing, as for a refused transaction.
    expect(blobRefusal(400)).toBe('ERR_PEER_UNAVAILABLE')
    for (const status of [401, 408, 409, 425, 429, 500, 502, 503])
      expect(blobRefusal(status, 'ERR_INPUT_TOO_LARGE')).toBeUndefined()
    expect(blobRefusal(401, 'ERR_FED_REPLAY')).toBeUndefined()
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.constantFrom(...(Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]))),
        (status, code) => {
          const r = blobRefusal(status, code ?? undefined)
          const fourXX = status >= 400 && status < 500
          const retried = classifyStatus(status, code ?? undefined).retry
          const final =
            status === 413 || (fourXX && (code === 'ERR_ATTACHMENT_MISMATCH' || !retried))
          expect(r !== undefined).toBe(final)
          if (final && status !== 413) expect(r).toBe(code ?? 'ERR_PEER_UNAVAILABLE')
        },
      ),
      { numRuns: 500 },
    )
  })

  it('reads the HEAD before an upload by the transaction table: a retried status retries without uploading', () => {
    expect(headOutcome(200)).toBe('held')
    expect(headOutcome(404)).toBe('upload')
    // A proxy that does not pass HEAD on says nothing of the blob: the upload answer decides.
    expect(headOutcome(405)).toBe('upload')
    expect(headOutcome(403)).toBe('upload')
    for (const status of [401, 408, 409, 425, 429, 500, 502, 503, 504])
      expect(headOutcome(status)).toBe('retry')
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (status) => {
        const next = headOutcome(status)
        if (status === 200) expect(next).toBe('held')
        else expect(next).toBe(status >= 400 && classifyStatus(status).retry ? 'retry' : 'upload')
      }),
      { numRuns: 500 },
    )
  })

  it('honours a Retry-After of positive seconds up to an hour and ignores any other value', () => {
    expect(retryAfterMs('5')).toBe(5000)
    expect(retryAfterMs(null)).toBe(0)
    expect(retryAfterMs('0')).toBe(0)
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0)
    expect(retryAfterMs('86400')).toBe(MAX_RETRY_AFTER_MS)
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.string(), fc.double().map(String))), (header) => {
        const ms = retryAfterMs(header)
        expect(Number.isFinite(ms)).toBe(true)
        expect(ms).toBeGreaterThanOrEqual(0)
        expect(ms).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS)
      }),
      { numRuns: 500 },
    )
  })
})
