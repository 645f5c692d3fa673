import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair, toBase64Url, type KeyPair } from '@barid/core'
import { verifyLookupResult } from '../directory/lookup.js'
import { staticTrust, trustFromFederationFile, type KeyTrust } from '../trust/key-trust.js'
import { KEY_CERT_TYP, verifyKeyCertificate } from './key-certificate.js'

const NOW = Date.parse('2026-03-01T09:30:00Z')
const b64json = (v: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(v)))

/** Signs a compact JWS as a node's certifier does (spec 13.4), with overridable parts. */
async function certify(
  issuer: KeyPair,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const h = b64json({ alg: 'EdDSA', kid: issuer.kidBase64Url, typ: KEY_CERT_TYP, ...header })
  const p = b64json(claims)
  const sig = await crypto.subtle.sign(
    'Ed25519',
    issuer.privateKey,
    new TextEncoder().encode(`${h}.${p}`),
  )
  return `${h}.${p}.${toBase64Url(new Uint8Array(sig))}`
}

let dk: KeyPair
let eg: KeyPair
let larsEnc: KeyPair
let larsSig: KeyPair
let trust: KeyTrust
const lars = 'lars.jensen@digitalpost.dk'
const claimsFor = (k: KeyPair, use: 'enc' | 'sig', over: Record<string, unknown> = {}) => ({
  v: 1,
  iss: 'digitalpost.dk',
  sub: lars,
  use,
  kid: k.kidBase64Url,
  jwk: k.publicJwk,
  iat: Math.floor(NOW / 1000) - 60,
  exp: Math.floor(NOW / 1000) + 3600,
  ...over,
})

beforeAll(async () => {
  ;[dk, eg, larsEnc, larsSig] = await Promise.all([
    generateKeyPair('Ed25519'),
    generateKeyPair('Ed25519'),
    generateKeyPair('X25519'),
    generateKeyPair('Ed25519'),
  ])
  trust = staticTrust([
    { kid: dk.kidBase64Url, key: dk.publicKey, operator: 'digitalpost.dk', retiredAt: null },
    { kid: eg.kidBase64Url, key: eg.publicKey, operator: 'post.eg', retiredAt: null },
  ])
})

