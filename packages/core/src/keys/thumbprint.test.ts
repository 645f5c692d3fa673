import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../bytes.js'
import { isBaridError } from '../errors.js'
import { jwkThumbprint, jwkThumbprintBase64Url, kidOf } from './thumbprint.js'

// RFC 7638 section 3.1: the example RSA key and its SHA-256 thumbprint.
const RFC7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP' +
    'ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq' +
    'Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f' +
    'M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
}

// RFC 8037 appendix A.2 public key and A.3 thumbprint.
const RFC8037_KEY = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }

describe('JWK thumbprints', () => {
  it('matches the RFC 7638 section 3.1 example thumbprint', async () => {
    expect(await jwkThumbprintBase64Url(RFC7638_KEY)).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    )
    const bytes = await jwkThumbprint(RFC7638_KEY)
    expect(bytes.length).toBe(32)
    expect(toBase64Url(bytes)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it('gives the RFC 8037 appendix A.3 key id for the Ed25519 example key', async () => {
    expect(toBase64Url(await kidOf(RFC8037_KEY))).toBe(
      'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
    )
  })

  it('ignores members outside the key definition, so kid depends on the key alone', async () => {
    const a = await kidOf(RFC8037_KEY)
    const b = await kidOf({ ...RFC8037_KEY, kid: 'whatever', use: 'sig', alg: 'EdDSA' })
    expect(toBase64Url(b)).toBe(toBase64Url(a))
  })

  it('refuses a key id for an RSA key, which Barid does not allow', async () => {
    await expect(kidOf(RFC7638_KEY)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM' })
  })

  it('reports a thumbprint of a non-object as ERR_KEY_INVALID', async () => {
    for (const bad of [null, 'jwk', [RFC8037_KEY], { kty: 'EC' }]) {
      const err = await jwkThumbprint(bad).catch((e: unknown) => e)
      expect(isBaridError(err, 'ERR_KEY_INVALID')).toBe(true)
    }
  })
})
