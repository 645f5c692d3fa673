/**
 * @module checks/delivery
 * Fixed scenarios of the delivery engine's guarantees (spec 14.3, 14.4) that the model-based
 * property also explores at random: a deadline passing after an ambiguous attempt, a deadline
 * passing while the peer is unreachable, a duplicate arriving after the deadline, and a peer
 * answering `200` with a body no sender can read.
 */
import { createEvidence, fromBase64Url, fromHex, toBase64Url } from '@barid/core'
import { deliveryKey } from '../peer/receive.js'
import { newKeys, recipientOf, sealAs, statusOf, submit, type Agency } from '../world/parties.js'
import type { World } from '../world/world.js'
import { ensure, eventually, expectStatus, type Check } from './check.js'
import { expectChain } from './evidence-chain.js'
import { fixtures, peerLetter, sendTx } from './fixtures.js'
import { sameRecords } from './transactions.js'
import { ADVANCE_SECONDS } from '../model/commands.js'

/** Waits until node A settles `id` for its first recipient, and gives that recipient's status. */
export async function settledState(
  world: World,
  agency: Parameters<typeof statusOf>[1],
  id: string,
) {
  return eventually(
    async () => {
      const s = (await statusOf(world, agency, id)).body.recipients?.[0]
      return s && s.state !== 'pending' && s.state !== 'unconfirmed' ? s : undefined
    },
    { what: `node A to settle ${id}`, clause: '14.4-4', timeoutMs: 20_000 },
  )
}

/** Brings the harness peer up again; node A must settle `id`, which the peer holds, delivered. */
async function deliveredOnceUp(world: World, agency: Agency, id: string, clause: string) {
  await world.peer.setMode('up')
  await world.a.control.runDelivery()
  const s = await settledState(world, agency, id)
  ensure(
    s.state === 'delivered',
    `the peer holds the letter, node A says ${s.state} ${s.code ?? ''}`,
    clause,
  )
}

/** Seals a registered letter from `agency` to a harness-peer mailbox and submits it at node A. */
export async function registeredToPeer(
  world: World,
  agency: Agency,
  box: Awaited<ReturnType<World['peer']['addMailbox']>>,
) {
  const key = { publicKey: box.encryption.publicKey, kid: box.encryption.kid }
  const l = await sealAs(world, agency, [{ address: box.address, key }], { kind: 'registered' })
  expectStatus(await submit(world, agency, l.bytes), 202, '12.3-5', 'a letter to the harness peer')
  return l
}

