import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import {
  assertWithinEndpoints,
  isWithinEndpoints,
  parseEndpoint,
  wellKnownUrl,
} from './endpoints.js'
import { assertUsable, freshnessAt } from './freshness.js'

const EP = ['https://barid.post.eg/', 'https://api.post.eg/barid/']

describe('endpoints', () => {
  it('accepts any path under a listed endpoint (property)', () => {
    const segment = fc.stringMatching(/^[a-z0-9._~-]{1,12}$/).filter((s) => s !== '.' && s !== '..')
    fc.assert(
      fc.property(fc.constantFrom(...EP), fc.array(segment, { maxLength: 5 }), (base, segments) => {
        expect(isWithinEndpoints(base + segments.join('/'), EP)).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('refuses every URL on another host, port or scheme (property)', () => {
    const host = fc.stringMatching(/^[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){0,3}$/)
    fc.assert(
      fc.property(
        fc.constantFrom('https', 'http', 'ftp', 'file'),
        host,
        fc.option(fc.integer({ min: 1, max: 65535 })),
        fc.webPath(),
        (scheme, h, port, path) => {
          fc.pre(
            !(
              scheme === 'https' &&
              (h === 'barid.post.eg' || h === 'api.post.eg') &&
              (port === null || port === 443)
            ),
          )
          const url = `${scheme}://${h}${port === null ? '' : `:${port}`}${path.startsWith('/') ? path : `/${path}`}`
          expect(isWithinEndpoints(url, EP)).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('cannot be escaped by dot segments, encoded slashes, credentials or look-alike hosts', () => {
    for (const url of [
      'https://api.post.eg/barid/../admin',
      'https://api.post.eg/barid/%2e%2e/admin',
      'https://api.post.eg/barid/..%2fadmin',
      'https://api.post.eg/barid%2f../admin',
      'https://api.post.eg/barid\\..\\admin',
      'https://api.post.eg/barid-evil/',
      'https://api.post.eg/bar',
      'https://user:pw@barid.post.eg/',
      'https://barid.post.eg.evil.example/',
      'https://barid.post.eg/#frag',
      'HTTPS://BARID.POST.EG:444/',
      'https://[::1]/',
      'https://127.0.0.1/',
    ]) {
      expect(isWithinEndpoints(url, EP), url).toBe(false)
    }
    expect(isWithinEndpoints('HTTPS://BARID.POST.EG/x', EP)).toBe(true)
    expect(() => assertWithinEndpoints('https://evil.example/', EP)).toThrowError(
      expect.objectContaining({ code: 'ERR_DISCOVERY_URL_REFUSED' }),
    )
  })

  it('takes only canonical https endpoints (http only on loopback)', () => {
    const ok = [
      'https://barid.post.eg/',
      'https://barid.post.eg:8443/api/',
      'http://127.0.0.1:8401/',
      'http://localhost:8402/',
      'http://[::1]:8403/',
    ]
    for (const e of ok) expect(parseEndpoint(e, 'ERR_TRUST_LIST_MALFORMED'), e).toBe(e)
    const bad = [
      'https://barid.post.eg',
      'https://Barid.post.eg/',
      'https://barid.post.eg:443/',
      'http://barid.post.eg/',
      'https://u@barid.post.eg/',
      'https://barid.post.eg/?q',
      'https://barid.post.eg/#f',
      'ftp://barid.post.eg/',
      '/relative/',
      'x'.repeat(600),
    ]
    for (const e of bad) {
      expect(() => parseEndpoint(e, 'ERR_TRUST_LIST_MALFORMED'), e).toThrowError(
        expect.objectContaining({ code: 'ERR_TRUST_LIST_MALFORMED' }),
      )
    }
  })

  it('places well-known documents under the endpoint', () => {
    expect(wellKnownUrl('https://barid.post.eg/', 'barid-node')).toBe(
      'https://barid.post.eg/.well-known/barid-node',
    )
    expect(wellKnownUrl('https://api.post.eg/barid/', 'barid-node')).toBe(
      'https://api.post.eg/barid/.well-known/barid-node',
    )
    expect(isWithinEndpoints(wellKnownUrl(EP[1]!, 'barid-node'), EP)).toBe(true)
  })
})

describe('freshness', () => {
  it('is fresh before next-update, stale within the maximum staleness, expired after (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2e9 }),
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: 1, max: 7 * 86_400 }),
        (next, offset, max) => {
          const f = freshnessAt(next, next + offset, max)
          expect(f.state).toBe(offset < 0 ? 'fresh' : offset < max ? 'stale' : 'expired')
          const code = (() => {
            try {
              assertUsable(f, { firstContact: true })
              return 'ok'
            } catch (e) {
              return (e as BaridError).code
            }
          })()
          expect(code).toBe(
            { fresh: 'ok', stale: 'ERR_TRUST_LIST_STALE', expired: 'ERR_TRUST_LIST_EXPIRED' }[
              f.state
            ],
          )
          if (f.state !== 'expired') expect(() => assertUsable(f)).not.toThrow()
        },
      ),
      { numRuns: 200 },
    )
  })
})
