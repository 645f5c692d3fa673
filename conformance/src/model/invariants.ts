/**
 * @module model/invariants
 * What must hold at the end of every model run (spec 14.4, 14.5), once the harness peer is up
 * again and the nodes have been told to deliver now:
 *
 * - every letter node A accepted ends, for its recipient, `delivered` or `not-delivered`;
 * - `delivered` exactly when the recipient's mailbox (node B, or the harness peer) holds it,
 *   once; `not-delivered` only with `ERR_DELIVERY_EXPIRED`, and only after a deadline passed;
 * - every registered letter's evidence chain verifies and has the types its fate implies,
 *   including `retrieved` once its recipient opened it;
 * - each mailbox at node A and node B holds exactly the letters the model says, once each.
 */
import { fromBase64Url, toHex, verifyEvidence, verifyEvidenceChain } from '@barid/core'
import { ensure, eventually, fail } from '../checks/check.js'
import { deliveryKey } from '../peer/receive.js'
import { statusOf, type LetterStatusBody } from '../world/parties.js'
import type { Model, ModelLetter, Real } from './model.js'

type RecipientStatus = LetterStatusBody['recipients'][number]

async function settled(r: Real, l: ModelLetter): Promise<RecipientStatus> {
  return eventually(
    async () => {
      const s = (await statusOf(r.world, r.agency, l.id)).body.recipients?.find(
        (x) => x.address === l.recipient,
      )
      return s && s.state !== 'pending' && s.state !== 'unconfirmed' ? s : undefined
    },
    {
      what: `node A to settle ${l.route} letter ${l.id} (last: peer up, delivery run)`,
      clause: '14.4-4',
      timeoutMs: 20_000,
    },
  )
}

async function chainTypes(r: Real, chain: string[] | undefined): Promise<string[]> {
  if (!chain || chain.length === 0) return []
  return (
    await verifyEvidenceChain(
      chain.map((c) => fromBase64Url(c)),
      r.world.resolveEvidenceKey,
    )
  ).map((v) => v.record.type)
}

/** Checks the end-of-run invariants; throws a Failure naming the clause broken. */
export async function checkInvariants(m: Model, r: Real): Promise<void> {
  const w = r.world
  await w.peer.setMode('up')
  await Promise.all([w.a.control.runDelivery(), w.b.control.runDelivery()])

  for (const l of m.letters.filter((x) => x.route === 'AB' || x.route === 'AH')) {
    const s = await settled(r, l)
    const held =
      l.route === 'AH'
        ? w.peer.state.deliveries.has(deliveryKey(l.id, l.recipient))
          ? 1
          : 0
        : (await w.b.control.mailbox(l.recipient)).letters.filter((x) => x.letterId === l.id).length
    ensure(held <= 1, `${l.route} ${l.id}: the mailbox holds ${held} copies`, '14.4-3')
    if (s.state === 'delivered')
      ensure(
        held === 1,
        `${l.route} ${l.id}: node A says delivered, the recipient's mailbox does not hold it`,
        '14.4-3',
      )
    else if (s.state === 'not-delivered') {
      ensure(
        held === 0,
        `${l.route} ${l.id}: node A says not delivered (${s.code}), but the recipient's mailbox holds it`,
        '14.4-2',
      )
      ensure(
        s.code === 'ERR_DELIVERY_EXPIRED',
        `${l.route} ${l.id}: not delivered with ${s.code} to a reachable recipient`,
        '14.4-4',
      )
      ensure(
        m.advances > l.epoch,
        `${l.route} ${l.id}: not delivered though no deadline passed`,
        '14.4-4',
      )
    } else fail(`${l.route} ${l.id}: final state ${s.state}`, '14.4-4')
    if (l.kind === 'registered') {
      let types = await chainTypes(r, s.chain)
      const want =
        s.state === 'delivered'
          ? [
              'submission-accepted',
              'relay-accepted',
              'delivered',
              ...(l.opened ? ['retrieved'] : []),
            ]
          : ['submission-accepted', 'not-delivered']
      if (l.opened && types.join(' ') !== want.join(' ')) {
        // The retrieved record travels back through the recipient node's outbox (14.5).
        const later = await eventually(
          async () => {
            const x = (await statusOf(w, r.agency, l.id)).body.recipients?.find(
              (y) => y.address === l.recipient,
            )
            const t = await chainTypes(r, x?.chain)
            return t.join(' ') === want.join(' ') ? t : undefined
          },
          {
            what: `the retrieved record of ${l.id} to reach node A`,
            clause: '14.5-1',
            timeoutMs: 10_000,
          },
        ).catch(() => types)
        types = later
      }
      ensure(
        types.join(' ') === want.join(' '),
        `${l.route} ${l.id}: evidence chain ${types.join(' → ') || '(none)'}, expected ${want.join(' → ')}`,
        '14.5-1',
      )
    }
  }

  // Mailboxes hold exactly what the model says (letters of this run), once each.
  for (const c of [...r.citizensA, r.exemptA]) {
    const want = m.letters
      .filter((l) => l.route === 'HA' && l.recipient === c.address && l.firstStatus === 'delivered')
      .map((l) => l.id)
      .sort()
    const got = (await w.a.control.mailbox(c.address)).letters
      .filter((x) => x.sender === r.sender.address)
      .map((x) => x.letterId)
      .sort()
    ensure(
      JSON.stringify(got) === JSON.stringify(want),
      `node A mailbox ${c.address}: holds [${got.join(', ')}], expected [${want.join(', ')}]`,
      '14.4-3',
    )
  }
  for (const c of r.citizensB) {
    const want = m.letters
      .filter((l) => l.route === 'AB' && l.recipient === c.address)
      .map((l) => l.id)
      .sort()
    const got = (await w.b.control.mailbox(c.address)).letters
      .filter((x) => x.sender === r.agency.address)
      .map((x) => x.letterId)
      .sort()
    ensure(
      JSON.stringify(got) === JSON.stringify(want),
      `node B mailbox ${c.address}: holds [${got.join(', ')}], expected [${want.join(', ')}]`,
      '14.4-3',
    )
  }

  // Registered letters from the peer that were opened at A come back as retrieved records.
  for (const l of m.letters.filter(
    (x) => x.route === 'HA' && x.kind === 'registered' && x.opened,
  )) {
    const tx = r.txs.find((t) => t.id === l.id)!
    let delivered: Uint8Array = new Uint8Array(0)
    for (const e of tx.evidence) {
      const v = await verifyEvidence(fromBase64Url(e), { resolveKey: w.resolveEvidenceKey })
      if (v.record.type === 'delivered') delivered = fromBase64Url(e)
    }
    const prev = toHex(
      new Uint8Array(await crypto.subtle.digest('SHA-256', delivered as Uint8Array<ArrayBuffer>)),
    )
    await eventually(
      async () =>
        w.peer.state.returned.find(
          (e) =>
            e.letterId === l.id &&
            e.type === 'retrieved' &&
            e.recipient === l.recipient &&
            e.prev === prev,
        ),
      {
        what: `node A to return the retrieved record of ${l.id} to the peer`,
        clause: '14.5-1',
        timeoutMs: 10_000,
      },
    )
  }
}
