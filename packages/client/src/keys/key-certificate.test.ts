import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createCertificate,
  createRevocationList,
  createTrustList,
  generateKeyPair,
  revocationListUrl,
  toBase64Url,
  fromBase64Url,
  type KeyPair,
} from '@barid/core'
import {
  DAY,
  T0,
  cose,
  fakeFetch,
  federation,
  listInput,
  operatorEntry,
  signedList,
  type TestFederation,
  type TestOperator,
} from '../../../core/test/trust-fixtures.js'
import { verifyLookupResult } from '../directory/lookup.js'
import { trustFromTrustList, type KeyTrust } from '../trust/key-trust.js'
import { trustFromNode } from '../trust/node-trust.js'
import { verifyKeyCertificate } from './key-certificate.js'

const NOW = (T0 + 3600) * 1000
const lars = 'lars.jensen@digitalpost.dk'
let f: TestFederation
let trust: KeyTrust
let larsEnc: KeyPair
let larsSig: KeyPair

/** A mailbox certificate as a node issues it (spec 13.4), base64url DER. */
async function certify(
  op: Pick<TestOperator, 'ca' | 'caKeys'>,
  mailbox: string,
  key: KeyPair,
  use: 'enc' | 'sig',
  o: { notBefore?: number; notAfter?: number } = {},
): Promise<string> {
  const cert = await createCertificate({
    role: use === 'enc' ? 'mailbox-encryption' : 'mailbox-signing',
    subjectName: { commonName: mailbox },
    publicKey: key.publicKey,
    issuer: { certificate: op.ca, privateKey: op.caKeys.privateKey },
    mailbox,
    notBefore: new Date((o.notBefore ?? T0 - DAY) * 1000),
    notAfter: new Date((o.notAfter ?? T0 + 300 * DAY) * 1000),
  })
  return toBase64Url(cert.der)
}

const verify = (cert: unknown, use: 'enc' | 'sig' = 'enc', t: KeyTrust = trust) =>
  verifyKeyCertificate(cert, { trust: t, address: lars, use, now: NOW })

async function listTrust(
  list: Uint8Array,
  extra: Parameters<typeof trustFromTrustList>[1] | object = {},
) {
  return trustFromTrustList(list, {
    governanceKeys: [f.governance.publicJwk],
    now: () => NOW,
    revocation: false,
    ...extra,
  })
}

beforeAll(async () => {
  f = await federation()
  trust = await listTrust(await signedList(f))
  ;[larsEnc, larsSig] = await Promise.all([generateKeyPair('X25519'), generateKeyPair('Ed25519')])
})

