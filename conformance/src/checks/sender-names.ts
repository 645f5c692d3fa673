/**
 * @module checks/sender-names
 * A sender organisation's display names across the border (spec 11.4 `senderDisplay`) and in the
 * recipient's listing (13.5 `senderNames`, `senderName`): node A refuses malformed names as any
 * malformed member and keeps well-formed ones with the letter; the listing names the sender in
 * the order of a notification's language (17.7); and node A, sending, carries its sender's
 * registered names, the same in every transaction of a letter, and none for a citizen's reply;
 * and only to a peer whose self-description advertises the feature `sender-display` (11.3).
 */
import { toBase64Url, toHex, type SenderDisplay } from '@barid/core'
import fc from 'fast-check'
import { DEFAULT_PEER_FEATURES } from '../peer/harness-peer.js'
import { Unsupported } from '../http/test-control.js'
import { deliveryKey } from '../peer/receive.js'
import {
  citizenCall,
  newAgency,
  newCitizen,
  newKeys,
  recipientOf,
  sealAs,
  type Citizen,
} from '../world/parties.js'
import type { World } from '../world/world.js'
import { ensure, eventually, expectRefusal, expectStatus, fail, type Check } from './check.js'
import { registeredToPeer } from './delivery.js'
import { fixtures, peerLetter, sendTx, type PeerLetter } from './fixtures.js'
import { MALFORMED_DISPLAYS, malformedDisplay } from './malformed-names.js'
import { checkProperty } from './property.js'

/** The names the harness peer vouches for, in the example of 11.4. */
const DISPLAY: SenderDisplay = {
  name: 'Conformance Authority',
  names: {
    ar: 'هيئة المطابقة',
    da: 'Overensstemmelsesmyndigheden',
    en: 'Conformance Authority',
    'sr-Latn': 'Uprava za usaglašenost',
  },
}

/** JSON with members in one order, so that equal names compare equal however they were sent. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  )
}

interface ListedEntry {
  letterId: string
  senderName?: unknown
  senderNames?: unknown
}

/** The entry of `letterId` in `c`'s listing (13.5). */
async function listed(world: World, c: Citizen, letterId: string): Promise<ListedEntry> {
  const r = await citizenCall(world, c, 'GET', '/v1/citizen/letters?limit=200')
  expectStatus(r, 200, '13.5-5', 'listing the mailbox')
  const e = (r.body as { letters?: ListedEntry[] }).letters?.find((x) => x.letterId === letterId)
  if (!e)
    fail(
      `the listing has no entry for the delivered letter ${letterId}`,
      '11.4-22',
      r.exchange,
    )
  return e
}

/**
 * Ends a check as unsupported when node A does not advertise `sender-display` (11.3): such a
 * node may refuse the member as unknown (11.4), and no peer sends it one.
 */
function requireSenderDisplay(world: World): void {
  const f = world.a.discovery.payload.features
  if (!Array.isArray(f) || !f.includes('sender-display'))
    throw new Unsupported(
      'sender-display',
      'node A does not advertise the feature sender-display (11.3)',
    )
}

/** Sends `l` to node A and fails unless it is delivered to its one recipient. */
async function deliver(world: World, l: PeerLetter, clause: string): Promise<void> {
  const r = await sendTx(world, world.a, { letters: [l.entry] })
  expectStatus(r, 200, clause, 'a transaction of one letter')
  const rec = r.answer?.letters?.[0]?.recipients?.[0]
  ensure(
    rec?.status === 'delivered',
    `the letter is ${rec?.status ?? 'not answered'} ${rec?.code ?? ''}`,
    clause,
    r.exchange,
  )
}

/** Fails unless the listing of `l` shows `names` as `senderNames`, as they were sent (11.4). */
async function expectKept(world: World, c: Citizen, l: PeerLetter, names: Record<string, string>) {
  const e = await listed(world, c, l.letter.id)
  ensure(
    canonical(e.senderNames) === canonical(names),
    `the listing shows senderNames ${JSON.stringify(e.senderNames)}, the transaction carried ${JSON.stringify(names)}`,
    '11.4-22',
  )
  return e
}

/** Whether node A holds `letterId` for `c` (test control, 30.4). */
async function held(world: World, c: Citizen, letterId: string): Promise<boolean> {
  return (await world.a.control.mailbox(c.address)).letters.some((x) => x.letterId === letterId)
}

