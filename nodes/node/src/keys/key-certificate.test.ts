import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '../core.js'
import { createJwsCertifier, verifyKeyCertificate } from './key-certificate.js'

const T = 1_767_225_600_000
const node = await generateKeyPair('Ed25519')
const other = await generateKeyPair('Ed25519')
const device = await generateKeyPair('X25519')
const certifier = createJwsCertifier({ operator: 'digitalpost.dk', key: node })
const resolve = async (kid: string, iss: string) =>
  kid === node.kidBase64Url && iss === 'digitalpost.dk' ? node.publicKey : undefined

describe('key certificates (spec 13.4)', () => {
  it("binds a device key to its mailbox, verifiable with the operator's evidence key", async () => {
    const { kid, certificate } = await certifier.certify({
      sub: 'lars@digitalpost.dk',
      use: 'enc',
      jwk: device.publicJwk,
      now: T,
    })
    expect(kid).toBe(device.kidBase64Url)
    const claims = await verifyKeyCertificate(certificate, resolve, T + 1000)
    expect(claims).toMatchObject({
      v: 1,
      iss: 'digitalpost.dk',
      sub: 'lars@digitalpost.dk',
      use: 'enc',
      kid,
    })
  })

  it('refuses a changed payload, a foreign signer, an expired certificate and a key of the wrong kind', async () => {
    const { certificate } = await certifier.certify({
      sub: 'lars@digitalpost.dk',
      use: 'enc',
      jwk: device.publicJwk,
      now: T,
      lifetimeSeconds: 60,
    })
    const [h, p, s] = certificate.split('.')
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
    const changed = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'mette@digitalpost.dk' })).toString('base64url')}.${s}`
    await expect(verifyKeyCertificate(changed, resolve, T)).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
    })
    await expect(
      verifyKeyCertificate(certificate, async () => other.publicKey, T),
    ).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    await expect(verifyKeyCertificate(certificate, async () => undefined, T)).rejects.toMatchObject(
      { code: 'ERR_KEY_NOT_FOUND' },
    )
    await expect(verifyKeyCertificate(certificate, resolve, T + 61_000)).rejects.toMatchObject({
      code: 'ERR_CERT_EXPIRED',
    })
    await expect(verifyKeyCertificate('not.a.jws', resolve, T)).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
    })
    await expect(
      certifier.certify({ sub: 'lars@digitalpost.dk', use: 'sig', jwk: device.publicJwk, now: T }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_(KEY_INVALID|UNSUPPORTED_ALGORITHM)$/),
    })
  })
})