describe('verifyKeyCertificate', () => {
  it("accepts a key certified by the mailbox's operator CA and returns it imported", async () => {
    const k = await verify(await certify(f.dk, lars, larsEnc, 'enc'))
    expect(k.kid).toBe(larsEnc.kidBase64Url)
    expect(k.handle.publicKey.algorithm.name).toBe('X25519')
    expect(k.parsed.role).toBe('mailbox-encryption')
  })

  it('refuses a certificate with any byte changed, with a typed error', async () => {
    const der = fromBase64Url(await certify(f.dk, lars, larsEnc, 'enc'))
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: der.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (i, x) => {
          const bad = der.slice()
          bad[i] = bad[i]! ^ x
          const err = await verify(toBase64Url(bad)).catch((e: unknown) => e)
          expect(err).toMatchObject({ code: expect.stringMatching(/^ERR_/) })
        },
      ),
      { numRuns: 40 },
    )
  })

  it('refuses a certificate from a CA outside the trust list, and one for another mailbox', async () => {
    await expect(
      verifyKeyCertificate(await certify(f.rogue, 'amina@post.eg', larsEnc, 'enc'), {
        trust,
        address: 'amina@post.eg',
        use: 'enc',
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_UNTRUSTED' })
    await expect(
      verify(await certify(f.dk, 'mette@digitalpost.dk', larsEnc, 'enc')),
    ).rejects.toMatchObject({ code: 'ERR_CERT_OPERATOR_MISMATCH' })
  })

  it('refuses a certificate for the other use, an expired one, and junk', async () => {
    await expect(verify(await certify(f.dk, lars, larsSig, 'sig'), 'enc')).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
    await expect(
      verify(await certify(f.dk, lars, larsEnc, 'enc', { notAfter: T0 + 60 })),
    ).rejects.toMatchObject({ code: 'ERR_CERT_EXPIRED' })
    for (const junk of [42, null, '', 'not base64!', toBase64Url(new Uint8Array([0x30, 0]))])
      await expect(verify(junk)).rejects.toMatchObject({ code: 'ERR_CERT_MALFORMED' })
  })

  it('refuses keys of a withdrawn or suspended operator', async () => {
    for (const state of ['withdrawn', 'suspended'] as const) {
      const t = await listTrust(
        await signedList(f, f.governance, {
          operators: [
            operatorEntry(f.eg),
            operatorEntry(f.dk, {
              status: [
                { state: 'active', from: T0 - DAY },
                { state, from: T0 },
              ],
            }),
          ],
        }),
      )
      await expect(
        verify(await certify(f.dk, lars, larsEnc, 'enc'), 'enc', t),
      ).rejects.toMatchObject({
        code: state === 'withdrawn' ? 'ERR_OPERATOR_WITHDRAWN' : 'ERR_OPERATOR_SUSPENDED',
      })
    }
  })

  it("refuses a certificate its operator revoked, from the operator's revocation list", async () => {
    const cert = await certify(f.dk, lars, larsEnc, 'enc')
    const { parseCertificate } = await import('@barid/core')
    const serial = (await parseCertificate(fromBase64Url(cert))).serialNumber
    const revocations = await createRevocationList(
      {
        operator: 'digitalpost.dk',
        sequence: 1,
        issued: T0,
        nextUpdate: T0 + 7 * DAY,
        revoked: [{ serial, at: T0, reason: 'key-compromise' }],
      },
      f.dk.caKeys,
    )
    const { fetch } = fakeFetch({
      [revocationListUrl('https://barid.digitalpost.dk/', f.dk.ca)]: () => cose(revocations),
    })
    const t = await trustFromTrustList(await signedList(f), {
      governanceKeys: [f.governance.publicJwk],
      now: () => NOW,
      fetch: fetch as never,
    })
    await expect(verify(cert, 'enc', t)).rejects.toMatchObject({ code: 'ERR_CERT_REVOKED' })
  })
})

describe('verifyLookupResult', () => {
  it('returns the certified keys of an active mailbox in the order of the answer, not of their certificate times', async () => {
    const newer = await generateKeyPair('X25519')
    const keys = [
      {
        kid: larsEnc.kidBase64Url,
        use: 'enc',
        certificate: await certify(f.dk, lars, larsEnc, 'enc'),
      },
      {
        kid: newer.kidBase64Url,
        use: 'enc',
        certificate: await certify(f.dk, lars, newer, 'enc', { notBefore: T0 }),
      },
      {
        kid: larsSig.kidBase64Url,
        use: 'sig',
        certificate: await certify(f.dk, lars, larsSig, 'sig'),
      },
    ]
    const r = await verifyLookupResult(
      { status: 'active', address: lars, operator: 'digitalpost.dk', keys },
      { trust, now: NOW },
    )
    if (r.status !== 'active') throw new Error('expected active')
    // The node lists keys newest registration first (spec 13.4); notBefore does not reorder them.
    expect(r.encryptionKeys.map((k) => k.kid)).toEqual([larsEnc.kidBase64Url, newer.kidBase64Url])
    expect(r.signingKeys.map((k) => k.kid)).toEqual([larsSig.kidBase64Url])
  })

  it('fails the whole lookup when one certificate fails', async () => {
    const keys = [
      {
        kid: larsEnc.kidBase64Url,
        use: 'enc',
        certificate: await certify(f.dk, lars, larsEnc, 'enc'),
      },
      {
        kid: larsSig.kidBase64Url,
        use: 'sig',
        certificate: await certify(f.rogue, 'x@post.eg', larsSig, 'sig'),
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

describe('trustFromNode', () => {
  it("takes the node's trust list, verified with given keys or with the keys its node names", async () => {
    const list = await signedList(f)
    const base = 'https://barid.digitalpost.dk'
    const self = { trust: { governanceKeys: [f.governance.publicJwk] } }
    const { fetch } = fakeFetch({
      [`${base}/.well-known/barid`]: () => Response.json(self),
      [`${base}/.well-known/barid-trust-list`]: () => cose(list),
    })
    const opts = { fetch: fetch as never, now: () => NOW, revocation: false }
    expect((await trustFromNode(base, opts).store()).list.sequence).toBe(1)
    const k = await verify(
      await certify(f.dk, lars, larsEnc, 'enc'),
      'enc',
      trustFromNode(base, opts),
    )
    expect(k.kid).toBe(larsEnc.kidBase64Url)
    const stranger = await generateKeyPair('Ed25519')
    await expect(
      trustFromNode(base, { ...opts, governanceKeys: [stranger.publicJwk] }).store(),
    ).rejects.toMatchObject({ code: 'ERR_TRUST_LIST_SIGNER_UNKNOWN' })
    // A list signed by another governance key is refused even if the node names that key.
    const other = await generateKeyPair('Ed25519')
    const forged = await createTrustList(listInput(f, { governanceKeys: [other] }), other)
    const { fetch: f2 } = fakeFetch({
      [`${base}/.well-known/barid-trust-list`]: () => cose(forged),
    })
    await expect(
      trustFromNode(base, {
        ...opts,
        fetch: f2 as never,
        governanceKeys: [f.governance.publicJwk],
      }).store(),
    ).rejects.toMatchObject({ code: 'ERR_TRUST_LIST_SIGNER_UNKNOWN' })
  })
})
