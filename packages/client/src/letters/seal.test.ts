import { beforeAll, describe, expect, it } from 'vitest'
import {
  createCertificate,
  generateKeyPair,
  inspectLetter,
  toBase64Url,
  type KeyPair,
} from '@barid/core'
import { DAY, T0, federation, signedList } from '../../../core/test/trust-fixtures.js'
import { verifyLookupResult } from '../directory/lookup.js'
import { generatePartyKeys } from '../keys/party-keys.js'
import { trustFromTrustList, type KeyTrust } from '../trust/key-trust.js'
import { requireActive, sealOutgoing } from './seal.js'

const NOW = (T0 + 3600) * 1000
const karen = 'karen.holm@digitalpost.dk'
let f: Awaited<ReturnType<typeof federation>>
let trust: KeyTrust

/** An encryption key certificate for Karen's mailbox, valid from `notBefore` (seconds). */
async function certify(key: KeyPair, notBefore: number): Promise<string> {
  const cert = await createCertificate({
    role: 'mailbox-encryption',
    subjectName: { commonName: karen },
    publicKey: key.publicKey,
    issuer: { certificate: f.dk.ca, privateKey: f.dk.caKeys.privateKey },
    mailbox: karen,
    notBefore: new Date(notBefore * 1000),
    notAfter: new Date((T0 + 300 * DAY) * 1000),
  })
  return toBase64Url(cert.der)
}

beforeAll(async () => {
  f = await federation()
  trust = await trustFromTrustList(await signedList(f), {
    governanceKeys: [f.governance.publicJwk],
    now: () => NOW,
    revocation: false,
  })
})

describe('the keys a letter is sealed to (spec 13.4)', () => {
  it('are the first four encryption keys the directory lists, whatever their certificate times', async () => {
    // Five devices, listed newest registration first. The last listed (the oldest) carries the
    // latest notBefore, as a node whose clock stepped back would issue it: the order decides.
    const devices = await Promise.all([1, 2, 3, 4, 5].map(() => generateKeyPair('X25519')))
    const keys = await Promise.all(
      devices.map(async (d, i) => ({
        kid: d.kidBase64Url,
        use: 'enc',
        certificate: await certify(d, i === 4 ? T0 : T0 - DAY),
      })),
    )
    const lookup = await verifyLookupResult(
      { status: 'active', address: karen, operator: 'digitalpost.dk', keys },
      { trust, now: NOW },
    )
    const sender = await generatePartyKeys()
    const sealed = await sealOutgoing({
      sender: { address: 'tax@post.eg', keys: sender },
      recipients: [requireActive(lookup, karen)],
      content: { body: 'Hello' },
      lang: 'en',
      now: NOW,
    })
    const inspected = await inspectLetter(sealed.bytes, {
      resolveSenderKey: async () => sender.signing.publicKey,
      now: NOW,
    })
    expect(inspected.recipientKids.map((k) => toBase64Url(k))).toEqual([
      ...devices.slice(0, 4).map((d) => d.kidBase64Url),
      sender.encryption.kidBase64Url,
    ])
  })

  it('are refused as ERR_KEY_NOT_FOUND for an active mailbox with none', async () => {
    const lookup = await verifyLookupResult(
      { status: 'active', address: karen, operator: 'digitalpost.dk', keys: [] },
      { trust, now: NOW },
    )
    expect(() => requireActive(lookup, karen)).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }),
    )
  })
})