describe('verifyKeyCertificate', () => {
  it('accepts a key certified by the operator of the mailbox and returns it imported', async () => {
    const cert = await certify(dk, claimsFor(larsEnc, 'enc'))
    const k = await verifyKeyCertificate(cert, { trust, address: lars, use: 'enc', now: NOW })
    expect(k.kid).toBe(larsEnc.kidBase64Url)
    expect(k.handle.publicKey.algorithm.name).toBe('X25519')
  })

  it('refuses a certification with any character of its payload or signature changed', async () => {
    const cert = await certify(dk, claimsFor(larsEnc, 'enc'))
    const start = cert.indexOf('.') + 1
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: start, max: cert.length - 1 }),
        fc.constantFrom('A', 'B', '-', '_', 'z'),
        async (i, ch) => {
          fc.pre(cert[i] !== ch && cert[i] !== '.')
          const bad = cert.slice(0, i) + ch + cert.slice(i + 1)
          const err = await verifyKeyCertificate(bad, {
            trust,
            address: lars,
            use: 'enc',
            now: NOW,
          }).catch((e: unknown) => e)
          expect(err).toMatchObject({
            code: expect.stringMatching(/^ERR_(SIGNATURE_INVALID|CERT_MALFORMED)$/),
          })
        },
      ),
      { numRuns: 40 },
    )
  })

  it('refuses a certification by an operator the client does not trust', async () => {
    const stranger = await generateKeyPair('Ed25519')
    const cert = await certify(stranger, claimsFor(larsEnc, 'enc'))
    await expect(
      verifyKeyCertificate(cert, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
  })

  it('refuses a Danish mailbox key certified by Egypt Post', async () => {
    const cert = await certify(eg, claimsFor(larsEnc, 'enc', { iss: 'post.eg' }))
    await expect(
      verifyKeyCertificate(cert, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_OPERATOR_MISMATCH' })
    const lying = await certify(eg, claimsFor(larsEnc, 'enc'))
    await expect(
      verifyKeyCertificate(lying, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_OPERATOR_MISMATCH' })
  })

  it('refuses a certification for another mailbox, use or key', async () => {
    const other = await certify(dk, claimsFor(larsEnc, 'enc', { sub: 'mette@digitalpost.dk' }))
    await expect(
      verifyKeyCertificate(other, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_OPERATOR_MISMATCH' })
    const sig = await certify(dk, claimsFor(larsSig, 'sig'))
    await expect(
      verifyKeyCertificate(sig, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    const kid = await certify(dk, claimsFor(larsEnc, 'enc', { kid: larsSig.kidBase64Url }))
    await expect(
      verifyKeyCertificate(kid, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it('refuses an expired certification and one issued in the future', async () => {
    const old = await certify(dk, claimsFor(larsEnc, 'enc', { exp: Math.floor(NOW / 1000) - 1 }))
    await expect(
      verifyKeyCertificate(old, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_EXPIRED' })
    const future = await certify(
      dk,
      claimsFor(larsEnc, 'enc', { iat: Math.floor(NOW / 1000) + 3000 }),
    )
    await expect(
      verifyKeyCertificate(future, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_NOT_YET_VALID' })
  })

  it('refuses another alg, another typ, a crit header, and non-JWS input', async () => {
    const claims = claimsFor(larsEnc, 'enc')
    const none = await certify(dk, claims, { alg: 'none' })
    await expect(
      verifyKeyCertificate(none, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM' })
    const typ = await certify(dk, claims, { typ: 'JWT' })
    await expect(
      verifyKeyCertificate(typ, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_MALFORMED' })
    const crit = await certify(dk, claims, { crit: ['exp'] })
    await expect(
      verifyKeyCertificate(crit, { trust, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_MALFORMED' })
    for (const junk of [42, null, 'a.b', 'x'.repeat(70_000)]) {
      await expect(
        verifyKeyCertificate(junk, { trust, address: lars, use: 'enc', now: NOW }),
      ).rejects.toMatchObject({ code: 'ERR_CERT_MALFORMED' })
    }
  })

  it('refuses a certification issued after its issuer key was retired', async () => {
    const retired = staticTrust([
      {
        kid: dk.kidBase64Url,
        key: dk.publicKey,
        operator: 'digitalpost.dk',
        retiredAt: NOW - 3600_000,
      },
    ])
    const cert = await certify(dk, claimsFor(larsEnc, 'enc'))
    await expect(
      verifyKeyCertificate(cert, { trust: retired, address: lars, use: 'enc', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_RETIRED' })
  })
})

describe('verifyLookupResult', () => {
  it('returns the certified keys of an active mailbox, newest first', async () => {
    const newer = await generateKeyPair('X25519')
    const keys = [
      {
        kid: larsEnc.kidBase64Url,
        use: 'enc',
        jwk: larsEnc.publicJwk,
        certificate: await certify(dk, claimsFor(larsEnc, 'enc')),
      },
      {
        kid: newer.kidBase64Url,
        use: 'enc',
        jwk: newer.publicJwk,
        certificate: await certify(
          dk,
          claimsFor(newer, 'enc', { iat: Math.floor(NOW / 1000) - 10 }),
        ),
      },
      {
        kid: larsSig.kidBase64Url,
        use: 'sig',
        jwk: larsSig.publicJwk,
        certificate: await certify(dk, claimsFor(larsSig, 'sig')),
      },
    ]
    const r = await verifyLookupResult(
      { status: 'active', address: lars, operator: 'digitalpost.dk', keys },
      { trust, now: NOW },
    )
    if (r.status !== 'active') throw new Error('expected active')
    expect(r.encryptionKeys.map((k) => k.kid)).toEqual([newer.kidBase64Url, larsEnc.kidBase64Url])
    expect(r.signingKeys.map((k) => k.kid)).toEqual([larsSig.kidBase64Url])
  })

  it('fails the whole lookup when one certification fails', async () => {
    const keys = [
      {
        kid: larsEnc.kidBase64Url,
        use: 'enc',
        certificate: await certify(dk, claimsFor(larsEnc, 'enc')),
      },
      {
        kid: larsSig.kidBase64Url,
        use: 'sig',
        certificate: await certify(eg, claimsFor(larsSig, 'sig')),
      },
    ]
    await expect(
      verifyLookupResult(
        { status: 'active', address: lars, operator: 'digitalpost.dk', keys },
        { trust, now: NOW },
      ),
    ).rejects.toMatchObject({ code: 'ERR_CERT_OPERATOR_MISMATCH' })
  })

  it('passes exempt and unknown through, and refuses an answer for another address', async () => {
    expect(
      await verifyLookupResult({ status: 'exempt', operator: 'digitalpost.dk' }, { trust }),
    ).toEqual({ status: 'exempt', operator: 'digitalpost.dk' })
    expect(await verifyLookupResult({ status: 'unknown', operator: null }, { trust })).toEqual({
      status: 'unknown',
      operator: null,
    })
    await expect(
      verifyLookupResult(
        { status: 'active', address: lars, keys: [] },
        { trust, query: { address: 'mette@digitalpost.dk' } },
      ),
    ).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
  })
})

describe('trustFromFederationFile', () => {
  it('trusts the evidence keys of active operators only', async () => {
    const file = {
      version: 1,
      operators: [
        {
          operator: 'digitalpost.dk',
          status: 'active',
          keys: [
            { use: 'request-signing', jwk: eg.publicJwk },
            { use: 'evidence-signing', jwk: dk.publicJwk },
          ],
        },
        {
          operator: 'post.eg',
          status: 'suspended',
          keys: [{ use: 'evidence-signing', jwk: eg.publicJwk }],
        },
      ],
    }
    const t = await trustFromFederationFile(file)
    expect((await t.evidenceKey(dk.kidBase64Url))?.operator).toBe('digitalpost.dk')
    expect(await t.evidenceKey(eg.kidBase64Url)).toBeUndefined()
  })
})
