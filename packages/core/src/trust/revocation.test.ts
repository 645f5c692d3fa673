import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toBase64Url, toHex } from '../bytes.js'
import {
  DAY,
  T0,
  cose,
  fakeFetch,
  federation,
  operatorEntry,
  signedList,
} from '../../test/trust-fixtures.js'
import { RevocationCache, revocationListUrl } from './revocation-cache.js'
import { createRevocationList, findRevoked, verifyRevocationList } from './revocation-list.js'
import { TrustStore } from './trust-store.js'
import { verifyTrustList } from './trust-list.js'
import { codeOf } from '../../test/code-of.js'

async function setup() {
  const f = await federation()
  const list = await verifyTrustList(
    await signedList(f, f.governance, { operators: [operatorEntry(f.eg), operatorEntry(f.dk)] }),
    {
      governanceKeys: [f.governance.publicJwk],
      now: T0,
    },
  )
  const compromisedAt = T0 - 600
  const crl = await createRevocationList(
    {
      operator: 'post.eg',
      sequence: 1,
      issued: T0 - 3600,
      nextUpdate: T0 + DAY,
      revoked: [{ serial: f.eg.node.serialNumber, at: compromisedAt, reason: 'key-compromise' }],
    },
    f.eg.caKeys,
  )
  const empty = await createRevocationList(
    { operator: 'post.eg', sequence: 1, issued: T0 - 3600, nextUpdate: T0 + DAY, revoked: [] },
    f.eg.caKeys,
  )
  const url = revocationListUrl('https://barid.post.eg/', f.eg.ca)
  return { f, list, crl, empty, url, compromisedAt }
}

describe('revocation list', () => {
  it('round-trips and finds revoked serials by binary search (property)', async () => {
    const f = await federation()
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 20 }).map(toHex), {
          maxLength: 30,
        }),
        async (serials) => {
          const bytes = await createRevocationList(
            {
              operator: 'post.eg',
              sequence: 3,
              issued: T0,
              nextUpdate: T0 + DAY,
              revoked: serials.map((serial) => ({ serial, at: T0, reason: 'superseded' as const })),
            },
            f.eg.caKeys,
          )
          const list = await verifyRevocationList(bytes, { operator: 'post.eg', cas: [f.eg.ca] })
          for (const s of serials) expect(findRevoked(list, s)?.serial).toBe(s)
          expect(findRevoked(list, 'ffffffffffffffffffffffffffffffffffffffffff')).toBeUndefined()
        },
      ),
      { numRuns: 15 },
    )
  })

  it("refuses a list signed by another operator's CA, or naming another operator", async () => {
    const { f, crl } = await setup()
    expect(
      await codeOf(verifyRevocationList(crl, { operator: 'digitalpost.dk', cas: [f.dk.ca] })),
    ).toBe('ERR_REVOCATION_LIST_UNTRUSTED')
    expect(
      await codeOf(verifyRevocationList(crl, { operator: 'digitalpost.dk', cas: [f.eg.ca] })),
    ).toBe('ERR_REVOCATION_LIST_UNTRUSTED')
  })

  it('refuses a list with any single byte changed', async () => {
    const { f, crl } = await setup()
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: crl.length - 1 }), async (i) => {
        const t = crl.slice()
        t[i] = (t[i] as number) ^ 0x40
        expect(
          await codeOf(verifyRevocationList(t, { operator: 'post.eg', cas: [f.eg.ca] })),
        ).not.toBe('accepted')
      }),
      { numRuns: 60 },
    )
  })
})

