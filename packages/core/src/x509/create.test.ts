import { beforeAll, describe, expect, it } from 'vitest'
import { isBaridError } from '../errors.js'
import { generateKeyPair } from '../keys/index.js'
import { createCertificate, type CreateCertificateParams } from './create.js'
import { FIXTURE_TIME, makeFixturePki, type FixturePki } from './fixtures.js'
import { certificatePublicKey } from './signature.js'
import { validateChain } from './validate.js'
import { codeOf } from '../../test/code-of.js'

let pki: FixturePki
beforeAll(async () => {
  pki = await makeFixturePki()
})


function underCa(over: Partial<CreateCertificateParams>): Promise<unknown> {
  return createCertificate({
    role: 'node',
    subjectName: { commonName: 'node-2.post.eg' },
    publicKey: pki.keys.node.publicKey,
    issuer: { certificate: pki.operatorCa, privateKey: pki.keys.operatorCa.privateKey },
    notBefore: FIXTURE_TIME.start,
    notAfter: FIXTURE_TIME.leafEnd,
    ...over,
  } as CreateCertificateParams)
}

describe('createCertificate', () => {
  it('issues ECDSA P-256 chains that validate, with random serial numbers', async () => {
    const rootKeys = await generateKeyPair('ES256')
    const caKeys = await generateKeyPair('ES256')
    const senderKeys = await generateKeyPair('ES256')
    const common = { notBefore: FIXTURE_TIME.start, notAfter: FIXTURE_TIME.leafEnd }
    const root = await createCertificate({
      role: 'federation-root',
      subjectName: { commonName: 'P-256 Root' },
      publicKey: rootKeys.publicKey,
      privateKey: rootKeys.privateKey,
      issuer: 'self',
      ...common,
    })
    const ca = await createCertificate({
      role: 'operator-ca',
      subjectName: { commonName: 'Digital Post CA', country: 'DK' },
      publicKey: caKeys.publicKey,
      issuer: { certificate: root, privateKey: rootKeys.privateKey },
      operatorId: 'digitalpost.dk',
      ...common,
    })
    const sender = await createCertificate({
      role: 'mailbox-signing',
      subjectName: { commonName: 'Skattestyrelsen' },
      publicKey: senderKeys.publicKey,
      issuer: { certificate: ca, privateKey: caKeys.privateKey },
      mailbox: 'skat@digitalpost.dk',
      ...common,
    })
    expect(sender.signatureAlgorithm).toBe('ES256')
    expect(sender.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/)
    const result = await validateChain({
      leaf: sender,
      intermediates: [ca],
      anchors: [root],
      role: 'mailbox-signing',
      at: FIXTURE_TIME.at,
    })
    expect(result.leaf.mailbox).toBe('skat@digitalpost.dk')
  })

  it("gives a mailbox encryption certificate whose key agrees with the holder's private key", async () => {
    const peer = await generateKeyPair('X25519')
    const recipient = await certificatePublicKey(pki.mailboxEncryption)
    const a = await crypto.subtle.deriveBits(
      { name: 'X25519', public: recipient },
      peer.privateKey,
      256,
    )
    const b = await crypto.subtle.deriveBits(
      { name: 'X25519', public: peer.publicKey },
      pki.keys.mailbox.privateKey,
      256,
    )
    expect(new Uint8Array(a)).toEqual(new Uint8Array(b))
  })

  it('is deterministic with Ed25519 and fixed inputs', async () => {
    const again = await makeFixturePki()
    expect(again.mailboxSigning.der).toEqual(pki.mailboxSigning.der)
  })

  it.each([
    [
      'a lifetime over the profile maximum',
      /at most 731 days/,
      { notAfter: new Date('2027-01-03T00:00:00Z') },
    ],
    [
      "validity beyond the issuer's",
      /within the issuer's validity/,
      {
        role: 'operator-ca',
        publicKey: 'other',
        operatorId: 'post.eg',
        issuer: 'root',
        notBefore: new Date('2036-01-01T00:00:00Z'),
        notAfter: new Date('2045-06-01T00:00:00Z'),
      },
    ],
    ['an X25519 key in a node certificate', /cannot certify X25519 keys/, { publicKey: 'mailbox' }],
    [
      'an Ed25519 key in a mailbox encryption certificate',
      /cannot certify Ed25519 keys/,
      { role: 'mailbox-encryption', mailbox: 'a@post.eg' },
    ],
    [
      'a mailbox of another operator',
      /mailbox must belong/,
      { role: 'mailbox-signing', mailbox: 'a@digitalpost.dk', publicKey: 'sender' },
    ],
    ['a node of another operator', /operatorId must be/, { operatorId: 'digitalpost.dk' }],
    ['a leaf issued by the root', /must have role operator-ca/, { issuer: 'root' }],
    [
      'a self-signed operator CA',
      /cannot be self-signed/,
      { role: 'operator-ca', operatorId: 'post.eg', issuer: 'self', privateKey: 'node' },
    ],
  ])('refuses %s: ERR_CERT_PROFILE', async (_name, message, over) => {
    const o: Record<string, unknown> = { ...over }
    if (o.publicKey === 'mailbox') o.publicKey = pki.keys.mailbox.publicKey
    if (o.publicKey === 'sender') o.publicKey = pki.keys.sender.publicKey
    if (o.publicKey === 'other') o.publicKey = pki.keys.other.publicKey
    if (o.privateKey === 'node') o.privateKey = pki.keys.node.privateKey
    if (o.issuer === 'root')
      o.issuer = { certificate: pki.root, privateKey: pki.keys.root.privateKey }
    const err = await underCa(o).catch((e: unknown) => e)
    expect(isBaridError(err, 'ERR_CERT_PROFILE')).toBe(true)
    expect((err as Error).message).toMatch(message)
  })

  it('refuses a signing key that does not match the issuer certificate: ERR_KEY_INVALID', async () => {
    const issuer = { certificate: pki.operatorCa, privateKey: pki.keys.other.privateKey }
    expect(await codeOf(underCa({ issuer }))).toBe('ERR_KEY_INVALID')
  })

  it.each([
    ['an empty common name', { subjectName: { commonName: '' } }],
    ['a lower-case country', { subjectName: { commonName: 'x', country: 'eg' } }],
    ['a negative serial number', { serialNumber: '80' }],
    ['a serial number over 20 octets', { serialNumber: '01'.repeat(21) }],
    ['an invalid date', { notBefore: new Date(Number.NaN) }],
    ['a private key passed for an issued certificate', { privateKey: 'node' }],
    ['a mailbox in a node certificate', { mailbox: 'a@post.eg' }],
  ])('refuses %s: ERR_INVALID_ARGUMENT', async (_name, over) => {
    const o: Record<string, unknown> = { ...over }
    if (o.privateKey === 'node') o.privateKey = pki.keys.node.privateKey
    expect(await codeOf(underCa(o))).toBe('ERR_INVALID_ARGUMENT')
  })

  it('refuses a malformed operator id: ERR_ADDRESS_INVALID', async () => {
    expect(await codeOf(underCa({ operatorId: 'Post.EG' }))).toBe('ERR_ADDRESS_INVALID')
  })

  it('refuses an RSA signing key: ERR_UNSUPPORTED_ALGORITHM', async () => {
    const rsa = (await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      false,
      ['sign', 'verify'],
    )) as CryptoKeyPair
    const issuer = { certificate: pki.operatorCa, privateKey: rsa.privateKey }
    expect(await codeOf(underCa({ issuer }))).toBe('ERR_UNSUPPORTED_ALGORITHM')
  })
})
