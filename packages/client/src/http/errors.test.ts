import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError, ERROR_CODES } from '@barid/core'
import { errorFromBody, errorFromResponse, parseRetryAfter, transportError } from './errors.js'

const known = Object.keys(ERROR_CODES)

describe('errorFromBody', () => {
  it('keeps every known code with the message, the server details and the HTTP status', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...known),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 400, max: 599 }),
        (code, message, status) => {
          const e = errorFromBody(status, { error: { code, message, details: { limit: 7 } } })
          expect(e).toBeInstanceOf(BaridError)
          expect(e.code).toBe(code)
          expect(e.message).toBe(message)
          expect(e.details).toEqual({ limit: 7, httpStatus: status })
        },
      ),
      { numRuns: 50 },
    )
  })

  it('maps an unknown code to ERR_INTERNAL and keeps the raw code in details', () => {
    const e = errorFromBody(422, { error: { code: 'ERR_FROM_A_NEWER_NODE', message: 'hm' } })
    expect(e.code).toBe('ERR_INTERNAL')
    expect(e.details).toEqual({ code: 'ERR_FROM_A_NEWER_NODE', httpStatus: 422 })
  })

  it('maps a body without a Barid error by its status only', () => {
    expect(errorFromBody(503, '<html>busy</html>').code).toBe('ERR_UNAVAILABLE')
    expect(errorFromBody(429, undefined).code).toBe('ERR_RATE_LIMITED')
    expect(errorFromBody(404, {}).code).toBe('ERR_NOT_FOUND')
    expect(errorFromBody(418, { error: 'teapot' }).code).toBe('ERR_INTERNAL')
  })

  it('never throws on hostile bodies', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 400, max: 599 }), (body, status) => {
        expect(errorFromBody(status, body)).toBeInstanceOf(BaridError)
      }),
      { numRuns: 200 },
    )
  })
})

describe('errorFromResponse', () => {
  it('reads the code and the Retry-After header of a rate-limited answer', async () => {
    const res = new Response(
      JSON.stringify({ error: { code: 'ERR_RATE_LIMITED', message: 'slow down' } }),
      { status: 429, headers: { 'retry-after': '3' } },
    )
    const e = await errorFromResponse(res)
    expect(e.code).toBe('ERR_RATE_LIMITED')
    expect(e.details).toMatchObject({ retryAfter: 3, httpStatus: 429 })
  })

  it('does not read an oversized body and falls back to the status', async () => {
    const res = new Response('x'.repeat(100_000), { status: 502 })
    expect((await errorFromResponse(res)).code).toBe('ERR_UNAVAILABLE')
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2026-03-01T09:30:00Z')
    expect(parseRetryAfter('120', now)).toBe(120)
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:30:10 GMT', now)).toBe(10)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('reads only the date forms of RFC 9110, not what Date.parse also reads', () => {
    const now = Date.parse('2026-03-01T09:30:00Z')
    expect(parseRetryAfter('Sunday, 01-Mar-26 09:30:20 GMT', now)).toBe(20)
    expect(parseRetryAfter('Sun Mar  1 09:30:30 2026', now)).toBe(30)
    for (const v of ['2026-03-01T09:30:10Z', 'Sun, 01 Mar 2026 09:30:10', '1 March 2026'])
      expect(parseRetryAfter(v, now), v).toBeUndefined()
  })
})

describe('transportError', () => {
  it('says ERR_UNAVAILABLE with the reason', () => {
    expect(transportError('timeout', new Error('x')).details).toEqual({ reason: 'timeout' })
    expect(transportError('network', new Error('x')).code).toBe('ERR_UNAVAILABLE')
  })
})
