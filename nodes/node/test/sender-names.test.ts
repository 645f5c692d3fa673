/**
 * A sender's display names per language (spec 15.5, 11.4, 13.5, 17.7), between two real nodes:
 * registered at Egypt Post, carried with the letter to Digital Post, and shown to a resident of
 * Denmark in Danish.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { registerSender } from '../src/admin/admin.js'
import { emailChannel } from '../src/notify/channel.js'
import { AgencyClient, devToken, newPartyKeys, sealFor } from './clients.js'
import { clientFetch, eventually, makeCitizen, startPair, type Pair } from './harness.js'
import { listenForLetters } from './push-listener.js'

const FAST = {
  registered: {
    batchIntervalMs: 20,
    notifications: { retryScheduleMs: [10, 10] },
  },
}

const ETA_NAMES = {
  ar: 'مصلحة الضرائب المصرية',
  da: 'Den egyptiske skattemyndighed',
  en: 'Egyptian Tax Authority',
}

/** Digital Post with an e-mail channel whose transport keeps what it was asked to send. */
async function pairWithMail() {
  const mails: { to: string; subject: string; text: string }[] = []
  const pair = await startPair({
    config: FAST,
    channelsFor: { dk: [emailChannel({ send: async (m) => void mails.push(m) })] },
  })
  return { pair, mails }
}

async function senderWithNames(pair: Pair, names?: Record<string, string>, id = 'eta') {
  const node = pair.nodes.eg
  const r = await registerSender(node.services, {
    id,
    name: id === 'eta' ? 'ETA' : id.toUpperCase(),
    address: id === 'eta' ? 'tax' : id,
    ...(names ? { names } : {}),
  })
  const keys = await newPartyKeys()
  const client = new AgencyClient(node.url, r.apiKey, clientFetch(pair, 'eg'))
  await client.registerKeys(keys)
  return { address: r.mailbox.address, keys, client }
}

