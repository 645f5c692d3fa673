/**
 * Which keys a sender encrypts to (spec 13.4, 05.9), and a mailbox with no key yet (11.6),
 * with `@barid/client` against two real reference nodes started by their command line.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  allSettled,
  createCitizenClient,
  createSenderClient,
  generatePartyKeys,
  requestDevToken,
  trustFromNode,
  type CitizenClient,
  type KeyTrust,
  type RegisteredKey,
  type SenderClient,
} from '@barid/client'
import { admin, startLocalFederation, type LocalFederation } from './local-federation.js'

let fed: LocalFederation
let trust: KeyTrust

/** A sender organisation at Egypt Post and its API key. */
async function newSender(id: string): Promise<string> {
  const r = (await admin(fed.eg, 'POST', '/v1/admin/senders', {
    id,
    name: `Sender ${id}`,
    address: id,
  })) as { apiKey: string }
  return r.apiKey
}

/** A sender client with fresh keys, counting the requests it makes per path. */
async function senderDevice(apiKey: string, requests: string[] = []): Promise<SenderClient> {
  const keys = await generatePartyKeys()
  return createSenderClient({
    baseUrl: fed.eg.url,
    apiKey,
    signingKey: keys.signing,
    encryptionKey: keys.encryption,
    trust,
    fetch: (input, init) => {
      requests.push(new URL(input).pathname)
      return fetch(input, init)
    },
  })
}

/** A device of the citizen `identifier` at Denmark, with fresh keys, not yet registered. */
async function citizenDevice(identifier: string): Promise<CitizenClient> {
  return createCitizenClient({
    baseUrl: fed.dk.url,
    token: () => requestDevToken({ baseUrl: fed.dk.url, identifier }),
    keys: await generatePartyKeys(),
    trust,
  })
}

/** The encryption key of one registration. */
const encKey = (r: RegisteredKey[]) => r.find((k) => k.use === 'enc')!

beforeAll(async () => {
  fed = await startLocalFederation()
  trust = trustFromNode(fed.eg.url, {
    governanceKeys: [
      JSON.parse(await readFile(fed.governanceKeyFile, 'utf8')) as Record<string, unknown>,
    ],
  })
}, 60_000)

afterAll(async () => {
  await fed?.close()
})

describe('the keys a sender encrypts to, between two real nodes', () => {
  it('lets the fifth device of a citizen open a letter sent after it registered, and tells it which key stopped receiving', async () => {
    const who = 'dk:cpr:0404904567'
    await admin(fed.dk, 'POST', '/v1/admin/mailboxes', {
      address: 'five.devices',
      identifier: who,
      kind: 'person',
    })
    const devices: CitizenClient[] = []
    const registered: RegisteredKey[][] = []
    for (let i = 0; i < 5; i++) {
      const d = await citizenDevice(who)
      registered.push(await d.registerKeys({ label: `device ${i + 1}` }))
      devices.push(d)
    }
    // The first four encryption keys displaced nothing; the fifth pushed the first out.
    expect(registered.slice(0, 4).map((r) => encKey(r).displaced)).toEqual([[], [], [], []])
    expect(encKey(registered[4]!).displaced).toEqual([encKey(registered[0]!).kid])

    const bank = await senderDevice(await newSender('nbe'))
    const sent = await bank.send({ to: who, subject: 'Statement', body: 'Your statement.' })
    await bank.waitForStatus(sent.letterId, allSettled, { timeoutMs: 20_000 })
    for (const d of devices.slice(1))
      expect((await d.open(sent.letterId)).subject).toBe('Statement')
    await expect(devices[0]!.open(sent.letterId)).rejects.toMatchObject({
      code: 'ERR_NOT_A_RECIPIENT',
    })
  }, 60_000)

  it('encrypts a reply to the newest key of an organisation that registered more than four', async () => {
    const who = 'dk:cpr:0505905678'
    await admin(fed.dk, 'POST', '/v1/admin/mailboxes', {
      address: 'replying.citizen',
      identifier: who,
      kind: 'person',
    })
    const citizen = await citizenDevice(who)
    await citizen.registerKeys()
    const apiKey = await newSender('ministry')
    // As the README example run five times: new keys on every run.
    const runs: SenderClient[] = []
    const registered: RegisteredKey[][] = []
    for (let i = 0; i < 5; i++) {
      const run = await senderDevice(apiKey)
      registered.push(await run.registerKeys())
      runs.push(run)
    }
    const latest = runs[4]!
    expect(encKey(registered[4]!).displaced).toEqual([encKey(registered[0]!).kid])
    // Registering the same key again changes nothing, and says so.
    expect(encKey(await latest.registerKeys()).displaced).toEqual([])
    const sent = await latest.send({ to: who, subject: 'Question', body: 'Please confirm.' })
    await latest.waitForStatus(sent.letterId, allSettled, { timeoutMs: 20_000 })
    const reply = await citizen.reply(sent.letterId, { subject: 'Re: Question', body: 'Yes.' })
    await expect
      .poll(async () => (await latest.inbox.list()).letters.map((l) => l.letterId), {
        timeout: 20_000,
      })
      .toContain(reply.letterId)
    expect((await latest.inbox.open(reply.letterId)).text()).toBe('Yes.')
  }, 60_000)
})

describe('a mailbox with no key yet, between two real nodes', () => {
  it('is looked up abroad as active with no keys, and sending to it fails at once with ERR_KEY_NOT_FOUND', async () => {
    const who = 'dk:cpr:0202902345'
    await admin(fed.dk, 'POST', '/v1/admin/mailboxes', { address: 'karen.hansen', identifier: who })
    const requests: string[] = []
    const bank = await senderDevice(await newSender('banquemisr'), requests)
    await bank.registerKeys()
    requests.length = 0
    expect(await bank.lookup(who)).toEqual({
      status: 'active',
      address: 'karen.hansen@digitalpost.dk',
      operator: 'digitalpost.dk',
      encryptionKeys: [],
      signingKeys: [],
    })
    await expect(bank.send({ to: who, body: 'Welcome.' })).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    })
    // One lookup each, none retried: the answer was not a failure of the peer.
    expect(requests).toEqual(['/v1/sender/directory', '/v1/sender/directory'])
  }, 30_000)
})
