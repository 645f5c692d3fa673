import { describe, expect, it } from 'vitest'
import { createEvidence } from '../evidence/create.js'
import { newLetterId } from '../letter/letter-id.js'
import {
  DAY,
  T0,
  cose,
  fakeFetch,
  federation,
  makeNode,
  operatorEntry,
  signedList,
} from '../../test/trust-fixtures.js'
import { DiscoveryClient } from './discovery-client.js'
import { createDiscoveryDocument } from './discovery-document.js'
import { createEvidenceBundle, readEvidenceBundle } from './evidence-bundle.js'
import { verifyEvidenceWithTrust } from './evidence-trust.js'
import { RevocationCache } from './revocation-cache.js'
import { createRevocationList } from './revocation-list.js'
import { TrustStore } from './trust-store.js'
import { verifyTrustList } from './trust-list.js'
import type { StatusEntry } from './types.js'
import { codeOf } from '../../test/code-of.js'

const WITHDRAWN = T0 + 3600
const digest = new Uint8Array(32).fill(7)

async function setup(egStatus: StatusEntry[] = [{ state: 'active', from: T0 - DAY }], now = T0) {
  const f = await federation()
  const list = await verifyTrustList(
    await signedList(f, f.governance, {
      operators: [operatorEntry(f.eg, { status: egStatus }), operatorEntry(f.dk)],
    }),
    { governanceKeys: [f.governance.publicJwk], now: T0 },
  )
  let clock = now
  const store = await TrustStore.open(list, { now: () => clock })
  const setNow = (t: number) => (clock = t)
  const letterId = newLetterId(T0 * 1000)
  const record = (time: number, keys = f.eg.nodeKeys, prev?: Uint8Array) =>
    createEvidence({
      type: 'submission-accepted',
      letterId,
      letterDigest: digest,
      issuer: 'post.eg',
      time: time * 1000,
      key: keys,
      ...(prev ? { prev } : {}),
    })
  return { f, store, record, letterId, setNow }
}

