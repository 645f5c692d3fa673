import fc from 'fast-check'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createEvidence, newLetterId, toBase64Url } from '@barid/core'
import {
  T0,
  federation,
  signedList,
  type TestFederation,
} from '../../../core/test/trust-fixtures.js'
import { createCitizenClient } from '../citizen/citizen-client.js'
import { verifyLookupResult } from '../directory/lookup.js'
import { verifyTrail } from '../evidence/trail.js'
import { verifyKeyCertificate } from '../keys/key-certificate.js'
import { generatePartyKeys, type PartyKeys } from '../keys/party-keys.js'
import { createSenderClient } from '../sender/sender-client.js'
import type { LetterStatus } from '../types.js'
import { trustFromTrustList, type KeyTrust } from './key-trust.js'

const NOW = (T0 + 3600) * 1000
let f: TestFederation
let list: Uint8Array
let keys: PartyKeys
let status: LetterStatus

// What plain JavaScript allows: the builder's Promise where the KeyTrust is due.
const unawaited = (bytes: Uint8Array) =>
  trustFromTrustList(bytes, {
    governanceKeys: [f.governance.publicJwk],
    now: () => NOW,
    revocation: false,
  }) as unknown as KeyTrust

const sender = (trust: unknown) =>
  createSenderClient({
    baseUrl: 'http://127.0.0.1:1',
    apiKey: 'barid_sk_test',
    signingKey: keys.signing,
    encryptionKey: keys.encryption,
    trust: trust as KeyTrust,
  })

const citizen = (trust: unknown) =>
  createCitizenClient({ baseUrl: 'http://127.0.0.1:1', token: 't', keys, trust: trust as KeyTrust })

const refusal = { code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/await/) }

let unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => void unhandled.push(reason)
beforeEach(() => {
  unhandled = []
  process.on('unhandledRejection', onUnhandled)
})
afterEach(() => void process.off('unhandledRejection', onUnhandled))

beforeAll(async () => {
  f = await federation()
  list = await signedList(f)
  keys = await generatePartyKeys()
  const evidence = await createEvidence({
    letterId: newLetterId(NOW),
    letterDigest: new Uint8Array(32),
    time: T0,
    type: 'submission-accepted',
    issuer: 'post.eg',
    key: f.eg.nodeKeys,
  })
  status = {
    letterId: 'x',
    digest: 'ab',
    duplicate: false,
    recipients: [],
    evidence: [toBase64Url(evidence.bytes)],
  }
})

describe('a trust list Promise passed where a KeyTrust is due', () => {
  it('is refused at once by both clients with ERR_INVALID_ARGUMENT, saying to await it', async () => {
    const trust = unawaited(list)
    expect(() => sender(trust)).toThrow(expect.objectContaining(refusal))
    expect(() => citizen(trust)).toThrow(expect.objectContaining(refusal))
    // The same trust, awaited, is taken.
    const awaited = await trust
    expect(sender(awaited).baseUrl).toBe('http://127.0.0.1:1')
    expect(citizen(awaited).baseUrl).toBe('http://127.0.0.1:1')
  })

  it('is refused without an unhandled rejection when the list bytes do not verify either', async () => {
    expect(() => citizen(unawaited(new Uint8Array([1, 2, 3])))).toThrow(
      expect.objectContaining(refusal),
    )
    expect(() => sender(unawaited(new Uint8Array([0xa0])))).toThrow(
      expect.objectContaining(refusal),
    )
    await new Promise((r) => setTimeout(r, 50))
    expect(unhandled).toEqual([])
  })

  it('is refused by verifyTrail, verifyKeyCertificate and verifyLookupResult with ERR_INVALID_ARGUMENT, not ERR_INTERNAL', async () => {
    await expect(verifyTrail(status, unawaited(list))).rejects.toMatchObject(refusal)
    await expect(
      verifyKeyCertificate('AAAA', {
        trust: unawaited(list),
        address: 'lars.jensen@digitalpost.dk',
        use: 'enc',
      }),
    ).rejects.toMatchObject(refusal)
    await expect(
      verifyLookupResult({ status: 'unknown', operator: null }, { trust: unawaited(list) }),
    ).rejects.toMatchObject(refusal)
  })

  it('is refused, like any other value that is not a KeyTrust, with a typed error and never a crash', async () => {
    const values = fc.oneof(
      fc.anything(),
      fc.anything().map((v) => Promise.resolve(v)),
      fc.anything().map((v) => Promise.reject(v)),
      fc.anything().map((v) => ({ then: (res: (x: unknown) => void) => res(v) })),
    )
    fc.assert(
      fc.property(
        values.filter((v) => v !== undefined),
        fc.boolean(),
        (v, asSender) => {
          try {
            if (asSender) sender(v)
            else citizen(v)
          } catch (e) {
            expect(e).toMatchObject({ name: 'BaridError', code: 'ERR_INVALID_ARGUMENT' })
            return
          }
          throw new Error('accepted a value that is not a KeyTrust')
        },
      ),
      { numRuns: 300 },
    )
    await new Promise((r) => setTimeout(r, 50))
    expect(unhandled).toEqual([])
  })
})
