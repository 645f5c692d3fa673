import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBaridError } from '../errors.js'
import { parsePrivateJwk, parsePublicJwk } from './jwk.js'

const X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'
const D = 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A'
const ED = { kty: 'OKP', crv: 'Ed25519', x: X }
const EC = {
  kty: 'EC',
  crv: 'P-256',
  x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4',
  y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM',
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    return isBaridError(e) ? e.code : 'not a BaridError'
  }
  return undefined
}

describe('parsePublicJwk', () => {
  it('keeps only the defining members, in a fixed shape', () => {
    const parsed = parsePublicJwk({ ...ED, kid: 'k', use: 'sig', alg: 'EdDSA', ext: true })
    expect(parsed).toEqual({ algorithm: 'Ed25519', use: 'sign', jwk: ED })
  })

  it('tells ES256 from ECDH-P256 by the expected use or the JWK use', () => {
    expect(parsePublicJwk(EC, { use: 'sign' }).algorithm).toBe('ES256')
    expect(parsePublicJwk(EC, { use: 'encrypt' }).algorithm).toBe('ECDH-P256')
    expect(parsePublicJwk({ ...EC, use: 'enc' }).algorithm).toBe('ECDH-P256')
    expect(parsePublicJwk(EC, { algorithm: 'ES256' }).use).toBe('sign')
  })

  it('rejects a P-256 key whose use cannot be known', () => {
    expect(codeOf(() => parsePublicJwk(EC))).toBe('ERR_KEY_INVALID')
  })

  it.each([
    ['a private member where a public key is expected', { ...ED, d: D }],
    ['a missing x', { kty: 'OKP', crv: 'Ed25519' }],
    ['a missing y on an EC key', { ...EC, y: undefined }],
    ['a y on an OKP key', { ...ED, y: X }],
    ['a short x', { ...ED, x: X.slice(0, 40) }],
    ['padding in x', { ...ED, x: X + '=' }],
    ['a non-canonical x (non-zero trailing bits)', { ...ED, x: X.slice(0, -1) + 'p' }],
    ['an unknown kty', { ...ED, kty: 'ED' }],
    ['a curve of the other key type', { ...ED, crv: 'P-256' }],
    ['an Ed25519 key for encryption', { ...ED, use: 'enc' }],
    ['a use member that is not sig or enc', { ...ED, use: 'sign' }],
    ['a non-object', 'OKP'],
    ['an array', [ED]],
  ])('rejects %s with ERR_KEY_INVALID', (_name, jwk) => {
    expect(codeOf(() => parsePublicJwk(jwk, { use: 'sign' }))).toBe('ERR_KEY_INVALID')
  })

  it('rejects an X25519 key where a signing key is expected', () => {
    expect(codeOf(() => parsePublicJwk({ ...ED, crv: 'X25519' }, { use: 'sign' }))).toBe(
      'ERR_KEY_INVALID',
    )
    expect(codeOf(() => parsePublicJwk(ED, { algorithm: 'X25519' }))).toBe('ERR_KEY_INVALID')
  })

  it.each([
    ['RSA', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }],
    ['P-384', { ...EC, crv: 'P-384' }],
    ['Ed448', { ...ED, crv: 'Ed448' }],
    ['a disallowed alg', { ...ED, alg: 'RS256' }],
    ['ES256 alg on an Ed25519 key', { ...ED, alg: 'ES256' }],
  ])('rejects %s with ERR_UNSUPPORTED_ALGORITHM', (_name, jwk) => {
    expect(codeOf(() => parsePublicJwk(jwk, { use: 'sign' }))).toBe('ERR_UNSUPPORTED_ALGORITHM')
  })

  it('answers any hostile value with a BaridError, never another exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.record({ kty: fc.string(), crv: fc.string(), x: fc.string() })),
        (v) => {
          const code = codeOf(() => parsePublicJwk(v))
          expect(
            code === undefined ||
              code === 'ERR_KEY_INVALID' ||
              code === 'ERR_UNSUPPORTED_ALGORITHM',
          ).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('parsePrivateJwk', () => {
  it('returns the private JWK and its public half', () => {
    const parsed = parsePrivateJwk({ ...ED, d: D })
    expect(parsed.publicJwk).toEqual(ED)
    expect(parsed.jwk).toEqual({ ...ED, d: D })
  })

  it('rejects a private JWK without d, and never puts key material in the message', () => {
    expect(codeOf(() => parsePrivateJwk(ED))).toBe('ERR_KEY_INVALID')
    try {
      parsePrivateJwk({ ...ED, d: D.slice(0, 30) })
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(D.slice(0, 30))
    }
  })
})
