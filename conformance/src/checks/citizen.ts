/**
 * @module checks/citizen
 * The citizen API (spec 13) and isolation between mailboxes (10.5, 12.8, 13.3): token
 * verification, key certification, first opening and its `retrieved` record, replies only, a
 * removed letter never put back by a peer's resend, and that no caller reaches, or learns of,
 * another's letters.
 */
import { generateKeyPair, toBase64Url } from '@barid/core'
import { call } from '../http/http.js'
import {
  citizenCall,
  newCitizen,
  recipientOf,
  sealAs,
  senderCall,
  statusOf,
  submit,
} from '../world/parties.js'
import { ensure, eventually, expectRefusal, expectStatus, type Check } from './check.js'
import { expectChain } from './evidence-chain.js'
import { fixtures, peerLetter, sendTx } from './fixtures.js'

const enc = (v: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(v)))

/** A JWT the node never issued: signed by a key of our own, with plausible claims. */
async function forgedToken(identifier: string, url: string): Promise<string> {
  const key = (await crypto.subtle.generateKey('Ed25519', false, ['sign'])) as CryptoKeyPair
  const now = Math.floor(Date.now() / 1000)
  const input = `${enc({ alg: 'EdDSA', typ: 'JWT' })}.${enc({ iss: `${url}/dev/idp`, aud: `${url}/v1/citizen`, sub: identifier, barid_identifier: identifier, iat: now, exp: now + 600 })}`
  const sig = new Uint8Array(
    await crypto.subtle.sign('Ed25519', key.privateKey, new TextEncoder().encode(input)),
  )
  return `${input}.${toBase64Url(sig)}`
}

