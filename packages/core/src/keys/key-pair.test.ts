import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../bytes.js'
import { KEY_ALGORITHMS } from './algorithms.js'
import {
  exportPrivateJwk,
  exportPublicJwk,
  generateKeyPair,
  importKeyPair,
  importPublicJwk,
} from './key-pair.js'
import { kidOf } from './thumbprint.js'

// RFC 8037 appendix A.1: an Ed25519 private key.
const RFC8037_PRIVATE = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
}

describe('key pairs', () => {
  it.each(KEY_ALGORITHMS)(
    'generates a %s key pair whose kid is the thumbprint of its JWK',
    async (alg) => {
      const pair = await generateKeyPair(alg)
      expect(pair.algorithm).toBe(alg)
      expect(pair.kid.length).toBe(32)
      expect(pair.kidBase64Url).toBe(toBase64Url(await kidOf(pair.publicJwk, { use: pair.use })))
      expect(pair.privateKey.extractable).toBe(false)
    },
  )

  it.each(KEY_ALGORITHMS)(
    'round-trips a %s key through private and public JWK export and import',
    async (alg) => {
      const pair = await generateKeyPair(alg, { extractable: true })
      const priv = await exportPrivateJwk(pair)
      const again = await importKeyPair(priv, { algorithm: alg, extractable: true })
      expect(again.publicJwk).toEqual(pair.publicJwk)
      expect(await exportPrivateJwk(again)).toEqual(priv)
      const pub = await importPublicJwk(await exportPublicJwk(pair.publicKey), { algorithm: alg })
      expect(pub.kidBase64Url).toBe(pair.kidBase64Url)
      expect(pub.use).toBe(pair.use)
    },
  )

  it('signs with an imported RFC 8037 key and verifies with the imported public key', async () => {
    const pair = await importKeyPair(RFC8037_PRIVATE)
    expect(pair.kidBase64Url).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k')
    const msg = new TextEncoder().encode('Barid')
    const sig = await crypto.subtle.sign('Ed25519', pair.privateKey, msg)
    const pub = await importPublicJwk(pair.publicJwk)
    expect(await crypto.subtle.verify('Ed25519', pub.publicKey, sig, msg)).toBe(true)
  })

  it('refuses to export a non-extractable private key', async () => {
    const pair = await generateKeyPair('Ed25519')
    await expect(exportPrivateJwk(pair)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it('refuses a private JWK whose d does not match its x', async () => {
    const other = await generateKeyPair('Ed25519')
    await expect(importKeyPair({ ...RFC8037_PRIVATE, x: other.publicJwk.x })).rejects.toMatchObject(
      { code: 'ERR_KEY_INVALID' },
    )
  })

  it('refuses a P-256 public key whose point is not on the curve', async () => {
    const pair = await generateKeyPair('ES256')
    const jwk = pair.publicJwk as { x: string; y: string }
    const bad = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.x }
    await expect(importPublicJwk(bad, { use: 'sign' })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })

  it('refuses to generate an algorithm Barid does not allow', async () => {
    await expect(generateKeyPair('RS256' as never)).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_ALGORITHM',
    })
  })

  it('prints a key pair without any private key material', async () => {
    const pair = await generateKeyPair('Ed25519', { extractable: true })
    const { d } = await exportPrivateJwk(pair)
    const { inspect } = await import('node:util')
    expect(inspect(pair, { depth: 5 })).not.toContain(d)
    expect(JSON.stringify(pair)).not.toContain(d)
  })
})
