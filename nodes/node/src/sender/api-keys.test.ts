import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { apiKeyMatches, newApiKey, parseApiKey } from './api-keys.js'

const secretChars = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
)
const secrets = fc.array(secretChars, { minLength: 43, maxLength: 43 }).map((a) => a.join(''))

describe('sender API keys', () => {
  it('parses a new key into its id and a secret that matches the stored hash, and no other secret does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 44, maxLength: 44 }), secrets, (seed, other) => {
        let at = 0
        const k = newApiKey((n) => seed.slice(at, (at += n)))
        const p = parseApiKey(k.apiKey)
        expect(p?.keyId).toBe(k.keyId)
        expect(apiKeyMatches(p!.secret, k.hash)).toBe(true)
        expect(apiKeyMatches(other, k.hash)).toBe(other === p!.secret)
      }),
    )
  })

  it('answers false, without throwing, for a stored hash of the wrong length or not hex', () => {
    const k = newApiKey()
    const secret = parseApiKey(k.apiKey)!.secret
    for (const stored of ['', k.hash.slice(2), `${k.hash}00`, 'zz'.repeat(32)])
      expect(apiKeyMatches(secret, stored)).toBe(false)
  })

  it('refuses keys that are not of the form barid_sk_<16>.<43>', () => {
    const k = newApiKey()
    for (const bad of ['', k.apiKey.slice(1), `${k.apiKey}x`, k.apiKey.replace('.', '_')])
      expect(parseApiKey(bad)).toBeUndefined()
  })
})