const primary = (tag: string) => tag.split('-')[0]!.toLowerCase()

/** Languages node A serves by its self-description (10.4, 11.3), preferred first. */
function servedBy(world: World): string[] {
  return [...new Set(world.a.discovery.payload.languages.map(primary))]
}

/** What each `senderName` case sends and what the listing must show. */
interface NameCase {
  what: string
  lang: string
  display?: SenderDisplay
  want: string | null
}

/**
 * Cases of 13.5 (the order of 17.7) from node A's languages. Each expected name is the only one
 * the order permits, given two facts the suite relies on: the mailbox, opened through test
 * control (30.4), holds no language preference of its holder (who never stated one), so the
 * order starts at the letter's language (17.7 step 2); and a node writes in the languages its
 * profile says it serves. Without a name in the chosen language, the first served language with
 * a name decides, so the cases of a letter in an unserved language hold whichever served language
 * a node would write its notification in.
 */
function nameCases(served: readonly string[]): NameCase[] {
  const unserved = ['fi', 'is', 'ja', 'sw', 'ko', 'pt', 'de', 'fr'].find(
    (t) => !served.includes(t),
  )!
  const first = served[0]!
  const last = served[served.length - 1]!
  const n = (tag: string) => `Authority (${tag})`
  const reg = 'Conformance Registered Name'
  const cases: NameCase[] = [
    {
      // With two languages or more, the letter's language is not node A's first: a node that
      // skipped step 2 would show the first language's name.
      what: `a letter in ${last}, which node A serves`,
      lang: last,
      display: {
        name: reg,
        names: { [unserved]: n(unserved), [first]: n(first), [last]: n(last) },
      },
      want: n(last),
    },
    {
      what: `a letter in ${last}, the name under a regional tag of it`,
      lang: last,
      display: { name: reg, names: { [unserved]: n(unserved), [`${last}-ZZ`]: n(`${last}-ZZ`) } },
      want: n(`${last}-ZZ`),
    },
    {
      what: `a letter in ${unserved}, which node A does not serve`,
      lang: unserved,
      display: { name: reg, names: { [unserved]: n(unserved), [first]: n(first) } },
      want: n(first),
    },
    {
      what: `a letter in ${unserved}, with a name only in a served language`,
      lang: unserved,
      display: { name: reg, names: { [unserved]: n(unserved), [last]: n(last) } },
      want: n(last),
    },
    {
      what: `a letter in ${unserved}, with no name in a served language`,
      lang: unserved,
      display: { name: reg, names: { [unserved]: n(unserved) } },
      want: reg,
    },
    {
      what: 'a letter whose sender has no names per language',
      lang: last,
      display: { name: reg, names: {} },
      want: reg,
    },
    { what: 'a letter that came without senderDisplay', lang: last, want: null },
  ]
  return cases
}

/** Every letter entry node A sent the harness peer for the letter of `digest` (hex). */
function carried(world: World, digest: string) {
  return world.peer.attempts.flatMap((a) =>
    a.entries.filter((e) => e.digest === digest).map((e) => ({ status: a.status, ...e })),
  )
}

/** Longer than a node may keep a copy of a peer's self-description (11.3), in seconds. */
const SELF_DESCRIPTION_AGE_SECONDS = 5 * 60 + 1

/**
 * Has the harness peer advertise `features` (`null`: no member), and moves the clocks past the
 * time node A may keep the peer's former self-description (11.3).
 */
async function advertise(world: World, features: string[] | null): Promise<void> {
  world.peer.features = features
  await world.advance(SELF_DESCRIPTION_AGE_SECONDS)
}

/** Sends a letter of `agency` at node A to a fresh mailbox at the peer; what its entries held. */
async function sentToPeer(
  world: World,
  agency: Awaited<ReturnType<typeof newAgency>>,
  clause: string,
) {
  const box = await world.peer.addMailbox(`feat${Date.now().toString(36)}`, await newKeys())
  const l = await registeredToPeer(world, agency, box)
  await world.a.control.runDelivery()
  await eventually(
    async () =>
      world.peer.state.deliveries.has(deliveryKey(l.id, box.address)) ? true : undefined,
    { what: 'node A to deliver the letter to the harness peer', clause },
  )
  return carried(world, toHex(l.digest))
}