async function larsWithMail(pair: Pair) {
  const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
  const token = await devToken(pair.nodes.dk.url, lars.identifier, clientFetch(pair, 'dk'))
  const res = await pair.nodes.dk.app.request(`${pair.nodes.dk.url}/v1/citizen/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'email', contact: 'lars@example.dk' }),
  })
  expect(res.status).toBe(201)
  return lars
}

async function send(
  from: Awaited<ReturnType<typeof senderWithNames>>,
  to: { address: string; identifier: string },
  lang: string,
) {
  const found = await from.client.lookup({ identifier: to.identifier })
  if (found.status !== 'active') throw new Error('not active')
  const sealed = await sealFor({
    from: { address: from.address, keys: from.keys },
    to: [{ address: found.address, keys: found }],
    kind: 'registered',
    subject: 'Skatteopgørelse',
    body: 'b',
    lang,
  })
  await from.client.submit(sealed.bytes)
  return sealed.id
}

describe('sender display names across the border', () => {
  it('shows a resident of Denmark the Danish name of an Egyptian sender in the listing and the e-mail', async () => {
    const { pair, mails } = await pairWithMail()
    await using _ = pair
    const eta = await senderWithNames(pair, ETA_NAMES)
    const lars = await larsWithMail(pair)
    // An Arabic letter: Digital Post does not serve Arabic, so its resident reads Danish.
    const id = await send(eta, lars, 'ar')

    const list = await eventually(async () => {
      const l = await lars.client.list('/letters')
      expect(l.letters).toHaveLength(1)
      return l
    })
    expect(list.letters[0]).toMatchObject({
      letterId: id,
      sender: eta.address,
      senderName: ETA_NAMES.da,
      senderNames: ETA_NAMES,
    })
    const mail = await eventually(async () => {
      expect(mails).toHaveLength(1)
      return mails[0]!
    })
    expect(mail.subject).toBe(`Nyt rekommanderet brev fra \u2068${ETA_NAMES.da}\u2069`)
    expect(mail.text).toContain(`fra \u2068${ETA_NAMES.da}\u2069.`)
  })

  it('shows a sender registered with one name by that name, its names per language empty', async () => {
    const { pair, mails } = await pairWithMail()
    await using _ = pair
    const eta = await senderWithNames(pair)
    const lars = await larsWithMail(pair)
    await send(eta, lars, 'da')

    const list = await eventually(async () => {
      const l = await lars.client.list('/letters')
      expect(l.letters).toHaveLength(1)
      return l
    })
    expect(list.letters[0]).toMatchObject({ senderName: 'ETA', senderNames: {} })
    const mail = await eventually(async () => {
      expect(mails).toHaveLength(1)
      return mails[0]!
    })
    expect(mail.subject).toBe('Nyt rekommanderet brev fra \u2068ETA\u2069')
  })

  it('pushes a resident of Denmark the name the listing shows, in the backlog and live', async () => {
    await using pair = await startPair({ config: FAST, listen: true })
    const eta = await senderWithNames(pair, ETA_NAMES)
    const plain = await senderWithNames(pair, undefined, 'plain')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234', fetch)
    const before = await send(eta, lars, 'ar')
    // Delivered before the connection: it comes in the backlog, the next ones live.
    await eventually(async () => expect((await lars.client.list('/letters')).letters).toHaveLength(1))
    const token = await devToken(pair.nodes.dk.url, lars.identifier, fetch)
    const push = await listenForLetters(pair.nodes.dk.url, token, 0)
    try {
      const backlog = await push.next((e) => e.letterId === before)
      const now = await send(eta, lars, 'da')
      const unnamed = await send(plain, lars, 'da')
      const pushed = [backlog, await push.next((e) => e.letterId === now)]
      const { letters } = await lars.client.list('/letters')
      for (const e of pushed) {
        expect(e.senderName).toBe(ETA_NAMES.da)
        expect(e.senderName).toBe(letters.find((l) => l.letterId === e.letterId)?.senderName)
      }
      expect((await push.next((e) => e.letterId === unnamed)).senderName).toBe('PLAIN')
    } finally {
      push.close()
    }
  })

  it('shows a resident of Egypt the Arabic name of a sender at the same node', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await senderWithNames(pair, ETA_NAMES)
    const ahmed = await makeCitizen(pair, 'eg', 'ahmed', 'eg:nid:29001011234567')
    await send(eta, ahmed, 'ar')
    const list = await ahmed.client.list('/letters')
    expect(list.letters[0]).toMatchObject({ senderName: ETA_NAMES.ar, senderNames: ETA_NAMES })
  })
})

describe('sender registration through the admin API', () => {
  it('refuses bad names with ERR_INVALID_ARGUMENT and keeps good ones', async () => {
    await using pair = await startPair()
    const node = pair.nodes.eg
    const post = (body: unknown) =>
      node.app.request(`${node.url}/v1/admin/senders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${node.services.keys.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      })
    const base = { id: 'eta', name: 'ETA', address: 'tax' }
    for (const names of [
      { 'not a tag': 'x' },
      { da: '' },
      { da: 'x'.repeat(201) },
      { da: 'Skat\r\nBcc: someone' },
      { en: 'a', EN: 'b' },
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x${String.fromCharCode(97 + i)}`, 'n'])),
      ['da', 'x'],
      'Skat',
    ]) {
      const res = await post({ ...base, names })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'ERR_INVALID_ARGUMENT',
      )
    }
    const badName = await post({ ...base, name: 'ETA\u0000' })
    expect(badName.status).toBe(400)
    // Nothing of the refused registrations was kept.
    expect(await node.services.storage.getSenderById('eta')).toBeUndefined()
    const ok = await post({ ...base, names: ETA_NAMES })
    expect(ok.status).toBe(201)
    expect(((await ok.json()) as { mailbox: { displayNames: unknown } }).mailbox.displayNames).toEqual(
      ETA_NAMES,
    )
    expect((await node.services.storage.getMailboxByAddress('tax@post.eg'))?.displayNames).toEqual(
      ETA_NAMES,
    )
  })
})

describe('sender registration through the test-control interface', () => {
  const CONTROL = { testControlSecret: 'sender-names-test-control-secret-0123456789' }
  const post = (pair: Pair, body: unknown) =>
    pair.nodes.eg.app.request(`${pair.nodes.eg.url}/v1/test-control/senders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${CONTROL.testControlSecret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    })
  const displayName = async (pair: Pair, address: string) =>
    (await pair.nodes.eg.services.storage.getMailboxByAddress(address))?.displayName

  it('keeps a name of up to 200 code points whole, astral characters included', async () => {
    await using pair = await startPair({ config: CONTROL })
    // 200 code points in 201 and in 300 UTF-16 units: cutting at 200 units would split or drop.
    for (const [local, name] of [
      ['edge', `${'x'.repeat(199)}\u{1F4EC}`],
      ['emoji', '\u{1F4EC}'.repeat(150)],
      ['plain', 'x'.repeat(200)],
    ] as const) {
      const res = await post(pair, { name, address: local })
      expect(res.status).toBe(201)
      expect(await displayName(pair, `${local}@post.eg`)).toBe(name)
    }
  })

  it('refuses a name over 200 code points or not well-formed with ERR_INVALID_ARGUMENT', async () => {
    await using pair = await startPair({ config: CONTROL })
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', minLength: 201, maxLength: 400 }),
      fc
        .tuple(fc.string({ maxLength: 199 }), fc.constantFrom('\ud83d', '\udcec'), fc.string())
        .map(([a, lone, b]) => a + lone + b),
      fc.constantFrom(42, null, '', ['x'], { en: 'x' }),
    )
    let n = 0
    await fc.assert(
      fc.asyncProperty(hostile, async (name) => {
        const address = `refused${n++}`
        const res = await post(pair, { name, address })
        expect(res.status).toBe(400)
        const body = (await res.json()) as { error: { code: string; details?: { field?: string } } }
        expect(body.error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', details: { field: 'name' } })
        // Nothing of a refused registration is kept.
        expect(await displayName(pair, `${address}@post.eg`)).toBeUndefined()
      }),
      { numRuns: 60 },
    )
    const defaulted = await post(pair, {})
    expect(defaulted.status).toBe(201)
  })
})
