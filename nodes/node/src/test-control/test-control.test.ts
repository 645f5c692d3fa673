import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, parseIdentifier } from '../core.js'
import { errorResponse } from '../http/errors.js'
import type { NodeEnv } from '../http/context.js'
import { createLogger } from '../ops/logger.js'
import type { NodeServices } from '../services.js'
import { adjustableClock, clockControl, nodeClock } from './clock.js'
import { parseTestFederation, testFederationDirectory } from './federation-config.js'
import { freshIdentifier } from './identifiers.js'
import { mountTestControl } from './mount.js'
import { MUTANTS, isMutantName, mutant } from './mutants.js'

const SECRET = 'a-test-control-secret-of-32-chars!!'

function app(secret: string | null): Hono<NodeEnv> {
  const svc = {
    config: { testControlSecret: secret, profile: { identifierSchemes: ['dk:cpr'] } },
    log: createLogger({ level: 'silent' }),
    directory: { self: 'digitalpost.dk' },
    now: Date.now,
  } as unknown as NodeServices
  const a = new Hono<NodeEnv>()
  a.use('*', async (c, next) => {
    c.set('log', svc.log)
    await next()
  })
  mountTestControl(a, svc)
  a.notFound((c) => c.json({ error: { code: 'ERR_NOT_FOUND', message: 'no such resource' } }, 404))
  a.onError((e, c) => errorResponse(c, e))
  return a
}

describe('test control', () => {
  it('is absent unless a secret is configured', async () => {
    expect((await app(null).request('/v1/test-control')).status).toBe(404)
    expect(nodeClock({ testControlSecret: null })).toBe(Date.now)
  })

  it('refuses a request without the secret and answers one with it', async () => {
    const a = app(SECRET)
    const denied = await a.request('/v1/test-control', {
      headers: { authorization: 'Bearer wrong' },
    })
    expect(denied.status).toBe(401)
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_UNAUTHENTICATED',
    )
    const ok = await a.request('/v1/test-control', {
      headers: { authorization: `Bearer ${SECRET}` },
    })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { features: string[] }).features).toContain('federation')
  })

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => app('short')).toThrow(/at least 32/)
  })

  it('moves an adjustable clock forward only, and back to the base on reset', () => {
    let base = 1000
    const now = adjustableClock(() => base)
    const ctl = clockControl(now)!
    ctl.advance(500)
    base = 1100
    expect(now()).toBe(1600)
    expect(() => ctl.advance(-1)).toThrow()
    ctl.reset()
    expect(now()).toBe(1100)
    expect(clockControl(Date.now)).toBeUndefined()
  })

  it('makes well-formed, unused identifiers', async () => {
    const taken = new Set<string>()
    for (const scheme of ['dk:cpr', 'dk:cvr', 'eg:nid']) {
      for (let i = 0; i < 20; i++) {
        const id = await freshIdentifier([scheme], async (x) => taken.has(x))
        expect(parseIdentifier(id).text).toBe(id)
        expect(taken.has(id)).toBe(false)
        taken.add(id)
      }
    }
  })

  it('reports a withdrawn operator with its status, leaving the refusal to the node', async () => {
    const k = await generateKeyPair('Ed25519')
    const f = await parseTestFederation({
      version: 1,
      operators: [
        {
          operator: 'withdrawn.test',
          country: 'ZZ',
          baseUrl: 'http://127.0.0.1:9',
          identifierSchemes: [],
          status: 'withdrawn',
          keys: [{ use: 'request-signing', jwk: k.publicJwk }],
        },
      ],
    })
    const dir = testFederationDirectory('digitalpost.dk', f, Date.now)
    expect((await dir.requestKey(k.kidBase64Url))?.peer.status).toBe('withdrawn')
    expect(await dir.operatorForScheme('dk:cpr')).toBeUndefined()
  })

  it('knows at least twelve mutants, none active without BARID_MUTANT', () => {
    expect(Object.keys(MUTANTS).length).toBeGreaterThanOrEqual(12)
    expect(isMutantName('accept-replay')).toBe(true)
    expect(isMutantName('no-such-mutant')).toBe(false)
    if (!process.env.BARID_MUTANT) expect(mutant('accept-replay')).toBe(false)
  })
})