export const senderNameChecks: Check[] = [
  {
    id: 'sender.sender-display.features',
    title:
      'node A sends sender names only to a peer that advertises sender-display, ignoring names it does not know, and delivers the letter without them otherwise',
    group: 'sender',
    clauses: ['11.3-7', '11.3-8', '11.3-11', '11.4-24'],
    kind: 'example',
    timeoutMs: 120_000,
    async run({ world }) {
      const agency = await newAgency(world, world.a, { name: 'Conformance Features Authority' })
      try {
        for (const features of [null, [], ['conformance-not-yet-defined'], ['Sender-Display']]) {
          await advertise(world, features)
          const sent = await sentToPeer(world, agency, '11.4-24')
          const what = features ? `features ${JSON.stringify(features)}` : 'no features member'
          ensure(
            sent.length > 0 && sent.every((s) => !s.present),
            `to a peer advertising ${what}, node A sent senderDisplay`,
            features === null ? '11.3-8' : features.length === 0 ? '11.4-24' : '11.3-7',
          )
        }
        // Among names no node knows, the one it knows counts.
        await advertise(world, [...DEFAULT_PEER_FEATURES])
        const sent = await sentToPeer(world, agency, '11.4-21')
        ensure(
          sent.length > 0 && sent.every((s) => s.present),
          `to a peer advertising ${JSON.stringify(DEFAULT_PEER_FEATURES)}, node A left senderDisplay out`,
          '11.3-7',
        )
      } finally {
        if (JSON.stringify(world.peer.features) !== JSON.stringify(DEFAULT_PEER_FEATURES))
          await advertise(world, [...DEFAULT_PEER_FEATURES])
      }
    },
  },
  {
    id: 'tx.sender-display.refused',
    title:
      'a letter with a malformed senderDisplay is refused whole (ERR_INVALID_ARGUMENT) and delivered with well-formed names, which the listing shows',
    group: 'transactions',
    clauses: ['11.4-22', '11.3-9'],
    kind: 'example',
    timeoutMs: 120_000,
    async run({ world }) {
      requireSenderDisplay(world)
      const f = await fixtures(world)
      const c = await newCitizen(world, world.a)
      const l = await peerLetter(world, f.peerSender, [recipientOf(c)], { kind: 'registered' })
      for (const [what, senderDisplay] of MALFORMED_DISPLAYS) {
        const r = await sendTx(world, world.a, { letters: [{ ...l.entry, senderDisplay }] })
        expectRefusal(r, 'ERR_INVALID_ARGUMENT', '11.4-22', `a senderDisplay with ${what}`)
      }
      ensure(!(await held(world, c, l.letter.id)), 'a refused letter is in the mailbox', '11.4-22')
      await deliver(world, { ...l, entry: { ...l.entry, senderDisplay: DISPLAY } }, '11.4-22')
      await expectKept(world, c, l, DISPLAY.names)
    },
  },
  {
    id: 'tx.sender-display.refused-any',
    title: 'any senderDisplay of the wrong form is refused whole (ERR_INVALID_ARGUMENT)',
    group: 'transactions',
    clauses: ['11.4-22'],
    kind: 'property',
    timeoutMs: 180_000,
    async run(ctx) {
      requireSenderDisplay(ctx.world)
      const { world } = ctx
      const f = await fixtures(world)
      const c = await newCitizen(world, world.a)
      const l = await peerLetter(world, f.peerSender, [recipientOf(c)])
      await checkProperty(
        ctx,
        fc.asyncProperty(malformedDisplay(), async (senderDisplay) => {
          const r = await sendTx(world, world.a, { letters: [{ ...l.entry, senderDisplay }] })
          expectRefusal(r, 'ERR_INVALID_ARGUMENT', '11.4-22', 'a malformed senderDisplay')
        }),
        '11.4-22',
      )
      ensure(!(await held(world, c, l.letter.id)), 'a refused letter is in the mailbox', '11.4-22')
    },
  },
  {
    id: 'citizen.sender-name',
    title:
      'the listing names the sender in the letter language when node A serves it, else in the order of a notification language',
    group: 'citizen',
    clauses: ['13.5-5', '11.4-22'],
    kind: 'example',
    timeoutMs: 120_000,
    async run({ world }) {
      requireSenderDisplay(world)
      const f = await fixtures(world)
      const c = await newCitizen(world, world.a)
      for (const k of nameCases(servedBy(world))) {
        const l = await peerLetter(world, f.peerSender, [recipientOf(c)], {
          lang: k.lang,
          ...(k.display ? { senderDisplay: k.display } : {}),
        })
        await deliver(world, l, '11.4-22')
        const e = k.display
          ? await expectKept(world, c, l, k.display.names)
          : await listed(world, c, l.letter.id)
        ensure(
          e.senderName === k.want,
          `${k.what} (node A serves ${servedBy(world).join(', ')}): senderName ${JSON.stringify(e.senderName)}, expected ${JSON.stringify(k.want)}`,
          '13.5-5',
        )
      }
    },
  },
  {
    id: 'sender.sender-display',
    title:
      'node A sends its sender names with a letter, the same in every transaction that carries it, and none with a reply of a citizen',
    group: 'sender',
    clauses: ['11.4-21'],
    kind: 'example',
    timeoutMs: 120_000,
    async run({ world }) {
      const tag = Date.now().toString(36)
      // Registered through test control, whose `name` is the registration's one name and which
      // registers no names per language (30.4): the suite knows what the letters must carry.
      const want: SenderDisplay = { name: `Autorité de conformité ${tag}`, names: {} }
      const agency = await newAgency(world, world.a, { name: want.name })
      const box = await world.peer.addMailbox(`names${tag}`, await newKeys())
      // The peer answers 503 first, so that node A carries the letter in a second transaction.
      await world.peer.setMode('unavailable')
      let digest: string
      let id: string
      try {
        const l = await registeredToPeer(world, agency, box)
        digest = toHex(l.digest)
        id = l.id
        await eventually(async () => (carried(world, digest).length > 0 ? true : undefined), {
          what: 'node A to try to deliver to the unavailable peer',
          clause: '11.4-21',
        })
      } finally {
        await world.peer.setMode('up')
      }
      await world.a.control.runDelivery()
      await eventually(
        async () =>
          world.peer.state.deliveries.has(deliveryKey(id, box.address)) ? true : undefined,
        { what: 'node A to deliver the letter once the peer is up', clause: '11.4-21' },
      )
      const sent = carried(world, digest)
      ensure(
        sent.length >= 2 && sent.some((s) => s.status === 503),
        `the letter was carried in ${sent.length} transactions, expected a refused one and a retry`,
        '11.4-21',
      )
      for (const s of sent)
        ensure(
          s.present && canonical(s.senderDisplay) === canonical(want),
          `a transaction (answered ${s.status}) carried senderDisplay ${s.present ? JSON.stringify(s.senderDisplay)?.slice(0, 200) : 'absent'}, the registration holds ${JSON.stringify(want)}`,
          '11.4-21',
        )

      // A citizen has no names: the reply it sends carries none.
      const f = await fixtures(world)
      const c = await newCitizen(world, world.a)
      const incoming = await peerLetter(world, f.peerSender, [recipientOf(c)])
      await deliver(world, incoming, '11.4-10')
      const to = {
        address: f.peerSender.address,
        key: { publicKey: f.peerSender.encryption.publicKey, kid: f.peerSender.encryption.kid },
      }
      const reply = await sealAs(world, c, [to], { replyTo: incoming.letter.id })
      const r = await citizenCall(world, c, 'POST', '/v1/citizen/letters', {
        letter: toBase64Url(reply.bytes),
      })
      expectStatus(r, 202, '13.5-2', 'a citizen reply to the harness peer')
      await eventually(
        async () =>
          world.peer.state.deliveries.has(deliveryKey(reply.id, to.address)) ? true : undefined,
        { what: 'node A to deliver the citizen reply', clause: '11.4-21' },
      )
      const replies = carried(world, toHex(reply.digest))
      ensure(
        replies.length > 0 && replies.every((s) => !s.present),
        `a citizen reply was carried with senderDisplay ${JSON.stringify(replies.find((s) => s.present)?.senderDisplay)?.slice(0, 200)}`,
        '11.4-21',
      )
    },
  },
]
