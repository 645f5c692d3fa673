import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../core.js'
import { generatePartyKeys } from '../keys/party-keys.js'
import type { FetchLike } from '../http/transport.js'
import type { KeyTrust } from '../trust/key-trust.js'
import { createSenderClient, type KeyExpiring } from './sender-client.js'

const KEY_ID = 'hE2l0xV1Qm3c9ZkA'
const API_KEY = `barid_sk_${KEY_ID}.${'s'.repeat(43)}`
const ENDS = '2026-03-08T09:30:00.000Z'

/** A trust that trusts nothing and never fetches: these calls verify nothing. */
const noTrust: KeyTrust = {
  store: async () => {
    throw new BaridError('ERR_TRUST_LIST_EXPIRED', 'no list in this test')
  },
  nodeKey: async () => undefined,
}

/** A scripted stand-in for a node: each answer's status and Api-Key-Expires, in turn. */
function scriptedNode(answers: [status: number, expires?: string][]): FetchLike {
  return async () => {
    const [status, expires] = answers.shift() ?? [200]
    const body =
      status === 200 ? { keys: [] } : { error: { code: 'ERR_NOT_FOUND', message: 'no such letter' } }
    return new Response(JSON.stringify(body), {
      status,
      headers: {
        'content-type': 'application/json',
        ...(expires === undefined ? {} : { 'api-key-expires': expires }),
      },
    })
  }
}

async function agency(fetch: FetchLike, onKeyExpiring?: (e: KeyExpiring) => void) {
  const keys = await generatePartyKeys()
  return createSenderClient({
    baseUrl: 'http://node.test',
    apiKey: API_KEY,
    signingKey: keys.signing,
    encryptionKey: keys.encryption,
    trust: noTrust,
    fetch,
    ...(onKeyExpiring ? { onKeyExpiring } : {}),
  })
}

describe('onKeyExpiring', () => {
  it('tells the organisation once per end the node gives, refusals included', async () => {
    const told: KeyExpiring[] = []
    const later = '2026-03-09T00:00:00.000Z'
    const eta = await agency(
      scriptedNode([[200], [200, ENDS], [200, ENDS], [404, ENDS], [200, later], [200, later]]),
      (e) => void told.push(e),
    )
    await eta.listKeys()
    expect(told).toEqual([])
    await eta.listKeys()
    await eta.listKeys()
    await expect(eta.status('01a2233d-2a56-7572-91f7-ed2e2a5e9634')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    expect(told).toEqual([{ keyId: KEY_ID, expiresAt: ENDS }])
    await eta.listKeys()
    await eta.listKeys()
    expect(told).toEqual([
      { keyId: KEY_ID, expiresAt: ENDS },
      { keyId: KEY_ID, expiresAt: later },
    ])
  })

  it('keeps working when the callback throws, and ignores an end that is not a time', async () => {
    const told: string[] = []
    const eta = await agency(
      scriptedNode([[200, 'next tuesday'], [200, ENDS]]),
      (e) => {
        told.push(e.expiresAt)
        throw new Error('the alerting system is down')
      },
    )
    await expect(eta.listKeys()).resolves.toEqual([])
    await expect(eta.listKeys()).resolves.toEqual([])
    expect(told).toEqual([ENDS])
  })

  it('never fails a call whatever the header holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary-ascii', maxLength: 64 }), async (value) => {
        const told: KeyExpiring[] = []
        const eta = await agency(scriptedNode([[200, value.trim()]]), (e) => void told.push(e))
        await expect(eta.listKeys()).resolves.toEqual([])
        for (const e of told) expect(new Date(e.expiresAt).toISOString()).toBe(e.expiresAt)
      }),
      { numRuns: 50 },
    )
  })

  it('refuses an onKeyExpiring that is not a function with ERR_INVALID_ARGUMENT', async () => {
    const keys = await generatePartyKeys()
    expect(() =>
      createSenderClient({
        baseUrl: 'http://node.test',
        apiKey: API_KEY,
        signingKey: keys.signing,
        encryptionKey: keys.encryption,
        onKeyExpiring: 'console.warn' as never,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })
})
