import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '../keys/index.js'
import { createCertificate } from '../x509/create.js'
import {
  DAY,
  T0,
  federation,
  makeCa,
  makeNode,
  operatorEntry,
  signedList,
} from '../../test/trust-fixtures.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import { parseCertificate } from '../x509/parse.js'
import type { RevocationChecker } from './revocation-checker.js'
import { TrustStore } from './trust-store.js'
import { verifyTrustList } from './trust-list.js'
import type { OperatorEntry, StatusEntry } from './types.js'
import { codeOf } from '../../test/code-of.js'


async function storeWith(
  operators: (f: Awaited<ReturnType<typeof federation>>) => OperatorEntry[],
  options: { now?: number; revocation?: RevocationChecker } = {},
) {
  const f = await federation()
  const bytes = await signedList(f, f.governance, { operators: operators(f) })
  const list = await verifyTrustList(bytes, { governanceKeys: [f.governance.publicJwk], now: T0 })
  let now = options.now ?? T0
  const store = await TrustStore.open(list, {
    now: () => now,
    ...(options.revocation ? { revocation: options.revocation } : {}),
  })
  return { f, store, setNow: (t: number) => (now = t) }
}

const WITHDRAWN_AT = T0 + 10 * 60

describe('TrustStore', () => {
  it('accepts a node certificate of an active operator for that operator', async () => {
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg), operatorEntry(f.dk)])
    const peer = await store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })
    expect(peer.operator.id).toBe('post.eg')
    expect(peer.ca.der).toEqual(f.eg.ca.der)
    expect(peer.cached).toBe(false)
    expect((await store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })).cached).toBe(
      true,
    )
  })

  it('shares one cache entry between the DER and the parsed form of a certificate, and keeps a parsed one apart from one issued for another operator', async () => {
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg), operatorEntry(f.dk)])
    const parsed = await parseCertificate(f.eg.node.der)
    expect((await store.validatePeerChain(parsed, { operator: 'post.eg' })).cached).toBe(false)
    expect((await store.validatePeerChain(parsed, { operator: 'post.eg' })).cached).toBe(true)
    expect((await store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })).cached).toBe(
      true,
    )
    const other = await parseCertificate(f.dk.node.der)
    const dk = await store.validatePeerChain(other, { operator: 'digitalpost.dk' })
    expect([dk.cached, dk.operator.id]).toEqual([false, 'digitalpost.dk'])
    expect(await codeOf(store.validatePeerChain(other, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_OPERATOR_MISMATCH',
    )
  })

  it('refuses a certificate presented for another operator than the one it names', async () => {
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg), operatorEntry(f.dk)])
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'digitalpost.dk' })),
    ).toBe('ERR_CERT_OPERATOR_MISMATCH')
  })

  it('refuses a certificate from a CA outside the federation that claims a member operator', async () => {
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg)])
    expect(await codeOf(store.validatePeerChain(f.rogue.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_UNTRUSTED',
    )
  })

  it('refuses a certificate of another role than the one asked, with the profile code', async () => {
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg)])
    const sender = await generateKeyPair('Ed25519')
    const cert = await createCertificate({
      role: 'mailbox-signing',
      subjectName: { commonName: 'Ministry' },
      publicKey: sender.publicKey,
      issuer: { certificate: f.eg.ca, privateKey: f.eg.caKeys.privateKey },
      mailbox: 'ministry@post.eg',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2026-12-31T00:00:00Z'),
    })
    expect(cert.operatorId).toBe('post.eg')
    const code = await codeOf(
      store.validatePeerChain(cert.der, { operator: 'post.eg', role: 'node' }),
    )
    expect(['ERR_CERT_EXT_KEY_USAGE', 'ERR_CERT_PROFILE']).toContain(code)
    expect(
      await codeOf(
        store.validatePeerChain(cert.der, { operator: 'post.eg', role: 'mailbox-signing' }),
      ),
    ).toBe('accepted')
  })

  it('refuses an operator that is not listed, or not yet admitted at the time asked', async () => {
    const { f, store } = await storeWith((f) => [
      operatorEntry(f.eg, { status: [{ state: 'active', from: T0 + DAY }] }),
    ])
    expect(
      await codeOf(store.validatePeerChain(f.dk.node.der, { operator: 'digitalpost.dk' })),
    ).toBe('ERR_OPERATOR_UNKNOWN')
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_OPERATOR_UNKNOWN',
    )
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: T0 + DAY })),
    ).toBe('accepted')
  })

  it('refuses new traffic from a withdrawn operator while what it signed before withdrawal still verifies', async () => {
    const { f, store, setNow } = await storeWith((f) => [
      operatorEntry(f.eg, {
        status: [
          { state: 'active', from: T0 - DAY },
          { state: 'withdrawn', from: WITHDRAWN_AT },
        ],
      }),
    ])
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'accepted',
    )
    setNow(WITHDRAWN_AT + 60)
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_OPERATOR_WITHDRAWN',
    )
    expect(
      await codeOf(
        store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: WITHDRAWN_AT - 1 }),
      ),
    ).toBe('accepted')
    expect(
      await codeOf(
        store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: WITHDRAWN_AT }),
      ),
    ).toBe('ERR_OPERATOR_WITHDRAWN')
  })

  it('refuses a suspended operator during its suspension only', async () => {
    const status: StatusEntry[] = [
      { state: 'active', from: T0 - DAY },
      { state: 'suspended', from: T0 + 100 },
      { state: 'active', from: T0 + 200 },
    ]
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg, { status })])
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: T0 + 150 })),
    ).toBe('ERR_OPERATOR_SUSPENDED')
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: T0 + 250 })),
    ).toBe('accepted')
  })

  it('answers the state at any time from the status history (property)', async () => {
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg)])
    const states = ['active', 'suspended', 'withdrawn'] as const
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(...states)), {
          maxLength: 6,
        }),
        fc.integer({ min: -10, max: 8000 }),
        async (steps, offset) => {
          const history: StatusEntry[] = [{ state: 'active', from: T0 }]
          for (const [gap, state] of steps) {
            const prev = history[history.length - 1]!
            if (state !== prev.state) history.push({ state, from: prev.from + gap })
          }
          const at = T0 + offset
          const expected =
            at < T0 ? 'unknown' : [...history].reverse().find((s) => s.from <= at)!.state
          const entry = operatorEntry(f.eg, { status: history })
          const local = await TrustStore.open(
            { ...store.list, operators: [entry] },
            { now: () => T0 },
          )
          expect(local.stateAt('post.eg', at)).toBe(expected)
          const code = await codeOf(() => local.assertActive('post.eg', { at }))
          const codes = {
            active: 'accepted',
            suspended: 'ERR_OPERATOR_SUSPENDED',
            withdrawn: 'ERR_OPERATOR_WITHDRAWN',
            unknown: 'ERR_OPERATOR_UNKNOWN',
          }
          expect(code).toBe(codes[expected])
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses signatures dated after the list retired the operator CA, not those before', async () => {
    const until = T0 + 500
    const { f, store } = await storeWith((f) => [
      operatorEntry(f.eg, { cas: [{ cert: f.eg.ca.der, until }] }),
    ])
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: until - 1 })),
    ).toBe('accepted')
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: until })),
    ).toBe('ERR_OPERATOR_CA_RETIRED')
  })

  it('accepts certificates from a new operator CA alongside the retired one (CA rotation)', async () => {
    const f = await federation()
    const next = await makeCa(f.root, f.rootKeys, 'post.eg')
    const node2 = await makeNode(next.ca, next.caKeys)
    const until = T0 + 500
    const { store } = await storeWith(() => [
      operatorEntry(f.eg, { cas: [{ cert: f.eg.ca.der, until }, { cert: next.ca.der }] }),
    ])
    expect(
      await codeOf(
        store.validatePeerChain(node2.node.der, { operator: 'post.eg', at: until + 10 }),
      ),
    ).toBe('accepted')
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: until + 10 })),
    ).toBe('ERR_OPERATOR_CA_RETIRED')
  })

  it('refuses a certificate outside its validity at the time asked', async () => {
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg)])
    const young = await makeNode(f.eg.ca, f.eg.caKeys, { notBefore: new Date((T0 + DAY) * 1000) })
    expect(await codeOf(store.validatePeerChain(young.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_NOT_YET_VALID',
    )
    // The cache must not carry a validation to a time outside the chain's validity.
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'accepted',
    )
    expect(
      await codeOf(
        store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: T0 + 400 * DAY }),
      ),
    ).toBe('ERR_CERT_EXPIRED')
  })

  it('consults the revocation checker on every call, cached or not, at the time asked', async () => {
    let revokedFrom: number | undefined
    const revocation: RevocationChecker = {
      status: async (_cert: ParsedCertificate, ctx) =>
        revokedFrom !== undefined && ctx.at >= revokedFrom ? 'revoked' : 'good',
    }
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg)], { revocation })
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'accepted',
    )
    revokedFrom = T0 - 10
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOKED',
    )
    expect(
      await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: T0 - 20 })),
    ).toBe('accepted')
    const fresh = await storeWith((f) => [operatorEntry(f.eg)], { revocation })
    expect(
      await codeOf(fresh.store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })),
    ).toBe('ERR_CERT_REVOKED')
  })

  it('refuses when the revocation status cannot be established', async () => {
    const revocation: RevocationChecker = { status: async () => 'unknown' }
    const { f, store } = await storeWith((f) => [operatorEntry(f.eg)], { revocation })
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
  })

  it('keeps working on a stale list for known peers, refuses first contact, and hard-fails past the maximum staleness', async () => {
    const { f, store, setNow } = await storeWith((f) => [operatorEntry(f.eg)])
    setNow(T0 + DAY + 60)
    expect(store.freshness().state).toBe('stale')
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'accepted',
    )
    expect(
      await codeOf(
        store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', firstContact: true }),
      ),
    ).toBe('ERR_TRUST_LIST_STALE')
    setNow(T0 + DAY + 72 * 3600)
    expect(store.freshness().state).toBe('expired')
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_TRUST_LIST_EXPIRED',
    )
    // An auditor checking old evidence offline does not depend on the list's freshness.
    expect(
      await codeOf(
        store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: T0, offline: true }),
      ),
    ).toBe('accepted')
  })

  it('updates to a newer list, refuses a rollback and keeps the held list', async () => {
    const { f, store, setNow } = await storeWith((f) => [operatorEntry(f.eg)])
    await store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })
    setNow(T0 + 100)
    const newer = await signedList(f, f.governance, {
      sequence: 2,
      issued: T0 + 100,
      nextUpdate: T0 + 100 + DAY,
      operators: [
        operatorEntry(f.eg, {
          status: [
            { state: 'active', from: T0 - DAY },
            { state: 'suspended', from: T0 + 100 },
          ],
        }),
      ],
    })
    expect((await store.update(newer)).changed).toBe(true)
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_OPERATOR_SUSPENDED',
    )
    const older = await signedList(f, f.governance, {
      sequence: 1,
      operators: [operatorEntry(f.eg)],
    })
    expect(await codeOf(store.update(older))).toBe('ERR_TRUST_LIST_ROLLBACK')
    expect(store.list.sequence).toBe(2)
    expect((await store.update(newer)).changed).toBe(false)
  })

  it('follows a governance key rollover through updates and then refuses the retired key', async () => {
    const f = await federation()
    const next = await generateKeyPair('Ed25519')
    const anchors = [f.governance.publicJwk]
    const first = await verifyTrustList(await signedList(f, f.governance), {
      governanceKeys: anchors,
      now: T0,
    })
    let now = T0
    const store = await TrustStore.open(first, { now: () => now, governanceKeys: anchors })
    now = T0 + 10
    const announce = await signedList(f, f.governance, { sequence: 2, issued: now, rollover: next })
    expect((await store.update(announce)).changed).toBe(true)
    now = T0 + 20
    const complete = await signedList(f, next, { sequence: 3, issued: now, governanceKeys: [next] })
    expect((await store.update(complete)).list.signer.kidBase64Url).toBe(next.kidBase64Url)
    now = T0 + 30
    const byOld = await signedList(f, f.governance, { sequence: 4, issued: now })
    expect(await codeOf(store.update(byOld))).toBe('ERR_TRUST_LIST_SIGNER_RETIRED')
    expect(store.list.sequence).toBe(3)
  })
})
