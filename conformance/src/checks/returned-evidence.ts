/**
 * @module checks/returned-evidence
 * What a sending node keeps of the evidence a receiver returns with its answer (spec 11.4, 17.3,
 * 17.5). The harness peer answers a registered letter of node A with records that do not verify
 * with its evidence key, or that are about other content under the letter's id or about another
 * letter of node A: first with `retry`, then with `delivered`. No such record may show in either
 * letter's status, and none may move a recipient's state: the letter stays pending on the first
 * answer and is delivered on the peer's word (14.3) on the second, and the other letter stays
 * delivered with its chain as it was.
 */
import { fromBase64Url, toBase64Url, toHex } from '@barid/core'
import { forgedRecord, otherDigest } from '../peer/forged-evidence.js'
import { deliveryKey, type Delivery } from '../peer/receive.js'
import { newKeys, statusOf, type Agency, type LetterStatusBody } from '../world/parties.js'
import type { World } from '../world/world.js'
import { ensure, eventually, type Check } from './check.js'
import { registeredToPeer, settledState } from './delivery.js'
import { expectChain } from './evidence-chain.js'
import { fixtures } from './fixtures.js'

const CLAUSE = '11.4-20'

async function sha(b: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>))
}

/**
 * The records the peer returns for delivery `d` that no sending node may keep: some would make
 * the recipient delivered and some not delivered, were they kept; the last is a well-signed
 * record about `other`, another letter of the same node, that would end its chain.
 */
async function forgeries(world: World, d: Delivery, other: Delivery): Promise<Uint8Array[]> {
  const peer = world.peer.id
  const about = {
    letterId: d.letterId,
    digest: d.digest,
    recipient: d.recipient,
    prev: await sha(d.submission!),
    time: world.clock.now(),
  }
  const relay = { ...about, type: 'relay-accepted' } as const
  const delivered = { ...about, type: 'delivered' } as const
  const gaveUp = { ...about, type: 'not-delivered', reason: 'channel-failed' } as const
  return Promise.all([
    forgedRecord(peer, relay, 'wrong-key'),
    forgedRecord(peer, delivered, 'broken-signature'),
    forgedRecord(peer, delivered, 'other-issuer', { issuer: world.b.operator }),
    forgedRecord(peer, { ...delivered, digest: otherDigest(d.digest) }, 'valid'),
    forgedRecord(peer, gaveUp, 'wrong-key'),
    forgedRecord(peer, gaveUp, 'broken-signature'),
    forgedRecord(peer, { ...gaveUp, digest: otherDigest(d.digest) }, 'valid'),
    forgedRecord(
      peer,
      {
        ...gaveUp,
        letterId: other.letterId,
        digest: other.digest,
        recipient: other.recipient,
        prev: await sha(fromBase64Url(other.evidence.at(-1)!)),
      },
      'valid',
    ),
  ])
}

/** Node A's status of `letterId`; fails if it shows any of `forged`. */
async function withoutForged(
  world: World,
  agency: Agency,
  letterId: string,
  forged: readonly Uint8Array[],
  what: string,
): Promise<LetterStatusBody> {
  const s = (await statusOf(world, agency, letterId)).body
  const shown = new Set(
    [...(s.evidence ?? []), ...(s.recipients ?? []).flatMap((r) => r.chain ?? [])].map((x) =>
      toHex(fromBase64Url(x)),
    ),
  )
  const kept = forged.filter((b) => shown.has(toHex(b))).length
  ensure(
    kept === 0,
    `${what}: node A keeps ${kept} returned records that do not verify with the issuer's key or are not about the letter`,
    CLAUSE,
  )
  return s
}

/** Fails unless `s` still shows what `before` showed for the other letter. */
function unchanged(s: LetterStatusBody, before: LetterStatusBody, when: string) {
  const r = s.recipients?.[0]
  ensure(
    r?.state === 'delivered',
    `${when}, the other letter is ${r?.state ?? 'not shown'} ${r?.code ?? ''}, was delivered`,
    CLAUSE,
  )
  ensure(
    JSON.stringify(r.chain) === JSON.stringify(before.recipients[0]!.chain) &&
      [...s.evidence].sort().join() === [...before.evidence].sort().join(),
    `${when}, the evidence of the other letter changed`,
    CLAUSE,
  )
}

export const returnedEvidenceChecks: Check[] = [
  {
    id: 'delivery.returned-evidence',
    title:
      'a sending node keeps no returned record that does not verify with its issuer key or is not about the letter sent, and no state follows one',
    group: 'delivery',
    clauses: [CLAUSE],
    kind: 'example',
    timeoutMs: 90_000,
    async run({ world }) {
      const f = await fixtures(world)
      const tag = Date.now().toString(36)
      // A letter delivered with the peer's own records first: a forged record names it.
      const box0 = await world.peer.addMailbox(`evo${tag}`, await newKeys())
      const l0 = await registeredToPeer(world, f.agencyA, box0)
      const first = await settledState(world, f.agencyA, l0.id)
      ensure(first.state === 'delivered', `the first letter is ${first.state}`, CLAUSE)
      const other = world.peer.state.deliveries.get(deliveryKey(l0.id, box0.address))!
      const before = (await statusOf(world, f.agencyA, l0.id)).body
      const forged: Uint8Array[] = []
      const box = await world.peer.addMailbox(`evf${tag}`, await newKeys())
      const forge = (status: 'retry' | 'delivered') => ({
        status,
        evidence: async (d: Delivery) => {
          const records = await forgeries(world, d, other)
          forged.push(...records)
          return records.map((r) => toBase64Url(r))
        },
      })
      world.peer.forge = forge('retry')
      try {
        const l = await registeredToPeer(world, f.agencyA, box)
        // A second attempt starts after node A has read the first answer.
        const attempts = () => world.peer.attempts.filter((a) => a.letterIds.includes(l.id))
        for (const n of [1, 2]) {
          await world.a.control.runDelivery()
          await eventually(async () => (attempts().length >= n ? true : undefined), {
            what: `attempt ${n} of node A to deliver the letter`,
            clause: CLAUSE,
          })
        }
        const pending = await withoutForged(world, f.agencyA, l.id, forged, 'after retry')
        const r = pending.recipients?.[0]
        ensure(
          r?.state === 'pending' || r?.state === 'unconfirmed',
          `answered retry with records that are no evidence, node A says ${r?.state ?? 'nothing'} ${r?.code ?? ''}`,
          CLAUSE,
        )
        unchanged(
          await withoutForged(world, f.agencyA, l0.id, forged, 'the other letter, after retry'),
          before,
          'after retry',
        )

        world.peer.forge = forge('delivered')
        await world.a.control.runDelivery()
        const settled = await settledState(world, f.agencyA, l.id)
        ensure(
          settled.state === 'delivered',
          `answered delivered with records that are no evidence, node A says ${settled.state} ${settled.code ?? ''}`,
          CLAUSE,
        )
        const done = await withoutForged(world, f.agencyA, l.id, forged, 'after delivered')
        // Nothing beyond the submission record (a node may leave out a chain of that alone).
        const chain = done.recipients[0]?.chain
        if (chain?.length) await expectChain(world, chain, ['submission-accepted'], CLAUSE)
        unchanged(
          await withoutForged(world, f.agencyA, l0.id, forged, 'the other letter, after delivered'),
          before,
          'after delivered',
        )
      } finally {
        world.peer.forge = undefined
      }
    },
  },
]
