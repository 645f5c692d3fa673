import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '../keys/index.js'
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
import { DiscoveryClient, discoveryUrl } from './discovery-client.js'
import { createDiscoveryDocument, verifyDiscoveryDocument } from './discovery-document.js'
import { TrustStore } from './trust-store.js'
import { verifyTrustList } from './trust-list.js'
import { codeOf } from '../../test/code-of.js'

const EG = 'https://barid.post.eg/'
const EG_DOC = 'https://barid.post.eg/.well-known/barid-node'

async function setup() {
  const f = await federation()
  const list = await verifyTrustList(
    await signedList(f, f.governance, { operators: [operatorEntry(f.eg), operatorEntry(f.dk)] }),
    {
      governanceKeys: [f.governance.publicJwk],
      now: T0,
    },
  )
  let now = T0
  const store = await TrustStore.open(list, { now: () => now })
  const old = await makeNode(f.eg.ca, f.eg.caKeys)
  const retired = T0 - 3600
  const doc = await createDiscoveryDocument(
    {
      operator: 'post.eg',
      issued: T0,
      expires: T0 + DAY,
      keys: [{ certificate: f.eg.node.der }, { certificate: old.node.der, retired }],
    },
    { keyPair: f.eg.nodeKeys, certificate: f.eg.node.der },
  )
  return { f, store, old, retired, doc, setNow: (t: number) => (now = t), now: () => now }
}

describe('discovery document', () => {
  it('verifies and lists current and retired keys with their retirement times', async () => {
    const { f, store, old, retired, doc } = await setup()
    const d = await verifyDiscoveryDocument(doc, { operator: 'post.eg', trust: store, now: T0 })
    expect(d.keys.map((k) => k.retired)).toEqual([undefined, retired])
    expect(d.keys[1]?.kid).toEqual(old.node.kid)
    expect(d.signerKid).toEqual(f.eg.node.kid)
  })

  it("refuses a document fetched for another operator than the signer's", async () => {
    const { store, doc } = await setup()
    expect(
      await codeOf(
        verifyDiscoveryDocument(doc, { operator: 'digitalpost.dk', trust: store, now: T0 }),
      ),
    ).toBe('ERR_CERT_OPERATOR_MISMATCH')
  })

  it('refuses an expired document', async () => {
    const { store, doc } = await setup()
    expect(
      await codeOf(
        verifyDiscoveryDocument(doc, { operator: 'post.eg', trust: store, now: T0 + DAY }),
      ),
    ).toBe('ERR_DISCOVERY_EXPIRED')
  })

  it('refuses a document with a changed byte', async () => {
    const { store, doc } = await setup()
    const t = doc.slice()
    t[t.length - 70] = (t[t.length - 70] as number) ^ 1
    expect(
      await codeOf(verifyDiscoveryDocument(t, { operator: 'post.eg', trust: store, now: T0 })),
    ).not.toBe('accepted')
  })

  it("will not sign with a retired key or list another operator's node", async () => {
    const { f, old, retired } = await setup()
    const input = {
      operator: 'post.eg',
      issued: T0,
      expires: T0 + DAY,
      keys: [{ certificate: old.node.der, retired }],
    }
    expect(
      await codeOf(
        createDiscoveryDocument(input, { keyPair: old.nodeKeys, certificate: old.node.der }),
      ),
    ).toBe('ERR_INVALID_ARGUMENT')
    const mixed = await createDiscoveryDocument(
      {
        operator: 'post.eg',
        issued: T0,
        expires: T0 + DAY,
        keys: [{ certificate: f.eg.node.der }, { certificate: f.dk.node.der }],
      },
      { keyPair: f.eg.nodeKeys, certificate: f.eg.node.der },
    )
    const store = (await setup()).store
    expect(
      await codeOf(verifyDiscoveryDocument(mixed, { operator: 'post.eg', trust: store, now: T0 })),
    ).toBe('ERR_CERT_OPERATOR_MISMATCH')
  })
})