export const deliveryChecks: Check[] = [
  {
    id: 'delivery.ambiguous-deadline',
    title:
      'after an ambiguous attempt, the sending node does not declare non-delivery when the deadline passes',
    group: 'delivery',
    clauses: ['14.4-2', '14.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`amb${Date.now().toString(36)}`, await newKeys())
      await world.peer.setMode('ambiguous')
      try {
        const l = await registeredToPeer(world, f.agencyA, box)
        await eventually(
          async () =>
            world.peer.state.deliveries.has(deliveryKey(l.id, box.address)) ? true : undefined,
          { what: 'node A to attempt delivery', clause: '14.4-3' },
        )
        await world.advance(ADVANCE_SECONDS)
        await world.a.control.runDelivery()
        await new Promise((r) => setTimeout(r, 500))
        await deliveredOnceUp(world, f.agencyA, l.id, '14.4-2')
      } finally {
        await world.peer.setMode('up')
      }
    },
  },
  {
    id: 'delivery.malformed-answer',
    title:
      'the sending node settles nothing on a 200 answer it cannot read, and settles delivered once the answer is right',
    group: 'delivery',
    clauses: ['14.3-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`mal${Date.now().toString(36)}`, await newKeys())
      await world.peer.setMode('malformed')
      try {
        const l = await registeredToPeer(world, f.agencyA, box)
        const seen = () => world.peer.attempts.filter((a) => a.letterIds.includes(l.id)).length
        // Every kind of unreadable answer the peer gives, in turn, at least once.
        for (let i = 0; i < 4; i++) {
          const before = seen()
          await world.a.control.runDelivery()
          await eventually(async () => (seen() > before ? true : undefined), {
            what: 'node A to attempt delivery again',
            clause: '14.3-2',
          })
          const s = (await statusOf(world, f.agencyA, l.id)).body.recipients?.[0]
          ensure(
            s?.state === 'pending' || s?.state === 'unconfirmed',
            `after an unreadable answer node A says ${s?.state ?? 'nothing'} ${s?.code ?? ''}`,
            '14.3-2',
          )
        }
        await deliveredOnceUp(world, f.agencyA, l.id, '14.3-2')
      } finally {
        await world.peer.setMode('up')
      }
    },
  },
  {
    id: 'delivery.unreachable-deadline',
    title:
      'a letter for an unreachable peer ends not-delivered with ERR_DELIVERY_EXPIRED and its evidence when the deadline passes',
    group: 'delivery',
    clauses: ['14.4-4', '14.5-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`down${Date.now().toString(36)}`, await newKeys())
      await world.peer.setMode('down')
      try {
        const l = await registeredToPeer(world, f.agencyA, box)
        await new Promise((r) => setTimeout(r, 300))
        await world.advance(ADVANCE_SECONDS)
        await world.a.control.runDelivery()
        const s = await settledState(world, f.agencyA, l.id)
        ensure(
          s.state === 'not-delivered' && s.code === 'ERR_DELIVERY_EXPIRED',
          `node A says ${s.state} ${s.code ?? ''}`,
          '14.4-4',
        )
        await expectChain(world, s.chain, ['submission-accepted', 'not-delivered'], '14.5-1')
        ensure(
          !world.peer.state.deliveries.has(deliveryKey(l.id, box.address)),
          'the peer received the expired letter',
          '14.4-4',
        )
      } finally {
        await world.peer.setMode('up')
      }
    },
  },
  {
    id: 'tx.duplicate.after-deadline',
    title:
      'a letter delivered before its deadline and resent after it is answered delivered with the first evidence',
    group: 'transactions',
    clauses: ['11.4-10', '11.4-18', '14.4-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
        deliverBeforeMs: world.clock.now() + 600_000,
      })
      const first = (await sendTx(world, world.a, { letters: [l.entry] })).answer?.letters?.[0]
        ?.recipients?.[0]
      ensure(
        first?.status === 'delivered',
        `first delivery: ${first?.status} ${first?.code ?? ''}`,
        '11.4-10',
      )
      await world.advance(3600)
      const again = (await sendTx(world, world.a, { letters: [l.entry] })).answer?.letters?.[0]
        ?.recipients?.[0]
      ensure(
        again?.status === 'delivered',
        `resent after the deadline: ${again?.status} ${again?.code ?? ''}`,
        '11.4-10',
      )
      ensure(
        sameRecords(again.evidence, first.evidence),
        'resent after the deadline: other evidence',
        '11.4-18',
      )
    },
  },
  {
    id: 'tx.evidence.digest',
    title:
      "returned evidence naming one of the node's letters by id but another digest is rejected (ERR_EVIDENCE_MALFORMED)",
    group: 'transactions',
    clauses: ['11.4-13', '11.4-19'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`dig${Date.now().toString(36)}`, await newKeys())
      const l = await registeredToPeer(world, f.agencyA, box)
      const d = await eventually(
        async () => world.peer.state.deliveries.get(deliveryKey(l.id, box.address)),
        { what: 'node A to deliver the letter to the harness peer', clause: '11.4-19' },
      )
      const record = async (letterDigest: string) =>
        toBase64Url(
          (
            await createEvidence({
              type: 'retrieved',
              letterId: l.id,
              letterDigest: fromHex(letterDigest),
              issuer: world.peer.id.operator,
              recipient: box.address,
              prev: new Uint8Array(
                await crypto.subtle.digest(
                  'SHA-256',
                  fromBase64Url(d.evidence.at(-1)!) as Uint8Array<ArrayBuffer>,
                ),
              ),
              time: world.clock.now(),
              key: {
                privateKey: world.peer.id.evidence.privateKey,
                kid: world.peer.id.evidence.kid,
              },
            })
          ).bytes,
        )
      const other = d.digest.replace(/^./, (c) => (c === '0' ? '1' : '0'))
      const r = await sendTx(world, world.a, {
        evidence: [{ record: await record(other) }, { record: await record(d.digest) }],
      })
      expectStatus(r, 200, '11.4-19', 'a transaction of two evidence items')
      const [wrong, right] = r.answer?.evidence ?? []
      ensure(
        wrong?.status === 'rejected' && wrong.code === 'ERR_EVIDENCE_MALFORMED',
        `a record naming another digest was ${wrong?.status ?? 'not answered'} ${wrong?.code ?? ''}`,
        '11.4-19',
      )
      ensure(
        right?.status === 'accepted',
        `with the letter's digest: ${right?.status ?? 'not answered'} ${right?.code ?? ''}`,
        '11.4-13',
      )
    },
  },
  {
    id: 'evidence.sender-view',
    title:
      "the sender's state for a recipient turns not-delivered on a late record, and stays there",
    group: 'transactions',
    clauses: ['17.5-1', '11.4-13'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const box = await world.peer.addMailbox(`late${Date.now().toString(36)}`, await newKeys())
      const l = await registeredToPeer(world, f.agencyA, box)
      const d = await eventually(
        async () => world.peer.state.deliveries.get(deliveryKey(l.id, box.address)),
        { what: 'node A to deliver the letter to the harness peer', clause: '17.5-1' },
      )
      const settled = await settledState(world, f.agencyA, l.id)
      ensure(settled.state === 'delivered', `node A says ${settled.state} first`, '17.5-1')
      const delivered = fromBase64Url(d.evidence.at(-1)!)
      const gaveUp = toBase64Url(
        (
          await createEvidence({
            type: 'not-delivered',
            letterId: l.id,
            letterDigest: fromHex(d.digest),
            issuer: world.peer.id.operator,
            recipient: box.address,
            reason: 'channel-failed',
            prev: new Uint8Array(
              await crypto.subtle.digest('SHA-256', delivered as Uint8Array<ArrayBuffer>),
            ),
            time: world.clock.now(),
            key: {
              privateKey: world.peer.id.evidence.privateKey,
              kid: world.peer.id.evidence.kid,
            },
          })
        ).bytes,
      )
      const r = await sendTx(world, world.a, { evidence: [{ record: gaveUp }] })
      ensure(
        r.answer?.evidence?.[0]?.status === 'accepted',
        `node A ${r.answer?.evidence?.[0]?.status ?? 'did not answer'} the not-delivered record`,
        '11.4-13',
      )
      const stateNow = async () => (await statusOf(world, f.agencyA, l.id)).body.recipients?.[0]
      const after = await stateNow()
      ensure(
        after?.state === 'not-delivered',
        `after a not-delivered record node A says ${after?.state ?? 'nothing'}`,
        '17.5-1',
      )
      // The same records again, the earlier one last: the state does not move back.
      await sendTx(world, world.a, {
        evidence: [{ record: gaveUp }, { record: toBase64Url(delivered) }],
      })
      const again = await stateNow()
      ensure(
        again?.state === 'not-delivered',
        `after the records were sent again node A says ${again?.state ?? 'nothing'}`,
        '17.5-1',
      )
    },
  },
]
