import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '../src/core.js'
import { sealFor } from './clients.js'
import { listenForLetters } from './push-listener.js'
import { clientFetch, makeAgency, makeCitizen, startPair, type Pair } from './harness.js'

async function send(
  pair: Pair,
  to: { address: string }[],
  n = 1,
  opts: { registered?: boolean } = {},
) {
  const eta =
    (pair as Pair & { eta?: Awaited<ReturnType<typeof makeAgency>> }).eta ??
    (await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat'))
  ;(pair as Pair & { eta?: unknown }).eta = eta
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const keys = []
    for (const t of to) {
      const r = await eta.client.lookup({ address: t.address })
      if (r.status === 'active') keys.push({ address: r.address, keys: r })
    }
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: keys,
      kind: opts.registered ? 'registered' : 'letter',
      subject: `s${i}`,
      body: `secret body ${i}`,
      lang: 'da',
    })
    await eta.client.submit(l.bytes)
    ids.push(l.id)
  }
  return { eta, ids }
}

describe('citizen API (in-process)', () => {
  it('refuses missing, forged, foreign and expired tokens with ERR_UNAUTHENTICATED', async () => {
    await using pair = await startPair()
    await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    const dk = pair.nodes.dk
    const f = clientFetch(pair, 'dk')
    const forger = await generateKeyPair('Ed25519')
    const cfg = dk.config.citizenAuth
    const forged = await new SignJWT({ [cfg.identifierClaim]: 'dk:cpr:0101901234' })
      .setProtectedHeader({ alg: 'EdDSA', kid: forger.kidBase64Url })
      .setIssuer(cfg.issuer)
      .setAudience(cfg.audience)
      .setExpirationTime('1h')
      .sign(forger.privateKey)
    const expired = await dk.devIdp!.issue('dk:cpr:0101901234', { lifetimeSeconds: -120 })
    const wrongAudience = await dk.devIdp!.issue('dk:cpr:0101901234', {
      audience: 'https://elsewhere.example',
    })
    for (const h of [
      {} as Record<string, string>,
      { authorization: 'Bearer x.y.z' },
      { authorization: `Bearer ${forged}` },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${wrongAudience}` },
    ]) {
      const res = await f(`${dk.url}/v1/citizen/me`, { headers: h })
      expect(res.status).toBe(401)
      expect((await res.json()).error.code).toBe('ERR_UNAUTHENTICATED')
    }
    const egyptian = await dk.devIdp!.issue('eg:nid:29001011234567')
    const res = await f(`${dk.url}/v1/citizen/me`, {
      headers: { authorization: `Bearer ${egyptian}` },
    })
    expect(res.status).toBe(403)
  })

  it("never lets one citizen read, list, open, delete or learn of another citizen's letters", async () => {
    await using pair = await startPair()
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    const mette = await makeCitizen(pair, 'dk', 'mette', 'dk:cpr:0202851234')
    const { ids } = await send(pair, [lars], 1, { registered: true })
    const id = ids[0]!
    expect((await lars.client.list('/letters')).letters.map((l) => l.letterId)).toEqual([id])
    expect((await mette.client.list('/letters')).letters).toEqual([])
    await expect(mette.client.fetchLetter('/letters', id)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    await expect(mette.client.attachment('/letters', id, 0)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    await expect(mette.client.markOpened('/letters', id)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    const f = clientFetch(pair, 'dk')
    const token = await pair.nodes.dk.devIdp!.issue(mette.identifier)
    const del = await f(`${pair.nodes.dk.url}/v1/citizen/letters/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(del.status).toBe(404)
    const unknown = await f(
      `${pair.nodes.dk.url}/v1/citizen/letters/01a2233d-0000-7000-8000-000000000000`,
      { headers: { authorization: `Bearer ${token}` } },
    )
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({
      error: { code: 'ERR_NOT_FOUND', message: 'no such letter' },
    })
    const sent = await f(`${pair.nodes.dk.url}/v1/citizen/sent/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(sent.status).toBe(404)
    // and Lars still has it, unopened
    expect((await lars.client.list('/letters', 'unread=true')).letters).toHaveLength(1)
  })

  it('pages newest first, filters unread, marks opened once, deletes', async () => {
    await using pair = await startPair()
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    const { ids } = await send(pair, [lars], 5)
    const p1 = await lars.client.list('/letters', 'limit=2')
    expect(p1.letters.map((l) => l.letterId)).toEqual([ids[4], ids[3]])
    const p2 = await lars.client.list('/letters', `limit=2&before=${p1.nextCursor}`)
    expect(p2.letters.map((l) => l.letterId)).toEqual([ids[2], ids[1]])
    const p3 = await lars.client.list('/letters', `limit=2&before=${p2.nextCursor}`)
    expect(p3.letters.map((l) => l.letterId)).toEqual([ids[0]])
    expect(p3.nextCursor).toBeNull()
    expect((await lars.client.markOpened('/letters', ids[2]!)).first).toBe(true)
    expect((await lars.client.markOpened('/letters', ids[2]!)).first).toBe(false)
    expect(
      (await lars.client.list('/letters', 'unread=true')).letters.map((l) => l.letterId),
    ).not.toContain(ids[2])
    const token = await pair.nodes.dk.devIdp!.issue(lars.identifier)
    const del = await clientFetch(pair, 'dk')(`${pair.nodes.dk.url}/v1/citizen/letters/${ids[0]}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(del.status).toBe(204)
    expect((await lars.client.list('/letters')).letters).toHaveLength(4)
  })

  it("lets a citizen reply to a letter's sender only, threaded, and not start new letters", async () => {
    await using pair = await startPair()
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    const mette = await makeCitizen(pair, 'dk', 'mette', 'dk:cpr:0202851234')
    const { eta, ids } = await send(pair, [lars])
    const skat = await lars.client.lookup({ address: eta.address })
    const m = await lars.client.lookup({ address: mette.address })
    if (skat.status !== 'active' || m.status !== 'active') throw new Error('lookup')
    const cold = await sealFor({
      from: { address: lars.address, keys: lars.keys },
      to: [{ address: m.address, keys: m }],
      subject: 'hi',
      body: 'hi',
      lang: 'da',
    })
    await expect(lars.client.submit(cold.bytes)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' })
    const sideways = await sealFor({
      from: { address: lars.address, keys: lars.keys },
      to: [{ address: m.address, keys: m }],
      subject: 'Re',
      body: 'x',
      lang: 'da',
      replyTo: ids[0],
      threadId: ids[0],
    })
    await expect(lars.client.submit(sideways.bytes)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    })
    const reply = await sealFor({
      from: { address: lars.address, keys: lars.keys },
      to: [{ address: skat.address, keys: skat }],
      subject: 'Re',
      body: 'thanks',
      lang: 'da',
      replyTo: ids[0],
      threadId: ids[0],
    })
    expect((await lars.client.submit(reply.bytes)).recipients[0]!.state).toBe('delivered')
    const inbox = await eta.client.list('/inbox')
    expect(inbox.letters.map((l) => l.letterId)).toEqual([reply.id])
    const opened = await eta.client.open('/inbox', reply.id, {
      address: eta.address,
      keys: eta.keys,
    })
    expect(new TextDecoder().decode(opened.body)).toBe('thanks')
    expect(opened.header.replyTo).toBe(ids[0])
  })

  it('certifies registered keys, lists them, and stops offering a revoked key', async () => {
    await using pair = await startPair()
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    const before = await lars.client.lookup({ address: lars.address })
    if (before.status !== 'active') throw new Error('lookup')
    expect(before.keys.map((k) => k.use).sort()).toEqual(['enc', 'sig'])
    const token = await pair.nodes.dk.devIdp!.issue(lars.identifier)
    const f = clientFetch(pair, 'dk')
    const res = await f(`${pair.nodes.dk.url}/v1/citizen/keys/${lars.keys.enc.kidBase64Url}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(204)
    const after = await lars.client.lookup({ address: lars.address })
    if (after.status !== 'active') throw new Error('lookup')
    expect(after.keys.map((k) => k.use)).toEqual(['sig'])
    const bad = await f(`${pair.nodes.dk.url}/v1/citizen/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ use: 'enc', jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }),
    })
    expect(bad.status).toBeGreaterThanOrEqual(400)
    expect((await bad.json()).error.code).toMatch(/^ERR_(KEY_INVALID|UNSUPPORTED_ALGORITHM)$/)
  })
})

