import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../src/core.js'
import { verifyDiscoveryDocument } from '@barid/core'
import { sealFor } from './clients.js'
import { fedRequest } from '../src/federation/federation-client.js'
import { contentDigest } from '../src/federation/content-digest.js'
import { signRequest } from '../src/federation/http-signatures.js'
import type { TransactionResponse } from '../src/federation/transaction-format.js'
import { clientFetch, makeAgency, makeCitizen, startPair, type Pair } from './harness.js'

/** A transaction from post.eg to digitalpost.dk carrying one letter, sent by the test. */
async function letterEntry(pair: Pair, opts: { registered?: boolean } = {}) {
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
  const to = await eta.client.lookup({ address: lars.address })
  if (to.status !== 'active') throw new Error('lookup')
  const l = await sealFor({
    from: { address: eta.address, keys: eta.keys },
    to: [{ address: to.address, keys: to }],
    kind: opts.registered ? 'registered' : 'letter',
    subject: 's',
    body: 'b',
    lang: 'en',
  })
  const eg = pair.nodes.eg.services
  const mb = await eg.storage.getMailboxByAddress(eta.address)
  const cert = (await eg.storage.listMailboxKeys(mb!.id)).find((k) => k.use === 'sig')!.certificate
  const entry = {
    letter: toBase64Url(l.bytes),
    recipients: [lars.address],
    deliverBefore: new Date(Date.now() + 3600_000).toISOString(),
    senderCertificate: cert,
    evidence: [] as string[],
  }
  return { eta, lars, letter: l, entry }
}

