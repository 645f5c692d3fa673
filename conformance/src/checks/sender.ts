/**
 * @module checks/sender
 * The sender API of node A (spec 12, 14.1): submission and its refusals, idempotency, letter-id
 * duplicates, each recipient's path, key revocation, and directory lookup across the federation
 * (11.6, 12.5), including a peer that answers with a redirect a node must not follow (10.5).
 */
import {
  encryptAttachment,
  sealLetter,
  toBase64Url,
  toHex,
} from '@barid/core'
import { call } from '../http/http.js'
import {
  citizenCall,
  newAgency,
  newCitizen,
  newKeys,
  recipientOf,
  sealAs,
  senderCall,
  statusOf,
  submit,
  textAttachment,
  uploadAttachment,
  type LetterStatusBody,
} from '../world/parties.js'
import { ensure, eventually, expectRefusal, expectStatus, type Check } from './check.js'
import { expectChain } from './evidence-chain.js'
import { fixtures } from './fixtures.js'

export const senderChecks: Check[] = [
  {
    id: 'sender.submit.local',
    title:
      'a registered letter to a mailbox at the same node is delivered with submission and delivered records',
    group: 'sender',
    clauses: ['12.3-5', '14.1-1', '14.5-1', '14.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await sealAs(world, f.agencyA, [recipientOf(f.citizenA)], { kind: 'registered' })
      const r = await submit(world, f.agencyA, l.bytes)
      expectStatus(r, 202, '12.3-5', 'submitting a letter')
      const s = r.body as LetterStatusBody
      const rec = s.recipients.find((x) => x.address === f.citizenA.address)
      ensure(rec?.state === 'delivered', `local recipient state ${rec?.state}`, '14.1-1')
      await expectChain(world, rec.chain, ['submission-accepted', 'delivered'], '14.5-1')
      const box = await world.a.control.mailbox(f.citizenA.address)
      ensure(
        box.letters.filter((x) => x.letterId === l.id).length === 1,
        'the mailbox does not hold the letter once',
        '14.4-3',
      )
    },
  },
  {
    id: 'sender.submit.sender-mismatch',
    title: 'a letter naming another sender than the caller is refused (ERR_SENDER_MISMATCH)',
    group: 'sender',
    clauses: ['12.3-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      // Sealed by agency 2 with its own key: only the sender API key is agency 1's.
      const l = await sealAs(world, f.agencyA2, [recipientOf(f.citizenA)])
      expectRefusal(
        await submit(world, f.agencyA, l.bytes),
        'ERR_SENDER_MISMATCH',
        '12.3-2',
        "another organisation's letter",
      )
      const box = await world.a.control.mailbox(f.citizenA.address)
      ensure(
        !box.letters.some((x) => x.letterId === l.id),
        'the refused letter was delivered',
        '12.3-2',
      )
    },
  },
  {
    id: 'sender.submit.key',
    title: 'a letter signed with an unregistered or revoked key is refused (ERR_KEY_NOT_FOUND)',
    group: 'sender',
    clauses: ['12.3-2', '12.7-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const other = await newKeys()
      const l = await sealAs(world, { address: f.agencyA.address, keys: other }, [
        recipientOf(f.citizenA),
      ])
      expectRefusal(
        await submit(world, f.agencyA, l.bytes),
        'ERR_KEY_NOT_FOUND',
        '12.3-2',
        'an unregistered signing key',
      )
      const ag = await newAgency(world, world.a)
      const del = await senderCall(
        world,
        ag,
        'DELETE',
        `/v1/sender/keys/${ag.keys.signing.kidBase64Url}`,
      )
      expectStatus(del, 204, '12.7-1', 'revoking a key')
      const l2 = await sealAs(world, ag, [recipientOf(f.citizenA)])
      expectRefusal(
        await submit(world, ag, l2.bytes),
        'ERR_KEY_NOT_FOUND',
        '12.7-1',
        'a letter signed with a revoked key',
      )
    },
  },
  {
    id: 'sender.submit.expired',
    title: 'a letter past its expiry is refused (ERR_LETTER_EXPIRED)',
    group: 'sender',
    clauses: ['12.3-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const now = world.clock.now()
      const l = await sealAs(world, f.agencyA, [recipientOf(f.citizenA)], {
        nowMs: now - 7200_000,
        expires: Math.floor(now / 1000) - 3600,
      })
      expectRefusal(
        await submit(world, f.agencyA, l.bytes),
        'ERR_LETTER_EXPIRED',
        '12.3-3',
        'an expired letter',
      )
    },
  },
  {
    id: 'sender.submit.too-large-body',
    title: 'a request body far beyond the letter limit is refused (ERR_INPUT_TOO_LARGE)',
    group: 'sender',
    clauses: ['10.3-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const max = world.a.discovery.payload.limits.maxLetterBytes
      const r = await senderCall(world, f.agencyA, 'POST', '/v1/sender/letters', {
        letter: toBase64Url(new Uint8Array(2 * max)),
      })
      expectRefusal(r, 'ERR_INPUT_TOO_LARGE', '10.3-2', `a body with a letter of ${2 * max} bytes`)
    },
  },
  {
    id: 'sender.submit.too-large-letter',
    title: 'a letter just over the advertised maxLetterBytes is refused (ERR_INPUT_TOO_LARGE)',
    group: 'sender',
    clauses: ['12.3-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const max = world.a.discovery.payload.limits.maxLetterBytes
      const r = await senderCall(world, f.agencyA, 'POST', '/v1/sender/letters', {
        letter: toBase64Url(new Uint8Array(max + 4096)),
      })
      expectRefusal(r, 'ERR_INPUT_TOO_LARGE', '12.3-1', `a letter of ${max + 4096} bytes`)
    },
  },
  {
    id: 'sender.attachments',
    title:
      'a letter naming an attachment not uploaded is refused; an uploaded one reaches the peer before its letter',
    group: 'sender',
    clauses: ['12.3-4', '11.5-1', '14.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`att${Date.now().toString(36)}`, await newKeys())
      const to = {
        address: box.address,
        key: { publicKey: box.encryption.publicKey, kid: box.encryption.kid },
      }
      const enc = await encryptAttachment(new TextEncoder().encode('attachment from node A'), {
        attachmentId: 'a1',
      })
      const attachments = [textAttachment(enc)]
      const l = await sealAs(world, f.agencyA, [to], { attachments })
      expectRefusal(
        await submit(world, f.agencyA, l.bytes),
        'ERR_ATTACHMENT_MISSING',
        '12.3-4',
        'a letter whose attachment was not uploaded',
      )
      const digest = toHex(enc.sha256)
      const up = await uploadAttachment(world, f.agencyA, digest, enc.ciphertext)
      expectStatus(up, [200, 201], '12.3-4', 'uploading the attachment')
      expectStatus(
        await submit(world, f.agencyA, l.bytes),
        202,
        '12.3-4',
        'the letter after its attachment was uploaded',
      )
      await eventually(
        async () => (world.peer.state.deliveries.has(`${l.id} ${box.address}`) ? true : undefined),
        { what: 'the letter and its attachment to reach the harness peer', clause: '11.5-1' },
      )
      ensure(
        world.peer.state.blobs.get(digest)?.byteLength === enc.size,
        'the peer does not hold the attachment',
        '11.5-1',
      )
    },
  },
  {
    id: 'sender.idempotency',
    title: 'an Idempotency-Key returns the first answer to a retry and refuses other content',
    group: 'sender',
    clauses: ['12.2-1', '12.2-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const key = `conf-${Date.now()}-${Math.random()}`
      const l1 = await sealAs(world, f.agencyA, [recipientOf(f.citizenA)])
      const l2 = await sealAs(world, f.agencyA, [recipientOf(f.citizenA)])
      const first = await submit(world, f.agencyA, l1.bytes, { 'idempotency-key': key })
      expectStatus(first, 202, '12.2-1', 'the first submission')
      const retry = await submit(world, f.agencyA, l1.bytes, { 'idempotency-key': key })
      ensure(
        retry.status === first.status && retry.text === first.text,
        'a retry got another answer',
        '12.2-1',
      )
      ensure(
        retry.headers.get('idempotent-replayed') === 'true',
        'a retry lacks Idempotent-Replayed: true',
        '12.2-1',
      )
      expectRefusal(
        await submit(world, f.agencyA, l2.bytes, { 'idempotency-key': key }),
        'ERR_IDEMPOTENCY_CONFLICT',
        '12.2-2',
        'the key reused for another letter',
      )
      const box = await world.a.control.mailbox(f.citizenA.address)
      ensure(
        !box.letters.some((x) => x.letterId === l2.id),
        'the letter refused under a reused key was delivered',
        '12.2-2',
      )
    },
  },
  {
    id: 'sender.duplicate-letter',
    title: 'the same letter submitted again is a duplicate; another letter with its id is refused',
    group: 'sender',
    clauses: ['12.2-3', '14.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await sealAs(world, f.agencyA, [recipientOf(f.citizenA)])
      expectStatus(await submit(world, f.agencyA, l.bytes), 202, '12.2-3', 'the first submission')
      const dup = await submit(world, f.agencyA, l.bytes)
      expectStatus(dup, 200, '12.2-3', 'the same letter again')
      ensure(
        (dup.body as LetterStatusBody).duplicate === true,
        'the repeat is not marked duplicate',
        '12.2-3',
      )
      const same = await sealLetter({
        sender: {
          address: f.agencyA.address,
          signingKey: f.agencyA.keys.signing.privateKey,
          kid: f.agencyA.keys.signing.kid,
          encryptionKey: {
            publicKey: f.agencyA.keys.encryption.publicKey,
            kid: f.agencyA.keys.encryption.kid,
          },
        },
        recipients: [{ address: f.citizenA.address, keys: [recipientOf(f.citizenA).key] }],
        contentType: 'text/plain; charset=utf-8',
        lang: 'en',
        body: new TextEncoder().encode('another letter, the same id'),
        now: world.clock.now(),
        random: { letterId: l.id },
      })
      expectRefusal(
        await submit(world, f.agencyA, same.bytes),
        'ERR_LETTER_CONFLICT',
        '12.2-3',
        'another letter with a used id',
      )
      const box = await world.a.control.mailbox(f.citizenA.address)
      ensure(
        box.letters.filter((x) => x.letterId === l.id).length === 1,
        'the mailbox does not hold the letter once',
        '14.4-3',
      )
    },
  },
  {
    id: 'sender.recipients',
    title:
      'each recipient gets the path of 14.1: exempt, unknown, withdrawn and unknown operators are not delivered',
    group: 'sender',
    clauses: ['14.1-1', '11.1-2', '12.3-5'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const exempt = await newCitizen(world, world.a, { status: 'exempt' })
      const key = async () => recipientOf({ address: '', keys: await newKeys() }).key
      const to = [
        recipientOf(exempt),
        { address: `nobody${Date.now()}@${world.a.operator}`, key: await key() },
        { address: `someone@${world.withdrawn.operator}`, key: await key() },
        { address: 'someone@unknown-operator.test', key: await key() },
      ]
      const l = await sealAs(world, f.agencyA, to, { kind: 'registered' })
      const r = await submit(world, f.agencyA, l.bytes)
      expectStatus(r, 202, '12.3-5', 'a letter to four recipients that cannot receive it')
      const s = r.body as LetterStatusBody
      const state = (a: string) => s.recipients.find((x) => x.address === a)
      const expect: [string, string[], string][] = [
        [to[0]!.address, ['ERR_RECIPIENT_EXEMPT'], '14.1-1'],
        [to[1]!.address, ['ERR_RECIPIENT_UNKNOWN'], '14.1-1'],
        [
          to[2]!.address,
          ['ERR_OPERATOR_SUSPENDED', 'ERR_OPERATOR_WITHDRAWN', 'ERR_OPERATOR_UNKNOWN'],
          '11.1-2',
        ],
        [to[3]!.address, ['ERR_OPERATOR_UNKNOWN'], '14.1-1'],
      ]
      for (const [address, codes, clause] of expect) {
        const x = state(address)
        ensure(
          x?.state === 'not-delivered' && codes.includes(x.code ?? ''),
          `${address}: ${x?.state} ${x?.code ?? ''}, expected not-delivered ${codes.join('/')}`,
          clause,
        )
      }
      // Nothing may reach the withdrawn operator (whose base URL is the harness peer).
      await world.a.control.runDelivery()
      await new Promise((r) => setTimeout(r, 300))
      ensure(
        !world.peer.attempts.some((t) => t.letterIds.includes(l.id)),
        'the letter was sent to a withdrawn operator',
        '11.1-2',
      )
    },
  },
  {
    id: 'sender.lookup',
    title:
      'directory lookup answers for local, other-node and harness-peer mailboxes with certified keys that verify',
    group: 'sender',
    clauses: ['12.5-1', '11.6-3', '13.4-2', '11.6-1', '10.5-7'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const peerBox = await world.peer.addMailbox(`lookup${Date.now()}`, await newKeys())
      for (const target of [f.citizenA.address, f.citizenB.address, peerBox.address]) {
        const r = await senderCall(
          world,
          f.agencyA,
          'GET',
          `/v1/sender/directory?address=${encodeURIComponent(target)}`,
        )
        expectStatus(r, 200, '12.5-1', `lookup of ${target}`)
        const b = r.body as {
          status: string
          address: string
          keys: { use: 'enc' | 'sig'; certificate: string }[]
        }
        ensure(
          b.status === 'active' && b.address === target,
          `lookup of ${target}: ${b.status}`,
          '12.5-1',
        )
        const enc = b.keys.find((k) => k.use === 'enc')
        ensure(enc, `lookup of ${target}: no encryption key`, '12.5-1')
        for (const k of b.keys) await world.verifyCertificate(k.certificate, target, k.use)
      }
      const r = await senderCall(
        world,
        f.agencyA,
        'GET',
        `/v1/sender/directory?address=${encodeURIComponent(`nobody${Date.now()}@${world.b.operator}`)}`,
      )
      expectStatus(r, 200, '12.5-1', 'lookup of an unknown address at node B')
      ensure(
        (r.body as { status: string }).status === 'unknown',
        'an unknown address is not answered unknown',
        '12.5-1',
      )
      // An operator outside the federation: answered unknown, and asked of no one (10.5, 11.6).
      const outside = await senderCall(
        world,
        f.agencyA,
        'GET',
        `/v1/sender/directory?address=${encodeURIComponent('someone@not-in-the-federation.test')}`,
      )
      expectStatus(outside, 200, '10.5-7', 'lookup of an address outside the federation')
      ensure(
        (outside.body as { status: string }).status === 'unknown',
        'an address outside the federation is not answered unknown',
        '10.5-7',
      )
    },
  },
  {
    id: 'sender.lookup.redirect',
    title: 'a node does not follow a redirect from a peer',
    group: 'sender',
    clauses: ['10.5-7', '12.5-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`redirect${Date.now()}`, await newKeys())
      world.peer.lookupMode = 'redirect'
      const before = world.peer.canaryHits
      try {
        const r = await senderCall(
          world,
          f.agencyA,
          'GET',
          `/v1/sender/directory?address=${encodeURIComponent(box.address)}`,
        )
        ensure(r.status >= 400, `a lookup answered by a redirect gave ${r.status}`, '10.5-7')
        expectRefusal(
          r,
          ['ERR_PEER_UNAVAILABLE', 'ERR_DISCOVERY_REDIRECT'],
          '12.5-1',
          'a lookup answered by a redirect',
        )
      } finally {
        world.peer.lookupMode = 'normal'
      }
      ensure(world.peer.canaryHits === before, 'the node followed the redirect', '10.5-7')
    },
  },
  {
    id: 'sender.lookup.peer-answer',
    title:
      "a node relays a peer's lookup answer only once checked: delivery paper kept, a mailbox with no key yet relayed as active with no keys, a malformed one refused (ERR_PEER_UNAVAILABLE)",
    group: 'sender',
    clauses: ['11.6-4'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`answer${Date.now()}`, await newKeys())
      const ask = () =>
        senderCall(
          world,
          f.agencyA,
          'GET',
          `/v1/sender/directory?address=${encodeURIComponent(box.address)}`,
        )
      try {
        world.peer.lookupMode = 'paper'
        const paper = await ask()
        expectStatus(paper, 200, '11.6-4', 'a lookup answered with delivery paper')
        const b = paper.body as { status?: string; delivery?: string }
        ensure(
          b.status === 'active' && b.delivery === 'paper',
          `a paper-served mailbox of the peer was relayed as ${b.status} ${b.delivery ?? '(no delivery)'}`,
          '11.6-4',
        )
        world.peer.lookupMode = 'keyless'
        const keyless = await ask()
        expectStatus(keyless, 200, '11.6-4', 'a lookup answered with no keys')
        const k = keyless.body as { status?: string; address?: string; keys?: unknown }
        ensure(
          k.status === 'active' &&
            k.address === box.address &&
            Array.isArray(k.keys) &&
            k.keys.length === 0,
          `a mailbox of the peer with no key yet was relayed as ${JSON.stringify(keyless.body).slice(0, 200)}`,
          '11.6-4',
        )
        world.peer.lookupMode = 'malformed'
        // The harness answers malformed lookups in turn: null, an unknown status, an address
        // of another operator, a key of no known use, an unknown delivery.
        for (let i = 0; i < 5; i++)
          expectRefusal(await ask(), 'ERR_PEER_UNAVAILABLE', '11.6-4', `malformed answer ${i + 1}`)
      } finally {
        world.peer.lookupMode = 'normal'
      }
    },
  },
  {
    id: 'sender.lookup.expired-key',
    title:
      "a node leaves out of a peer's lookup answer it relays a key whose certificate has expired, and relays the other keys",
    group: 'sender',
    clauses: ['11.6-7', '11.6-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const keys = await newKeys()
      const box = await world.peer.addMailbox(`expired${Date.now()}`, keys)
      world.peer.lookupMode = 'expired-key'
      try {
        const r = await senderCall(
          world,
          f.agencyA,
          'GET',
          `/v1/sender/directory?address=${encodeURIComponent(box.address)}`,
        )
        expectStatus(r, 200, '11.6-7', 'a lookup answered with one expired certificate')
        const b = r.body as { status?: string; address?: string; keys?: { kid?: string }[] }
        ensure(
          b.status === 'active' &&
            b.address === box.address &&
            Array.isArray(b.keys) &&
            b.keys.map((k) => k.kid).join() === keys.signing.kidBase64Url,
          `an answer with an expired enc certificate was relayed as ${JSON.stringify(b).slice(0, 300)}`,
          '11.6-7',
        )
      } finally {
        world.peer.lookupMode = 'normal'
      }
    },
  },
  {
    id: 'sender.auth',
    title: 'sender API requests without a valid API key are refused (ERR_UNAUTHENTICATED)',
    group: 'sender',
    clauses: ['12.1-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const bad = [
        undefined,
        'Bearer nonsense',
        `Bearer ${f.agencyA.apiKey.slice(0, -2)}xx`,
        `Bearer barid_sk_AAAAAAAAAAAAAAAA.${'A'.repeat(43)}`,
      ]
      for (const h of bad) {
        const r = await call(
          `${world.a.url}/v1/sender/letters/00000000-0000-7000-8000-000000000000`,
          { headers: h ? { authorization: h } : {} },
          world.http,
        )
        expectRefusal(
          r,
          'ERR_UNAUTHENTICATED',
          '12.1-1',
          `authorization ${h ? h.slice(0, 20) + '…' : 'absent'}`,
        )
        ensure(
          !r.text.includes(f.agencyA.apiKey.slice(10, 30)),
          'an error body repeats the API key',
          '10.5-4',
        )
      }
    },
  },
  {
    id: 'sender.cross-border',
    title: 'a registered letter from node A to node B is delivered once, with a verifying chain',
    group: 'delivery',
    clauses: ['14.4-3', '14.5-1', '11.4-10', '10.5-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await sealAs(world, f.agencyA, [recipientOf(f.citizenB)], { kind: 'registered' })
      expectStatus(await submit(world, f.agencyA, l.bytes), 202, '12.3-5', 'a letter to node B')
      const s = await eventually(
        async () => {
          const r = await statusOf(world, f.agencyA, l.id)
          const rec = r.body.recipients?.[0]
          return rec && rec.state !== 'pending' ? rec : undefined
        },
        { what: 'node A to settle a letter for node B', clause: '14.4-3' },
      )
      ensure(s.state === 'delivered', `the letter is ${s.state} ${s.code ?? ''}`, '14.4-3')
      await expectChain(
        world,
        s.chain,
        ['submission-accepted', 'relay-accepted', 'delivered'],
        '14.5-1',
      )
      const box = await world.b.control.mailbox(f.citizenB.address)
      ensure(
        box.letters.filter((x) => x.letterId === l.id).length === 1,
        'node B does not hold the letter once',
        '14.4-3',
      )
      const got = await citizenCall(world, f.citizenB, 'GET', `/v1/citizen/letters/${l.id}`)
      expectStatus(got, 200, '10.5-2', 'the citizen fetching the letter')
      ensure(
        (got.body as { letter: string }).letter === toBase64Url(l.bytes),
        'the letter served is not the bytes sealed',
        '10.5-2',
      )
    },
  },
]