/** Lars's mailbox at Digital Post, a token for his device, and Skattestyrelsen to write to him. */
async function larsListens(pair: Pair) {
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234', fetch)
  const token = await pair.nodes.dk.devIdp!.issue(lars.identifier)
  ;(pair as Pair & { eta?: unknown }).eta = await makeAgency(
    pair,
    'dk',
    'skat',
    'Skattestyrelsen',
    'skat',
    fetch,
  )
  return { lars, token }
}

describe('WebSocket push (loopback)', () => {
  it("sends the backlog after the client's cursor, then live letters, and resumes without gaps", async () => {
    await using pair = await startPair({ listen: true })
    const { lars, token } = await larsListens(pair)
    const first = await send(pair, [lars], 2)
    const a = await listenForLetters(pair.nodes.dk.url, token, 0)
    await a.next((e) => e.letterId === first.ids[1])
    expect(a.events.map((e) => e.letterId)).toEqual(first.ids)
    const live = await send(pair, [lars], 1)
    const e = await a.next((x) => x.letterId === live.ids[0])
    a.close()
    const missed = await send(pair, [lars], 2)
    const b = await listenForLetters(pair.nodes.dk.url, token, e.cursor)
    await b.next((x) => x.letterId === missed.ids[1])
    expect(b.events.map((x) => x.letterId)).toEqual(missed.ids)
    b.close()
    await expect(listenForLetters(pair.nodes.dk.url, 'not-a-token', 0)).rejects.toThrow(
      /push refused|push closed/,
    )
  })

  it('skips no letter when live events are published out of cursor order', async () => {
    await using pair = await startPair({ listen: true })
    const { lars, token } = await larsListens(pair)
    const a = await listenForLetters(pair.nodes.dk.url, token, 0)
    // The hub hands on the first letter's event only after the second's, as two publishers
    // finishing in the other order would (spec 13.6: no entry is skipped).
    const hub = pair.nodes.dk.services.push
    const publish = hub.publish.bind(hub)
    let held: Parameters<typeof publish> | undefined
    hub.publish = (...args) => {
      if (held === undefined) held = args
      else {
        publish(...args)
        publish(...held)
      }
    }
    const sent = await send(pair, [lars], 2)
    await a.next((e) => e.letterId === sent.ids[1])
    await a.next((e) => e.letterId === sent.ids[0], 5_000)
    expect(a.events.map((e) => e.letterId)).toEqual(sent.ids)
    a.close()
  })
})
