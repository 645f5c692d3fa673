import { importKeyPair } from '@barid/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkIncoming, contentDigest, signRequest } from './signatures.js'

// The example of spec 11.2: RFC 8037 appendix A.1 key, RFC 9530 example content.
const RFC8037 = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
}

describe('the harness signature profile', () => {
  it("reproduces spec 11.2's example signature byte for byte", async () => {
    const key = await importKeyPair(RFC8037)
    const body = new TextEncoder().encode('{"hello": "world"}')
    const digest = await contentDigest(body)
    expect(digest).toBe('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:')
    const h = await signRequest(
      {
        method: 'PUT',
        url: 'https://barid.digitalpost.dk/v1/federation/transactions/Q0rQ8KfB7Yq3pPqhVh1Kxg',
        contentDigest: digest,
      },
      {
        privateKey: key.privateKey,
        keyid: key.kidBase64Url,
        created: 1767225600,
        nonce: '4bT1x0mL3Yq8ZkQ2pW9sVA',
      },
    )
    expect(key.kidBase64Url).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k')
    expect(h.signature).toBe(
      'barid=:AZFv8M1oQ87kZF1GKQgk+D52fDrNp7O4OE+esSpdvIk4N6iWTXqBbXif19huiZR16B5/6xTuBrUi490NGGgxBg==:',
    )
  })

  it('accepts what it signs and flags every request whose content was changed', async () => {
    const key = await importKeyPair(RFC8037)
    const url = 'http://127.0.0.1:9/v1/federation/transactions/abcdefgh'
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        async (body, at) => {
          const headers = await signRequest(
            { method: 'PUT', url, contentDigest: await contentDigest(body) },
            { privateKey: key.privateKey, keyid: key.kidBase64Url, created: 1000 },
          )
          const all = { ...headers, 'content-digest': await contentDigest(body) }
          const o = {
            authority: '127.0.0.1:9',
            now: 1000,
            keys: new Map([[key.kidBase64Url, key.publicKey]]),
          }
          const good = await checkIncoming(
            { method: 'PUT', url, headers: all, body },
            { ...o, seenNonces: new Set() },
          )
          expect(good.problems).toEqual([])
          const changed = new Uint8Array(body)
          changed[at % changed.length]! ^= 1
          const bad = await checkIncoming(
            { method: 'PUT', url, headers: all, body: changed },
            { ...o, seenNonces: new Set() },
          )
          expect(bad.problems.some((p) => p.startsWith('11.2-14'))).toBe(true)
        },
      ),
      { numRuns: 25 },
    )
  })
})