describe('federation API (in-process)', () => {
  it('serves a key-discovery document that verifies against the trust list, and a self-description without keys', async () => {
    await using pair = await startPair()
    const f = clientFetch(pair, 'dk')
    const res = await f(`${pair.nodes.dk.url}/.well-known/barid-node`)
    expect(res.headers.get('content-type')).toBe('application/barid-node-keys+cose')
    const doc = await verifyDiscoveryDocument(new Uint8Array(await res.arrayBuffer()), {
      operator: 'digitalpost.dk',
      trust: pair.nodes.eg.services.trust.held.store,
      now: Math.floor(Date.now() / 1000),
    })
    const dkKey = pair.nodes.dk.services.keys.request
    expect(doc.keys.map((k) => toBase64Url(k.kid))).toEqual([dkKey.kidBase64Url])
    expect(doc.keys[0]!.certificate.role).toBe('node')
    // Any other operator's trust store refuses it as Egypt Post's.
    await expect(
      verifyDiscoveryDocument(doc.bytes, {
        operator: 'post.eg',
        trust: pair.nodes.eg.services.trust.held.store,
        now: Math.floor(Date.now() / 1000),
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_OPERATOR_MISMATCH' })

    const self = (await (await f(`${pair.nodes.dk.url}/.well-known/barid`)).json()) as Record<
      string,
      unknown
    >
    expect(self).toMatchObject({
      v: 1,
      operator: 'digitalpost.dk',
      country: 'DK',
      timeZone: 'Europe/Copenhagen',
      identifierSchemes: ['dk:cpr', 'dk:cvr'],
      endpoints: { keyDiscovery: `${pair.nodes.dk.url}/.well-known/barid-node` },
      trust: { federation: 'barid-test' },
    })
    expect(self).not.toHaveProperty('keys')
    const list = await f(`${pair.nodes.dk.url}/.well-known/barid-trust-list`)
    expect(new Uint8Array(await list.arrayBuffer())).toEqual(
      pair.nodes.dk.services.trust.held.store.list.bytes,
    )
  })

  it('refuses unsigned, unknown-key, wrong-digest and replayed requests with typed errors', async () => {
    await using pair = await startPair()
    const dk = pair.nodes.dk
    const f = clientFetch(pair, 'dk')
    const url = `${dk.url}/v1/federation/transactions/tx-test-0001`
    const body = new TextEncoder().encode(JSON.stringify({ letters: [], evidence: [] }))
    const code = async (res: Response) =>
      ((await res.json()) as { error: { code: string } }).error.code
    expect(
      await code(
        await f(url, {
          method: 'PUT',
          body,
          headers: { 'content-type': 'application/json', 'content-digest': contentDigest(body) },
        }),
      ),
    ).toBe('ERR_FED_SIGNATURE_MISSING')
    const { generateKeyPair } = await import('../src/core.js')
    const stranger = await generateKeyPair('Ed25519')
    const s1 = await signRequest(
      { method: 'PUT', url, contentDigest: contentDigest(body) },
      { privateKey: stranger.privateKey, keyid: stranger.kidBase64Url },
    )
    expect(
      await code(
        await f(url, {
          method: 'PUT',
          body,
          headers: {
            'content-digest': contentDigest(body),
            'signature-input': s1.signatureInput,
            signature: s1.signature,
          },
        }),
      ),
    ).toBe('ERR_FED_KEY_UNKNOWN')
    const egKeys = pair.nodes.eg.services.keys.request
    const s2 = await signRequest(
      { method: 'PUT', url, contentDigest: contentDigest(body) },
      { privateKey: egKeys.privateKey, keyid: egKeys.kidBase64Url },
    )
    const wrong = contentDigest(new TextEncoder().encode('{}'))
    // A Content-Digest other than the one signed: the signature fails.
    const swapped = {
      'content-digest': wrong,
      'signature-input': s2.signatureInput,
      signature: s2.signature,
    }
    expect(await code(await f(url, { method: 'PUT', body, headers: swapped }))).toBe(
      'ERR_FED_SIGNATURE_INVALID',
    )
    // A signed Content-Digest that does not match the body: the digest check fails.
    const s3 = await signRequest(
      { method: 'PUT', url, contentDigest: wrong },
      { privateKey: egKeys.privateKey, keyid: egKeys.kidBase64Url },
    )
    const mismatched = {
      'content-digest': wrong,
      'signature-input': s3.signatureInput,
      signature: s3.signature,
    }
    expect(await code(await f(url, { method: 'PUT', body, headers: mismatched }))).toBe(
      'ERR_FED_CONTENT_DIGEST',
    )
    const h = {
      'content-type': 'application/json',
      'content-digest': contentDigest(body),
      'signature-input': s2.signatureInput,
      signature: s2.signature,
    }
    const first = await f(url, { method: 'PUT', body, headers: h })
    expect(await code(first)).toBe('ERR_INVALID_ARGUMENT') // empty transaction, but authenticated
    expect(await code(await f(url, { method: 'PUT', body, headers: h }))).toBe('ERR_FED_REPLAY')
  })

  it('answers a repeated transaction id with the stored first response, and refuses different content under it', async () => {
    await using pair = await startPair()
    const { entry, lars } = await letterEntry(pair, { registered: true })
    const eg = pair.nodes.eg.services
    const dkPeer = (await eg.directory.getPeer('digitalpost.dk'))!
    // A registered letter without its submission evidence: refused per letter, answered 200.
    const put = (json: unknown) =>
      fedRequest(eg, dkPeer, {
        method: 'PUT',
        path: '/v1/federation/transactions/tx-same-0001',
        json,
      })
    const [a, b] = await Promise.all([put({ letters: [entry] }), put({ letters: [entry] })])
    const ra = a.json<TransactionResponse>()
    expect(b.json<TransactionResponse>()).toEqual(ra)
    expect(ra.letters[0]!.recipients[0]).toMatchObject({
      address: lars.address,
      status: 'not-delivered',
      code: 'ERR_EVIDENCE_MALFORMED',
    })
    const c = await put({ letters: [entry] })
    expect(c.headers.get('barid-replayed')).toBe('true')
    expect(c.json<TransactionResponse>()).toEqual(ra)
    const d = await put({ letters: [{ ...entry, recipients: [lars.address, lars.address] }] })
    expect(d.status).toBe(409)
    expect(d.code).toBe('ERR_FED_TRANSACTION_CONFLICT')
  })

  it('delivers once when the same letter arrives in concurrent and repeated transactions', async () => {
    await using pair = await startPair()
    const { entry, lars } = await letterEntry(pair)
    const eg = pair.nodes.eg.services
    const dkPeer = (await eg.directory.getPeer('digitalpost.dk'))!
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        fedRequest(eg, dkPeer, {
          method: 'PUT',
          path: `/v1/federation/transactions/tx-dup-000${i}`,
          json: { letters: [entry] },
        }),
      ),
    )
    for (const r of results)
      expect(r.json<TransactionResponse>().letters[0]!.recipients[0]!.status).toBe('delivered')
    expect((await lars.client.list('/letters')).letters).toHaveLength(1)
  })

  it("refuses a letter relayed by an operator that is not its sender's, even with a key it certified itself", async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const amina = await makeCitizen(pair, 'eg', 'amina', 'eg:nid:29001011234567')
    const to = await eta.client.lookup({ address: amina.address })
    if (to.status !== 'active') throw new Error('lookup')
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      subject: 's',
      body: 'b',
      lang: 'ar',
    })
    // digitalpost.dk, turned malicious, relays a letter "from" the Egyptian agency to post.eg:
    // with Egypt Post's own certificate of the agency's key, which does not speak for it ...
    const dk = pair.nodes.dk.services
    const eg = pair.nodes.eg.services
    const mb = await eg.storage.getMailboxByAddress(eta.address)
    const egCert = (await eg.storage.listMailboxKeys(mb!.id)).find((k) => k.use === 'sig')!
    const egAsPeer = (await dk.directory.getPeer('post.eg'))!
    const send = async (txid: string, senderCertificate: string) => {
      const r = await fedRequest(dk, egAsPeer, {
        method: 'PUT',
        path: `/v1/federation/transactions/${txid}`,
        json: {
          letters: [
            {
              letter: toBase64Url(l.bytes),
              recipients: [amina.address],
              deliverBefore: new Date(Date.now() + 60_000).toISOString(),
              senderCertificate,
              evidence: [],
            },
          ],
        },
      })
      return r.json<TransactionResponse>().letters[0]!.recipients[0]
    }
    expect(await send('tx-origin-01', egCert.certificate)).toMatchObject({
      status: 'not-delivered',
      code: 'ERR_CERT_OPERATOR_MISMATCH',
    })
    // ... and with a certificate its own CA issued for the same key, which names its own mailbox.
    const { certificate } = await dk.certifier.certify({
      sub: 'tax@digitalpost.dk',
      use: 'sig',
      jwk: eta.keys.sign.publicJwk,
      now: Date.now(),
    })
    expect(await send('tx-origin-02', certificate)).toMatchObject({
      status: 'not-delivered',
      code: 'ERR_SENDER_MISMATCH',
    })
    // A certificate changed in its signature does not verify.
    const forged = certificate.slice(0, -2) + (certificate.endsWith('AA') ? 'BB' : 'AA')
    expect(await send('tx-origin-03', forged)).toMatchObject({
      status: 'not-delivered',
      code: 'ERR_CERT_SIGNATURE_INVALID',
    })
    expect((await amina.client.list('/letters')).letters).toHaveLength(0)
  })
})