describe('DiscoveryClient', () => {
  it('resolves a current key and caches the document up to its maximum age', async () => {
    const { f, store, doc, setNow, now } = await setup()
    const { fetch, calls } = fakeFetch({ [EG_DOC]: () => cose(doc) })
    const client = new DiscoveryClient({ trust: store, fetch, now, maxAge: 600 })
    const key = await client.resolveKey('post.eg', f.eg.nodeKeys.kid)
    expect(key.certificate.der).toEqual(f.eg.node.der)
    await client.resolveKey('post.eg', f.eg.nodeKeys.kid)
    expect(calls).toEqual([EG_DOC])
    setNow(T0 + 601)
    await client.resolveKey('post.eg', f.eg.nodeKeys.kid)
    expect(calls).toEqual([EG_DOC, EG_DOC])
  })

  it('accepts a retired key for signatures made before its retirement and refuses it after', async () => {
    const { store, doc, old, retired, now } = await setup()
    const client = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: () => cose(doc) }).fetch,
      now,
    })
    expect(await codeOf(client.resolveKey('post.eg', old.nodeKeys.kid, { at: retired - 1 }))).toBe(
      'accepted',
    )
    expect(await codeOf(client.resolveKey('post.eg', old.nodeKeys.kid, { at: retired }))).toBe(
      'ERR_KEY_RETIRED',
    )
  })

  it("judges a key's retirement at the signature's own time when it is checked later (spec 11.2)", async () => {
    const { store, doc, old, retired, now } = await setup()
    const client = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: () => cose(doc) }).fetch,
      now,
    })
    // Checked now (after the retirement), signed a second before it: accepted.
    expect(now()).toBeGreaterThan(retired)
    const oldKid = old.nodeKeys.kid
    expect(await codeOf(client.resolveKey('post.eg', oldKid, { signedAt: retired - 1 }))).toBe(
      'accepted',
    )
    for (const signedAt of [retired, retired + 1, now()])
      expect(await codeOf(client.resolveKey('post.eg', oldKid, { signedAt }))).toBe(
        'ERR_KEY_RETIRED',
      )
  })

  it('refreshes once on an unknown key id, then refuses it, and not again within the cooldown', async () => {
    const { f, store, doc, setNow, now } = await setup()
    const { fetch, calls } = fakeFetch({ [EG_DOC]: () => cose(doc) })
    const client = new DiscoveryClient({ trust: store, fetch, now, cooldown: 30 })
    await client.resolveKey('post.eg', f.eg.nodeKeys.kid)
    setNow(T0 + 31)
    const unknown = (await generateKeyPair('Ed25519')).kid
    expect(await codeOf(client.resolveKey('post.eg', unknown))).toBe('ERR_KEY_NOT_FOUND')
    expect(calls.length).toBe(2)
    expect(await codeOf(client.resolveKey('post.eg', unknown))).toBe('ERR_KEY_NOT_FOUND')
    expect(calls.length).toBe(2)
  })

  it('finds a key added by rotation after one refresh', async () => {
    const { f, store, setNow, now } = await setup()
    const next = await makeNode(f.eg.ca, f.eg.caKeys)
    let served = await createDiscoveryDocument(
      {
        operator: 'post.eg',
        issued: T0,
        expires: T0 + DAY,
        keys: [{ certificate: f.eg.node.der }],
      },
      { keyPair: f.eg.nodeKeys, certificate: f.eg.node.der },
    )
    const client = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: () => cose(served) }).fetch,
      now,
    })
    await client.resolveKey('post.eg', f.eg.nodeKeys.kid)
    served = await createDiscoveryDocument(
      {
        operator: 'post.eg',
        issued: T0 + 40,
        expires: T0 + DAY,
        keys: [{ certificate: next.node.der }, { certificate: f.eg.node.der, retired: T0 + 40 }],
      },
      { keyPair: next.nodeKeys, certificate: next.node.der },
    )
    setNow(T0 + 60)
    expect(await codeOf(client.resolveKey('post.eg', next.nodeKeys.kid))).toBe('accepted')
    expect(await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid, { at: T0 + 39 }))).toBe(
      'accepted',
    )
  })

  it('refuses a redirect and never follows it', async () => {
    const { f, store, now } = await setup()
    const { fetch, calls } = fakeFetch({
      [EG_DOC]: () =>
        new Response(null, {
          status: 302,
          headers: { location: 'http://169.254.169.254/latest/meta-data/' },
        }),
    })
    const client = new DiscoveryClient({ trust: store, fetch, now })
    expect(await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid))).toBe(
      'ERR_DISCOVERY_REDIRECT',
    )
    expect(calls).toEqual([EG_DOC])
  })

  it('refuses a response that a fetch implementation reached through a redirect', async () => {
    const { f, store, doc, now } = await setup()
    const followed = () => {
      const r = cose(doc)
      Object.defineProperty(r, 'redirected', { value: true })
      return r
    }
    const client = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: followed }).fetch,
      now,
    })
    expect(await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid))).toBe(
      'ERR_DISCOVERY_REDIRECT',
    )
  })

  it("refuses to fetch any URL outside the operator's listed endpoints, without a request", async () => {
    const { store, now } = await setup()
    const { fetch, calls } = fakeFetch({})
    const client = new DiscoveryClient({ trust: store, fetch, now })
    const hostile = [
      'http://169.254.169.254/latest/meta-data/',
      'https://barid.post.eg.evil.example/.well-known/barid-node',
      'https://evil.example@barid.post.eg/.well-known/barid-node',
      'http://barid.post.eg/.well-known/barid-node',
      'https://barid.post.eg:8443/.well-known/barid-node',
      'https://barid.digitalpost.dk/.well-known/barid-node',
      'https://barid.post.eg/..%2f..%2fadmin',
      'file:///etc/passwd',
      'not a url',
    ]
    for (const url of hostile)
      expect(await codeOf(client.fetchDocument('post.eg', url)), url).toBe(
        'ERR_DISCOVERY_URL_REFUSED',
      )
    expect(await codeOf(client.fetchDocument('unknown.example', EG_DOC))).toBe(
      'ERR_DISCOVERY_URL_REFUSED',
    )
    expect(calls).toEqual([])
  })

  it("accepts an explicit URL under the operator's endpoint", async () => {
    const { store, doc, now } = await setup()
    const client = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: () => cose(doc) }).fetch,
      now,
    })
    expect((await client.fetchDocument('post.eg', discoveryUrl(EG))).operator).toBe('post.eg')
  })

  it('gives up on a peer that does not answer within the timeout', async () => {
    const { f, store, now } = await setup()
    const hang = () => new Promise<Response>(() => undefined)
    const fake = fakeFetch({ [EG_DOC]: hang })
    const client = new DiscoveryClient({ trust: store, fetch: fake.fetch, now, timeoutMs: 50 })
    const started = Date.now()
    expect(await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid))).toBe(
      'ERR_DISCOVERY_TIMEOUT',
    )
    expect(Date.now() - started).toBeLessThan(2000)
    // Within the cooldown the failure is returned at once: no other request, so no other wait.
    const asked = fake.calls.length
    expect(await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid))).toBe(
      'ERR_DISCOVERY_TIMEOUT',
    )
    expect(fake.calls.length).toBe(asked)
  })

  it('gives up on a body that never ends within the timeout, and on one over the size limit', async () => {
    const { f, store, now } = await setup()
    const endless = () =>
      new Response(new ReadableStream({ pull: () => new Promise(() => undefined) }), {
        status: 200,
      })
    const slow = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: endless }).fetch,
      now,
      timeoutMs: 50,
    })
    expect(await codeOf(slow.resolveKey('post.eg', f.eg.nodeKeys.kid))).toBe(
      'ERR_DISCOVERY_TIMEOUT',
    )
    const huge = () => new Response(new Uint8Array(65 * 1024), { status: 200 })
    const big = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: huge }).fetch,
      now,
    })
    expect(await codeOf(big.resolveKey('post.eg', f.eg.nodeKeys.kid))).toBe(
      'ERR_DISCOVERY_UNAVAILABLE',
    )
  })

  it('shares one in-flight fetch among concurrent lookups', async () => {
    const { f, store, doc, now } = await setup()
    const { fetch, calls } = fakeFetch({ [EG_DOC]: async () => cose(doc) })
    const client = new DiscoveryClient({ trust: store, fetch, now })
    await Promise.all([1, 2, 3, 4].map(() => client.resolveKey('post.eg', f.eg.nodeKeys.kid)))
    expect(calls.length).toBe(1)
  })

  it('refuses a withdrawn operator before any request', async () => {
    const f = await federation()
    const list = await verifyTrustList(
      await signedList(f, f.governance, {
        operators: [
          operatorEntry(f.eg, {
            status: [
              { state: 'active', from: T0 - DAY },
              { state: 'withdrawn', from: T0 - 10 },
            ],
          }),
        ],
      }),
      { governanceKeys: [f.governance.publicJwk], now: T0 },
    )
    const store = await TrustStore.open(list, { now: () => T0 })
    const { fetch, calls } = fakeFetch({})
    const client = new DiscoveryClient({ trust: store, fetch, now: () => T0 })
    expect(await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid))).toBe(
      'ERR_OPERATOR_WITHDRAWN',
    )
    expect(calls).toEqual([])
  })

  it('refuses a key for a use its document does not publish it for', async () => {
    const { f, store, now } = await setup()
    const doc = await createDiscoveryDocument(
      {
        operator: 'post.eg',
        issued: T0,
        expires: T0 + DAY,
        keys: [{ certificate: f.eg.node.der, uses: ['request-signing'] }],
      },
      { keyPair: f.eg.nodeKeys, certificate: f.eg.node.der },
    )
    const client = new DiscoveryClient({
      trust: store,
      fetch: fakeFetch({ [EG_DOC]: () => cose(doc) }).fetch,
      now,
    })
    expect(
      await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid, { use: 'request-signing' })),
    ).toBe('accepted')
    expect(
      await codeOf(client.resolveKey('post.eg', f.eg.nodeKeys.kid, { use: 'evidence-signing' })),
    ).toBe('ERR_KEY_INVALID')
  })
})
