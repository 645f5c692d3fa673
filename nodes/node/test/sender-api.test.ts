import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../src/core.js'
import { newPartyKeys, sealFor } from './clients.js'
import { setMailboxStatus, openMailbox } from '../src/admin/admin.js'
import { clientFetch, eventually, makeAgency, makeCitizen, startPair } from './harness.js'

async function req(
  pair: Awaited<ReturnType<typeof startPair>>,
  path: string,
  init: RequestInit = {},
) {
  const res = await clientFetch(pair, 'eg')(`${pair.nodes.eg.url}${path}`, init)
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}

describe('sender API (in-process)', () => {
  it('refuses requests without a valid API key with ERR_UNAUTHENTICATED', async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    for (const auth of [
      undefined,
      'Bearer nope',
      `Bearer ${eta.apiKey.slice(0, -1)}x`,
      eta.apiKey,
    ]) {
      const r = await req(pair, '/v1/sender/keys', auth ? { headers: { authorization: auth } } : {})
      expect(r.status).toBe(401)
      expect(r.body).toEqual({
        error: { code: 'ERR_UNAUTHENTICATED', message: expect.any(String) },
      })
    }
  })

  it('accepts a letter once, answers a duplicate with its status, and enforces Idempotency-Key', async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const amina = await makeCitizen(pair, 'eg', 'amina', 'eg:nid:29001011234567')
    const to = await eta.client.lookup({ address: amina.address })
    if (to.status !== 'active') throw new Error('lookup')
    const a = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: 'registered',
      subject: 's',
      body: 'hello',
      lang: 'ar',
    })
    const b = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      subject: 's',
      body: 'other',
      lang: 'ar',
    })
    const auth = { authorization: `Bearer ${eta.apiKey}`, 'content-type': 'application/json' }
    const post = (bytes: Uint8Array, key?: string) =>
      req(pair, '/v1/sender/letters', {
        method: 'POST',
        headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify({ letter: toBase64Url(bytes) }),
      })

    const first = await post(a.bytes, 'k-1')
    expect(first.status).toBe(202)
    expect(first.body.recipients).toEqual([
      {
        address: amina.address,
        state: 'delivered',
        code: null,
        chain: [expect.any(String), expect.any(String)],
      },
    ])
    const replay = await post(a.bytes, 'k-1')
    expect(replay.status).toBe(202)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body).toEqual(first.body)
    const conflict = await post(b.bytes, 'k-1')
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.code).toBe('ERR_IDEMPOTENCY_CONFLICT')
    const dup = await post(a.bytes)
    expect(dup.status).toBe(200)
    expect(dup.body.duplicate).toBe(true)
    expect((await amina.client.list('/letters')).letters).toHaveLength(1)
  })

  it('gives a registered letter pending abroad the chain so far: its submission record', async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error('lookup')
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: 'registered',
      subject: 's',
      body: 'x',
      lang: 'da',
    })
    // The answer is what the submission wrote: the letter is queued for digitalpost.dk.
    const r = await eta.client.submit(l.bytes)
    expect(r.evidence).toHaveLength(1)
    expect(r.recipients).toEqual([
      { address: lars.address, state: 'pending', code: null, chain: [r.evidence[0]] },
    ])
  })

  it('refuses a letter signed for another sender, a tampered letter, and one whose attachment is missing', async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const other = await makeAgency(pair, 'eg', 'customs', 'Customs', 'customs')
    const amina = await makeCitizen(pair, 'eg', 'amina', 'eg:nid:29001011234567')
    const to = await eta.client.lookup({ address: amina.address })
    if (to.status !== 'active') throw new Error('lookup')
    const byOther = await sealFor({
      from: { address: other.address, keys: other.keys },
      to: [{ address: to.address, keys: to }],
      subject: 's',
      body: 'x',
      lang: 'ar',
    })
    await expect(eta.client.submit(byOther.bytes)).rejects.toMatchObject({
      code: 'ERR_SENDER_MISMATCH',
    })
    const good = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      subject: 's',
      body: 'x',
      lang: 'ar',
    })
    const tampered = good.bytes.slice()
    tampered[tampered.length - 20]! ^= 1
    await expect(eta.client.submit(tampered)).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_(LETTER_TAMPERED|SIGNATURE_INVALID|LETTER_MALFORMED)$/),
    })
    const withFile = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      subject: 's',
      body: 'x',
      lang: 'ar',
      attachments: [
        { filename: 'a.pdf', mediaType: 'application/pdf', bytes: new Uint8Array(3000).fill(1) },
      ],
    })
    await expect(eta.client.submit(withFile.bytes)).rejects.toMatchObject({
      code: 'ERR_ATTACHMENT_MISSING',
    })
    await expect(
      eta.client.uploadBlob(withFile.blobs[0]!.digest, withFile.blobs[0]!.bytes.slice(1)),
    ).rejects.toMatchObject({ code: 'ERR_ATTACHMENT_MISMATCH' })
    await eta.client.uploadBlob(withFile.blobs[0]!.digest, withFile.blobs[0]!.bytes)
    expect((await eta.client.submit(withFile.bytes)).recipients[0]!.state).toBe('delivered')
  })

  it('records non-delivery with evidence for unknown and exempt recipients, and lookups say why', async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const amina = await makeCitizen(pair, 'eg', 'amina', 'eg:nid:29001011234567')
    const omar = await makeCitizen(pair, 'eg', 'omar', 'eg:nid:29512011234564')
    const to = await eta.client.lookup({ address: amina.address })
    const to2 = await eta.client.lookup({ address: omar.address })
    if (to.status !== 'active' || to2.status !== 'active') throw new Error('lookup')
    await setMailboxStatus(pair.nodes.eg.services, omar.address, 'exempt')
    expect(await eta.client.lookup({ identifier: omar.identifier })).toEqual({
      status: 'exempt',
      operator: 'post.eg',
    })
    expect(await eta.client.lookup({ identifier: 'eg:nid:29001011234575' })).toMatchObject({
      status: 'unknown',
    })
    const ghostKeys = await newPartyKeys()
    const ghost = {
      ...to,
      address: 'ghost@post.eg',
      keys: [
        {
          kid: ghostKeys.enc.kidBase64Url,
          use: 'enc' as const,
          jwk: ghostKeys.enc.publicJwk,
          certificate: '',
        },
      ],
    }
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [
        { address: to.address, keys: to },
        { address: ghost.address, keys: ghost },
        { address: to2.address, keys: to2 },
      ],
      kind: 'registered',
      subject: 's',
      body: 'x',
      lang: 'ar',
    })
    const r = await eta.client.submit(l.bytes)
    expect(r.recipients.map((x) => [x.address, x.state, x.code])).toEqual([
      [amina.address, 'delivered', null],
      ['ghost@post.eg', 'not-delivered', 'ERR_RECIPIENT_UNKNOWN'],
      [omar.address, 'not-delivered', 'ERR_RECIPIENT_EXEMPT'],
    ])
    expect(r.evidence).toHaveLength(4)
    // The answer is built from what was written, without reading it back: it is what the
    // status read from storage says.
    expect(await eta.client.status(r.letterId)).toEqual(r)
  })

  it('processes a batch in the background with a result per letter, visible only to its sender', async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const other = await makeAgency(pair, 'eg', 'customs', 'Customs', 'customs')
    const amina = await makeCitizen(pair, 'eg', 'amina', 'eg:nid:29001011234567')
    const to = await eta.client.lookup({ address: amina.address })
    if (to.status !== 'active') throw new Error('lookup')
    const letters = []
    for (let i = 0; i < 20; i++)
      letters.push(
        (
          await sealFor({
            from: { address: eta.address, keys: eta.keys },
            to: [{ address: to.address, keys: to }],
            subject: `n${i}`,
            body: `letter ${i}`,
            lang: 'ar',
          })
        ).bytes,
      )
    letters[5] = new Uint8Array([1, 2, 3])
    letters[9] = letters[8]!
    const { batchId, total } = await eta.client.submitBatch(letters, 'batch-1')
    expect(total).toBe(20)
    expect((await eta.client.submitBatch(letters, 'batch-1')).batchId).toBe(batchId)
    const done = await eventually(async () => {
      const b = await eta.client.batch(batchId)
      expect(b.completedAt).not.toBeNull()
      return b
    })
    expect(done).toMatchObject({ total: 20, processed: 20, accepted: 19, rejected: 1 })
    expect(done.results[5]).toMatchObject({
      status: 'rejected',
      code: expect.stringMatching(/^ERR_/),
    })
    expect(done.results[9]!.letterId).toBe(done.results[8]!.letterId)
    expect((await amina.client.list('/letters', 'limit=200')).letters).toHaveLength(18)
    await expect(other.client.batch(batchId)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(other.client.status(done.results[0]!.letterId!)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
  })

  it('rate limits directory lookups per sender with Retry-After', async () => {
    await using pair = await startPair({ config: { limits: { lookupsPerMinute: 6 } } })
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    await openMailbox(pair.nodes.eg.services, {
      address: 'amina',
      identifier: 'eg:nid:29001011234567',
      kind: 'person',
    })
    const q = `/v1/sender/directory?identifier=eg:nid:29001011234567`
    const h = { headers: { authorization: `Bearer ${eta.apiKey}` } }
    expect((await req(pair, q, h)).status).toBe(200)
    let limited
    for (let i = 0; i < 5 && !limited; i++) {
      const r = await req(pair, q, h)
      if (r.status === 429) limited = r
    }
    expect(limited?.body.error.code).toBe('ERR_RATE_LIMITED')
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})