describe('evidence against the trust list', () => {
  it('verifies a cross-border trail, each record at its own time and for its own issuer', async () => {
    const { f, store, record, letterId } = await setup()
    const first = await record(T0)
    const relayed = await createEvidence({
      type: 'relay-accepted',
      letterId,
      letterDigest: digest,
      issuer: 'digitalpost.dk',
      time: (T0 + 5) * 1000,
      prev: first.digest,
      key: f.dk.nodeKeys,
    })
    const trail = await verifyEvidenceWithTrust([first.bytes, relayed.bytes], {
      store,
      keys: { certificates: [f.eg.node.der, f.dk.node.der] },
    })
    expect(trail.map((t) => [t.peer.operator.id, t.signedAt])).toEqual([
      ['post.eg', T0],
      ['digitalpost.dk', T0 + 5],
    ])
  })

  it('keeps verifying evidence a withdrawn operator signed before withdrawal, and refuses what it signed after', async () => {
    const { f, store, record, setNow } = await setup(
      [
        { state: 'active', from: T0 - DAY },
        { state: 'withdrawn', from: WITHDRAWN },
      ],
      WITHDRAWN + 60,
    )
    const keys = { certificates: [f.eg.node.der] }
    // New traffic (a letter, a request) from the withdrawn operator is refused.
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_OPERATOR_WITHDRAWN',
    )
    const before = await record(WITHDRAWN - 1)
    const after = await record(WITHDRAWN + 1)
    expect(await codeOf(verifyEvidenceWithTrust([before.bytes], { store, keys }))).toBe('accepted')
    expect(await codeOf(verifyEvidenceWithTrust([after.bytes], { store, keys }))).toBe(
      'ERR_OPERATOR_WITHDRAWN',
    )
    // An auditor a month later, with the list long past next-update, reaches the same verdicts.
    setNow(WITHDRAWN + 30 * DAY)
    expect(await codeOf(verifyEvidenceWithTrust([before.bytes], { store, keys }))).toBe('accepted')
    expect(await codeOf(verifyEvidenceWithTrust([after.bytes], { store, keys }))).toBe(
      'ERR_OPERATOR_WITHDRAWN',
    )
  })

  it('refuses a record signed after its key was revoked for compromise, and accepts one before', async () => {
    const { f, store: plain, record } = await setup()
    const list = plain.list
    const compromised = T0 + 100
    const crl = await createRevocationList(
      {
        operator: 'post.eg',
        sequence: 1,
        issued: T0 + 200,
        nextUpdate: T0 + DAY,
        revoked: [{ serial: f.eg.node.serialNumber, at: compromised, reason: 'key-compromise' }],
      },
      f.eg.caKeys,
    )
    const revocation = new RevocationCache({ now: () => T0 + 300 })
    await revocation.install(crl, { operator: 'post.eg', cas: [f.eg.ca] })
    const store = await TrustStore.open(list, { now: () => T0 + 300, revocation })
    const keys = { certificates: [f.eg.node.der] }
    expect(
      await codeOf(
        verifyEvidenceWithTrust([(await record(compromised - 1)).bytes], { store, keys }),
      ),
    ).toBe('accepted')
    expect(
      await codeOf(verifyEvidenceWithTrust([(await record(compromised)).bytes], { store, keys })),
    ).toBe('ERR_CERT_REVOKED')
  })

  it('refuses a record dated more than the clock skew after the verification time as ERR_EVIDENCE_TIME_INVALID', async () => {
    const { f, store, record, setNow } = await setup()
    const keys = { certificates: [f.eg.node.der] }
    const verify = async (time: number) =>
      codeOf(verifyEvidenceWithTrust([(await record(time)).bytes], { store, keys }))
    // Clocks may disagree by 300 s (spec 16.4.3); a record from further ahead was not made yet.
    expect(await verify(T0 + 300)).toBe('accepted')
    expect(await verify(T0 + 301)).toBe('ERR_EVIDENCE_TIME_INVALID')
    await expect(
      verifyEvidenceWithTrust([(await record(T0 + DAY)).bytes], { store, keys }),
    ).rejects.toMatchObject({ details: { time: T0 + DAY, now: T0 } })
    // The same record verifies once its time has come.
    setNow(T0 + DAY)
    expect(await verify(T0 + DAY)).toBe('accepted')
  })

  it('refuses a record whose signer certificate is not supplied, or names another operator than the record', async () => {
    const { f, store, record } = await setup()
    const r = await record(T0)
    expect(
      await codeOf(
        verifyEvidenceWithTrust([r.bytes], { store, keys: { certificates: [f.dk.node.der] } }),
      ),
    ).toBe('ERR_KEY_NOT_FOUND')
    const lying = await createEvidence({
      type: 'submission-accepted',
      letterId: newLetterId(T0 * 1000),
      letterDigest: digest,
      issuer: 'digitalpost.dk',
      time: T0 * 1000,
      key: f.eg.nodeKeys,
    })
    expect(
      await codeOf(
        verifyEvidenceWithTrust([lying.bytes], { store, keys: { certificates: [f.eg.node.der] } }),
      ),
    ).toBe('ERR_EVIDENCE_ISSUER_MISMATCH')
  })

  it('refuses a record signed with a key after the node retired it (rotation), online through discovery', async () => {
    const { f, store, record } = await setup()
    const next = await makeNode(f.eg.ca, f.eg.caKeys)
    const retired = T0 + 50
    const doc = await createDiscoveryDocument(
      {
        operator: 'post.eg',
        issued: T0 + 50,
        expires: T0 + DAY,
        keys: [{ certificate: next.node.der }, { certificate: f.eg.node.der, retired }],
      },
      { keyPair: next.nodeKeys, certificate: next.node.der },
    )
    const discovery = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ 'https://barid.post.eg/.well-known/barid-node': () => cose(doc) }).fetch,
      now: () => T0 + 60,
    })
    const keys = { discovery, operator: 'post.eg' }
    expect(
      await codeOf(verifyEvidenceWithTrust([(await record(retired - 1)).bytes], { store, keys })),
    ).toBe('accepted')
    expect(
      await codeOf(verifyEvidenceWithTrust([(await record(retired)).bytes], { store, keys })),
    ).toBe('ERR_KEY_RETIRED')
    expect(
      await codeOf(
        verifyEvidenceWithTrust([(await record(retired + 5, next.nodeKeys)).bytes], {
          store,
          keys,
        }),
      ),
    ).toBe('accepted')
  })

  it('refuses offline a bundled record signed with a key after the retirement the bundle gives', async () => {
    // Verified a day later, as an auditor would: the records an hour ahead are not in the future.
    const { f, store, record } = await setup(undefined, T0 + DAY)
    const next = await makeNode(f.eg.ca, f.eg.caKeys)
    const retired = T0 + 50
    const offline = async (time: number, signer = f.eg.nodeKeys) => {
      const bytes = createEvidenceBundle({
        records: [(await record(time, signer)).bytes],
        certificates: [next.node.der, f.eg.node.der],
        revocationLists: [],
        retiredKeys: [{ kid: f.eg.nodeKeys.kid, retired }],
      })
      const bundle = readEvidenceBundle(bytes)
      return codeOf(
        verifyEvidenceWithTrust(bundle.records, {
          store,
          keys: { certificates: bundle.certificates, retiredKeys: bundle.retiredKeys },
        }),
      )
    }
    expect(await offline(retired - 1)).toBe('accepted')
    expect(await offline(retired)).toBe('ERR_KEY_RETIRED')
    expect(await offline(retired + 3600)).toBe('ERR_KEY_RETIRED')
    expect(await offline(retired + 5, next.nodeKeys)).toBe('accepted')
    // A bundle without retirement times (made before the field existed): nothing is retired.
    const legacy = readEvidenceBundle(
      createEvidenceBundle({
        records: [(await record(retired + 3600)).bytes],
        certificates: [f.eg.node.der],
        revocationLists: [],
      }),
    )
    expect(legacy.retiredKeys).toBeUndefined()
    expect(
      await codeOf(
        verifyEvidenceWithTrust(legacy.records, {
          store,
          keys: { certificates: legacy.certificates, retiredKeys: legacy.retiredKeys },
        }),
      ),
    ).toBe('accepted')
  })

  it('round-trips an evidence bundle and refuses a malformed one', async () => {
    const { f, record } = await setup()
    const r = await record(T0)
    const bundle = createEvidenceBundle({
      records: [r.bytes],
      certificates: [f.eg.node.der],
      revocationLists: [],
    })
    expect(readEvidenceBundle(bundle).certificates[0]).toEqual(f.eg.node.der)
    expect(() => readEvidenceBundle(bundle.subarray(0, bundle.length - 1))).toThrowError(
      expect.objectContaining({ code: 'ERR_EVIDENCE_BUNDLE_MALFORMED' }),
    )
    expect(() =>
      createEvidenceBundle({ records: [], certificates: [], revocationLists: [] }),
    ).toThrowError(expect.objectContaining({ code: 'ERR_EVIDENCE_BUNDLE_MALFORMED' }))
  })
})