describe('RevocationCache with TrustStore', () => {
  it('refuses a revoked node certificate for signatures from its revocation time, and accepts earlier ones', async () => {
    const { f, list, crl, url, compromisedAt } = await setup()
    const { fetch } = fakeFetch({ [url]: () => cose(crl) })
    const revocation = new RevocationCache({ fetch, now: () => T0 })
    const store = await TrustStore.open(list, { now: () => T0, revocation })
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOKED',
    )
    expect(
      await codeOf(
        store.validatePeerChain(f.eg.node.der, { operator: 'post.eg', at: compromisedAt - 1 }),
      ),
    ).toBe('accepted')
  })

  it('hands each fetched list to onFetched, so a restarted verifier can install it without fetching', async () => {
    const { f, list, crl, url } = await setup()
    const { fetch } = fakeFetch({ [url]: () => cose(crl) })
    const kept: { bytes: Uint8Array; operator: string }[] = []
    const first = new RevocationCache({
      fetch,
      now: () => T0,
      onFetched: (bytes, _list, operator) => {
        kept.push({ bytes, operator })
        throw new Error('a failing copy must not fail the check')
      },
    })
    const store = await TrustStore.open(list, { now: () => T0, revocation: first })
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOKED',
    )
    expect(kept.map((k) => k.operator)).toEqual(['post.eg'])
    // After a restart, with the operator unreachable, the kept copy still answers.
    const restarted = new RevocationCache({ now: () => T0 })
    const store2 = await TrustStore.open(list, { now: () => T0, revocation: restarted })
    await restarted.install(kept[0]!.bytes, { operator: 'post.eg', cas: store2.casOf('post.eg') })
    expect(await codeOf(store2.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOKED',
    )
  })

  it('uses a held list until next-update without fetching, then a stale one within the bound without waiting', async () => {
    const { f, list, empty, url } = await setup()
    let now = T0
    let answer: () => Promise<Response> = async () => cose(empty)
    const { fetch, calls } = fakeFetch({ [url]: () => answer() })
    const revocation = new RevocationCache({
      fetch,
      now: () => now,
      maxStaleness: 3600,
      retryAfter: 60,
    })
    const store = await TrustStore.open(list, { now: () => now, revocation })
    await store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })
    await store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })
    expect(calls.length).toBe(1)
    // Past next-update the operator is unreachable (the request never answers): checks go on
    // with the held list and do not wait for the refresh.
    now = T0 + DAY + 10
    answer = () => new Promise<Response>(() => undefined)
    const started = Date.now()
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'accepted',
    )
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('fails fast with ERR_CERT_REVOCATION_UNAVAILABLE past the staleness bound when the operator is unreachable', async () => {
    const { f, list, empty, url } = await setup()
    let now = T0
    let reachable = true
    const { fetch, calls } = fakeFetch({
      [url]: () => (reachable ? cose(empty) : new Response('down', { status: 503 })),
    })
    const revocation = new RevocationCache({
      fetch,
      now: () => now,
      maxStaleness: 3600,
      retryAfter: 60,
      timeoutMs: 100,
    })
    const store = await TrustStore.open(list, {
      now: () => now,
      revocation,
      maxStaleness: 10 * DAY,
    })
    await store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' })
    reachable = false
    now = T0 + DAY + 3600
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
    const before = calls.length
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
    expect(calls.length).toBe(before)
    // Reachable again, but serving only a list that is itself past the bound: still refused.
    reachable = true
    now += 61
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
  })

  it('refuses a revocation list served with a redirect, and bounds a hanging fetch by its timeout', async () => {
    const { f, list, url } = await setup()
    const redirect = new RevocationCache({
      fetch: fakeFetch({
        [url]: () =>
          new Response(null, { status: 301, headers: { location: 'https://elsewhere.example/' } }),
      }).fetch,
      now: () => T0,
    })
    const s1 = await TrustStore.open(list, { now: () => T0, revocation: redirect })
    expect(await codeOf(s1.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
    const hang = new RevocationCache({
      fetch: fakeFetch({ [url]: () => new Promise<Response>(() => undefined) }).fetch,
      now: () => T0,
      timeoutMs: 50,
    })
    const s2 = await TrustStore.open(list, { now: () => T0, revocation: hang })
    const started = Date.now()
    expect(await codeOf(s2.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('holds installed lists without any transport, and ignores an older one', async () => {
    const { f, list, crl } = await setup()
    const revocation = new RevocationCache({ now: () => T0 })
    const newer = await createRevocationList(
      { operator: 'post.eg', sequence: 2, issued: T0 - 60, nextUpdate: T0 + DAY, revoked: [] },
      f.eg.caKeys,
    )
    await revocation.install(newer, { operator: 'post.eg', cas: [f.eg.ca] })
    expect((await revocation.install(crl, { operator: 'post.eg', cas: [f.eg.ca] })).sequence).toBe(
      2,
    )
    const store = await TrustStore.open(list, { now: () => T0, revocation })
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).toBe(
      'accepted',
    )
    expect(
      await codeOf(store.validatePeerChain(f.dk.node.der, { operator: 'digitalpost.dk' })),
    ).toBe('ERR_CERT_REVOCATION_UNAVAILABLE')
  })

  it('gives an evidence bundle the newest list held, fetched once when none is held, still when past the bound and unreachable', async () => {
    const { f, list, crl, url } = await setup()
    let now = T0
    let reachable = true
    const { fetch, calls } = fakeFetch({
      [url]: () => (reachable ? cose(crl) : new Response('down', { status: 503 })),
    })
    const revocation = new RevocationCache({ fetch, now: () => now, maxStaleness: 3600 })
    const store = await TrustStore.open(list, { now: () => now, revocation })
    const ca = store.issuerOf(f.eg.node)
    expect(ca?.der).toEqual(f.eg.ca.der)
    const source = { operator: 'post.eg', issuer: ca!, endpoints: store.endpointsOf('post.eg') }
    expect((await revocation.newestList(source)).bytes).toEqual(crl)
    expect(calls.length).toBe(1)
    // Long past the bound, with the operator gone: checks fail, but the list held is evidence.
    reachable = false
    now = T0 + 400 * DAY
    expect(await codeOf(store.validatePeerChain(f.eg.node.der, { operator: 'post.eg' }))).not.toBe(
      'accepted',
    )
    expect((await revocation.newestList(source)).bytes).toEqual(crl)
  })

  it('names the operator and CA when no list is held and none can be fetched', async () => {
    const { f, list } = await setup()
    const store = await TrustStore.open(list, { now: () => T0 })
    const revocation = new RevocationCache({ now: () => T0 })
    const issuer = store.issuerOf(f.dk.node)!
    const source = { operator: 'digitalpost.dk', issuer, endpoints: [] }
    await expect(revocation.newestList(source)).rejects.toMatchObject({
      code: 'ERR_CERT_REVOCATION_UNAVAILABLE',
      details: { operator: 'digitalpost.dk', ca: toBase64Url(issuer.kid!) },
    })
    // A certificate of an operator outside the list has no listed issuer.
    expect(store.issuerOf({ ...f.dk.node, operatorId: 'evil.example' })).toBeUndefined()
  })
})