export const citizenChecks: Check[] = [
  {
    id: 'citizen.auth',
    title: 'citizen requests without a token the node can verify are refused (ERR_UNAUTHENTICATED)',
    group: 'citizen',
    clauses: ['13.2-1', '10.5-4'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const forged = await forgedToken(f.citizenA.identifier ?? 'dk:cpr:0101901234', world.a.url)
      const unsigned = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ barid_identifier: f.citizenA.identifier })}.`
      for (const [what, h] of [
        ['no token', undefined],
        ['a malformed token', 'Bearer abc.def.ghi'],
        ['an unsigned token', `Bearer ${unsigned}`],
        ['a token signed by an unknown key', `Bearer ${forged}`],
      ] as const) {
        const r = await call(
          `${world.a.url}/v1/citizen/me`,
          { headers: h ? { authorization: h } : {} },
          world.http,
        )
        expectRefusal(r, 'ERR_UNAUTHENTICATED', '13.2-1', what)
        ensure(
          !f.citizenA.identifier || !r.text.includes(f.citizenA.identifier),
          `the refusal of ${what} repeats the identifier`,
          '10.5-4',
        )
      }
    },
  },
  {
    id: 'citizen.me',
    title: "a citizen's profile names its own mailbox, with a status of the closed set",
    group: 'citizen',
    clauses: ['13.2-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      for (const c of [f.citizenA, f.citizenB]) {
        const r = await citizenCall(world, c, 'GET', '/v1/citizen/me')
        expectStatus(r, 200, '13.2-3', `node ${c.node.name}: the profile`)
        const me = r.body as { address?: unknown; status?: unknown }
        const at = `node ${c.node.name}: /me`
        ensure(me.address === c.address, `${at} names ${String(me.address)}`, '13.2-3')
        ensure(
          me.status === 'active' || me.status === 'exempt',
          `${at} status ${JSON.stringify(me.status)}`,
          '13.2-3',
        )
      }
    },
  },
  {
    id: 'citizen.keys',
    title: "the node's key certifications verify with its evidence key and name the mailbox",
    group: 'citizen',
    clauses: ['13.4-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      for (const c of [f.citizenA, f.citizenB]) {
        const r = await citizenCall(world, c, 'GET', '/v1/citizen/keys')
        expectStatus(r, 200, '13.4-2', `node ${c.node.name}: listing keys`)
        const keys = (
          r.body as { keys: { use: 'enc' | 'sig'; kid: string; certificate: string }[] }
        ).keys
        ensure(keys.length >= 2, `node ${c.node.name}: ${keys.length} keys listed`, '13.4-2')
        for (const k of keys) {
          const v = await world.verifyCertificate(k.certificate, c.address, k.use)
          ensure(
            v.kid === k.kid,
            `node ${c.node.name}: certificate kid differs from the listed kid`,
            '13.4-2',
          )
        }
      }
    },
  },
  {
    id: 'citizen.keys.order',
    title:
      "a mailbox's keys are listed newest registration first, by its node and by a node relaying a lookup of it",
    group: 'citizen',
    clauses: ['13.4-3', '13.4-4'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const c = await newCitizen(world, world.b)
      const registered = [c.keys.encryption.kidBase64Url]
      for (let i = 0; i < 4; i++) {
        const k = await generateKeyPair('X25519')
        const r = await citizenCall(world, c, 'POST', '/v1/citizen/keys', {
          use: 'enc',
          jwk: k.publicJwk,
          label: `device ${i + 2}`,
        })
        expectStatus(r, 201, '13.4-2', `registering encryption key ${i + 2}`)
        registered.unshift(k.kidBase64Url)
      }
      const encKids = (body: unknown) =>
        ((body as { keys?: { kid: string; use: string }[] }).keys ?? [])
          .filter((k) => k.use === 'enc')
          .map((k) => k.kid)
      const own = await citizenCall(world, c, 'GET', '/v1/citizen/keys')
      expectStatus(own, 200, '13.4-3', 'listing keys')
      ensure(
        JSON.stringify(encKids(own.body)) === JSON.stringify(registered),
        `node ${c.node.name} lists encryption keys ${encKids(own.body).join(' ')}, registered newest first ${registered.join(' ')}`,
        '13.4-3',
      )
      const relayed = await senderCall(
        world,
        f.agencyA,
        'GET',
        `/v1/sender/directory?address=${encodeURIComponent(c.address)}`,
      )
      expectStatus(relayed, 200, '12.5-1', `lookup of ${c.address} from node A`)
      ensure(
        JSON.stringify(encKids(relayed.body)) === JSON.stringify(registered),
        `a lookup relayed by node A lists ${encKids(relayed.body).join(' ')}, registered newest first ${registered.join(' ')}`,
        '13.4-4',
      )
    },
  },
  {
    id: 'citizen.opened',
    title:
      'opening a registered letter is recorded once and returns a retrieved record to the sending node',
    group: 'citizen',
    clauses: ['13.5-1', '14.5-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await sealAs(world, f.agencyA, [recipientOf(f.citizenB)], { kind: 'registered' })
      expectStatus(await submit(world, f.agencyA, l.bytes), 202, '12.3-5', 'a letter to node B')
      await eventually(
        async () =>
          (await world.b.control.mailbox(f.citizenB.address)).letters.some(
            (x) => x.letterId === l.id,
          )
            ? true
            : undefined,
        { what: 'the letter to arrive at node B', clause: '14.4-3' },
      )
      const first = await citizenCall(
        world,
        f.citizenB,
        'POST',
        `/v1/citizen/letters/${l.id}/opened`,
      )
      expectStatus(first, 200, '13.5-1', 'marking opened')
      ensure(
        (first.body as { first: boolean }).first === true,
        'the first opening is not first',
        '13.5-1',
      )
      const second = await citizenCall(
        world,
        f.citizenB,
        'POST',
        `/v1/citizen/letters/${l.id}/opened`,
      )
      ensure(
        (second.body as { first: boolean }).first === false,
        'the second opening is first again',
        '13.5-1',
      )
      const chain = await eventually(
        async () => {
          const rec = (await statusOf(world, f.agencyA, l.id)).body.recipients?.[0]
          return rec?.chain && rec.chain.length >= 4 ? rec.chain : undefined
        },
        { what: 'the retrieved record to reach the sending node', clause: '14.5-1' },
      )
      await expectChain(
        world,
        chain,
        ['submission-accepted', 'relay-accepted', 'delivered', 'retrieved'],
        '14.5-1',
      )
    },
  },
  {
    id: 'citizen.removed.not-again',
    title:
      'a letter the citizen removed is not put in the mailbox again when a peer resends it (answered as a duplicate)',
    group: 'citizen',
    clauses: ['13.5-4', '11.4-18'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)])
      const first = await sendTx(world, world.a, { letters: [l.entry] })
      expectStatus(first, 200, '11.4-14', 'a transaction of one letter')
      const status = (a: typeof first) => a.answer?.letters?.[0]?.recipients?.[0]?.status
      ensure(status(first) === 'delivered', `the letter is ${status(first)}`, '11.4-10')
      const path = `/v1/citizen/letters/${l.letter.id}`
      expectStatus(await citizenCall(world, f.citizenA, 'DELETE', path), 204, '13.5-4', 'DELETE')
      const again = await sendTx(world, world.a, { letters: [l.entry] })
      expectStatus(again, 200, '11.4-14', 'the same letter resent in a new transaction')
      ensure(
        status(again) === 'delivered',
        `a resent letter the citizen removed is ${status(again)}, not answered as a duplicate`,
        '11.4-18',
        again.exchange,
      )
      const held = (await world.a.control.mailbox(f.citizenA.address)).letters.filter(
        (x) => x.letterId === l.letter.id,
      ).length
      ensure(held === 0, `the mailbox holds the removed letter again (${held})`, '13.5-4')
      expectRefusal(
        await citizenCall(world, f.citizenA, 'GET', path),
        'ERR_NOT_FOUND',
        '13.5-4',
        'GET of the removed letter after the resend',
      )
    },
  },
  {
    id: 'citizen.replies-only',
    title: 'a citizen can send only replies (ERR_FORBIDDEN)',
    group: 'citizen',
    clauses: ['13.5-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await sealAs(world, f.citizenA, [recipientOf(f.citizenA2)])
      const r = await citizenCall(world, f.citizenA, 'POST', '/v1/citizen/letters', {
        letter: toBase64Url(l.bytes),
      })
      expectRefusal(r, 'ERR_FORBIDDEN', '13.5-2', 'a citizen letter that is not a reply')
    },
  },
  {
    id: 'privacy.letters',
    title: "a citizen cannot read, open, delete, list or learn of another citizen's letter",
    group: 'privacy',
    clauses: ['13.3-1', '10.5-5'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const owner = await newCitizen(world, world.a)
      const l = await sealAs(world, f.agencyA, [recipientOf(owner)], { kind: 'registered' })
      expectStatus(await submit(world, f.agencyA, l.bytes), 202, '12.3-5', 'a letter to the owner')
      const ghost = '01900000-0000-7000-8000-000000000000'
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/attachments/0'],
        ['POST', '/opened'],
        ['DELETE', ''],
      ] as const) {
        const theirs = await citizenCall(
          world,
          f.citizenA2,
          method,
          `/v1/citizen/letters/${l.id}${suffix}`,
        )
        const none = await citizenCall(
          world,
          f.citizenA2,
          method,
          `/v1/citizen/letters/${ghost}${suffix}`,
        )
        expectRefusal(theirs, 'ERR_NOT_FOUND', '13.3-1', `${method} …${suffix} of another's letter`)
        ensure(
          theirs.message === none.message && theirs.status === none.status,
          `${method} …${suffix}: another's letter is answered differently from a letter that does not exist`,
          '10.5-5',
        )
      }
      const list = await citizenCall(world, f.citizenA2, 'GET', '/v1/citizen/letters?limit=200')
      expectStatus(list, 200, '13.3-1', 'listing the mailbox')
      ensure(!list.text.includes(l.id), "another's letter appears in the list", '13.3-1')
      const own = await citizenCall(world, owner, 'GET', `/v1/citizen/letters/${l.id}`)
      expectStatus(own, 200, '13.3-1', 'the owner fetching the letter')
      const box = await world.a.control.mailbox(owner.address)
      ensure(
        box.letters.find((x) => x.letterId === l.id)?.openedAt === null,
        "another citizen's request opened the letter",
        '13.3-1',
      )
    },
  },
  {
    id: 'privacy.sent-status',
    title: "an organisation cannot see the status of another organisation's letter",
    group: 'privacy',
    clauses: ['12.8-1', '10.5-5'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await sealAs(world, f.agencyA, [recipientOf(f.citizenA)])
      expectStatus(await submit(world, f.agencyA, l.bytes), 202, '12.3-5', 'a letter')
      const theirs = await senderCall(world, f.agencyA2, 'GET', `/v1/sender/letters/${l.id}`)
      const none = await senderCall(
        world,
        f.agencyA2,
        'GET',
        '/v1/sender/letters/01900000-0000-7000-8000-000000000000',
      )
      expectRefusal(theirs, 'ERR_NOT_FOUND', '12.8-1', "another organisation's letter status")
      ensure(
        theirs.message === none.message,
        "another organisation's letter is answered differently from none",
        '10.5-5',
      )
    },
  },
]
