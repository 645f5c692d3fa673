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
    expect(retryAfterMs('5', NOW)).toBe(5000)
    expect(retryAfterMs(null, NOW)).toBe(0)
    expect(retryAfterMs('0', NOW)).toBe(0)
    expect(retryAfterMs('86400', NOW)).toBe(MAX_RETRY_AFTER_MS)
    expect(retryAfterMs('soon', NOW)).toBe(0)
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.string(), fc.double().map(String), fc.date().map(httpDate))),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (header, now) => {
          const ms = retryAfterMs(header, now)
          expect(Number.isFinite(ms)).toBe(true)
          expect(ms).toBeGreaterThanOrEqual(0)
          expect(ms).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('honours a Retry-After given as an HTTP-date in each of its three forms', () => {
    // RFC 9110 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient accepts.
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', NOW)).toBe(30_000)
    expect(retryAfterMs('Wednesday, 21-Oct-15 07:28:30 GMT', NOW)).toBe(30_000)
    expect(retryAfterMs('Wed Oct 21 07:28:30 2015', NOW)).toBe(30_000)
    expect(retryAfterMs('Wed Oct  1 07:28:30 2015', Date.UTC(2015, 9, 1, 7, 28))).toBe(30_000)
    // Past or now: no wait; far ahead: the same cap as seconds.
    expect(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', NOW)).toBe(0)
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0)
    expect(retryAfterMs('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS)
    // Not a date: a day or month that does not exist, another zone, trailing text.
    for (const bad of [
      'Wed, 32 Oct 2015 07:28:30 GMT',
      'Wed, 31 Feb 2015 07:28:30 GMT',
      'Wed, 21 Foo 2015 07:28:30 GMT',
      'Wed, 21 Oct 2015 07:28:30 CET',
      'Wed, 21 Oct 2015 25:28:30 GMT',
      'Wed, 21 Oct 2015 07:28:30 GMT x',
    ])
      expect(retryAfterMs(bad, NOW)).toBe(0)
    fc.assert(
      fc.property(
        // An invalid Date names no instant: httpDate cannot write it (seed 777376765 drew one).
        fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (date, now) => {
          const at = Math.floor(date.getTime() / 1000) * 1000
          const expected = Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS)
          expect(retryAfterMs(httpDate(date), now)).toBe(expected)
        },
      ),
      { numRuns: 500 },
    )
  })
})

/** 2015-10-21 07:28:00 UTC, the date of RFC 9110's examples. */
const NOW = Date.UTC(2015, 9, 21, 7, 28)

/** `date` as an IMF-fixdate (what `Date.prototype.toUTCString` writes, for years 0-9999). */
const httpDate = (date: Date) => date.toUTCString()
