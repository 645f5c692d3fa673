/**
 * @module checks/refused-attachments
 * An attachment the receiver refuses for good (spec 11.5, 14.3). Node A sends four registered
 * letters to the harness peer in one send (queued while the peer is down, then released at
 * once): the peer refuses the attachment of one with `413` and an error body, of another with a
 * bare `413` (as a proxy would), of a third with `ERR_ATTACHMENT_MISMATCH`, and takes the fourth's.
 * Node A must never send the three in a transaction, must settle each of their recipients
 * `not-delivered` with the refusal's code and its own record at once (the deadline is an hour
 * away), and must deliver the fourth.
 */
import { encryptAttachment, fromBase64Url, toHex, verifyEvidenceChain } from '@barid/core'
import type { BlobRefusal, PeerMailbox } from '../peer/harness-peer.js'
import { deliveryKey } from '../peer/receive.js'
import {
  newKeys,
  sealAs,
  statusOf,
  submit,
  textAttachment,
  uploadAttachment,
  type Agency,
  type LetterStatusBody,
} from '../world/parties.js'
import type { World } from '../world/world.js'
import { ensure, eventually, expectStatus, type Check } from './check.js'
import { fixtures } from './fixtures.js'

interface Planned {
  what: string
  to: PeerMailbox[]
  /** How the peer refuses the attachment, and the code node A must settle with; none: taken. */
  refusal?: BlobRefusal & { expect: string }
}

/** Seals a registered letter from `agency` to `to` naming one fresh attachment, uploaded. */
async function letterWithAttachment(world: World, agency: Agency, to: PeerMailbox[]) {
  const enc = await encryptAttachment(
    new TextEncoder().encode(`attachment ${crypto.randomUUID()}`),
    { attachmentId: 'a1' },
  )
  const digest = toHex(enc.sha256)
  const up = await uploadAttachment(world, agency, digest, enc.ciphertext)
  expectStatus(up, [200, 201], '12.3-4', 'uploading an attachment')
  const letter = await sealAs(
    world,
    agency,
    to.map((b) => ({
      address: b.address,
      key: { publicKey: b.encryption.publicKey, kid: b.encryption.kid },
    })),
    {
      kind: 'registered',
      attachments: [textAttachment(enc)],
    },
  )
  return { letter, digest }
}

/** Waits until node A settles `id` for every recipient, and gives its status. */
function settled(world: World, agency: Agency, id: string, what: string, clause: string) {
  return eventually(
    async () => {
      const s = (await statusOf(world, agency, id)).body
      const open = (s.recipients ?? []).some(
        (r) => r.state === 'pending' || r.state === 'unconfirmed',
      )
      return s.recipients?.length && !open ? s : undefined
    },
    { what: `node A to settle ${what}`, clause, timeoutMs: 20_000 },
  )
}

/** Fails unless every recipient of `s` ends not-delivered with `code` and node A's own record. */
async function expectRefusedFor(world: World, s: LetterStatusBody, code: string, what: string) {
  for (const r of s.recipients) {
    ensure(
      r.state === 'not-delivered' && r.code === code,
      `${what}, ${r.address}: node A says ${r.state} ${r.code ?? ''}, expected not-delivered ${code}`,
      '14.3-6',
    )
    const chain = await verifyEvidenceChain(
      (r.chain ?? []).map((c) => fromBase64Url(c)),
      world.resolveEvidenceKey,
    )
    const last = chain.at(-1)?.record
    const shown = chain.map(
      (v) => `${v.record.type} (${v.record.issuer}${v.record.reason ? ` ${v.record.reason}` : ''})`,
    )
    ensure(
      chain.map((v) => v.record.type).join(' ') === 'submission-accepted not-delivered' &&
        last?.issuer === world.a.operator &&
        last.reason === code &&
        last.recipient === r.address,
      `${what}, ${r.address}: chain ${shown.join(' → ')}, expected node A's not-delivered record with ${code}`,
      '14.3-6',
    )
  }
}

export const refusedAttachmentChecks: Check[] = [
  {
    id: 'delivery.refused-attachment',
    title:
      'letters naming an attachment the peer refuses for good are settled not-delivered with its code for each recipient and not sent; the others are delivered',
    group: 'delivery',
    clauses: ['11.5-7', '14.3-6'],
    kind: 'example',
    timeoutMs: 90_000,
    async run({ world }) {
      const f = await fixtures(world)
      const tag = Date.now().toString(36)
      const box = async (n: string) => world.peer.addMailbox(`${n}${tag}`, await newKeys())
      const plan: Planned[] = [
        {
          what: 'the letter whose attachment is refused with 413',
          to: [await box('big'), await box('big2')],
          refusal: { status: 413, code: 'ERR_INPUT_TOO_LARGE', expect: 'ERR_INPUT_TOO_LARGE' },
        },
        {
          what: 'the letter whose attachment is refused with a bare 413',
          to: [await box('proxy')],
          refusal: { status: 413, expect: 'ERR_INPUT_TOO_LARGE' },
        },
        {
          what: 'the letter whose attachment is refused with ERR_ATTACHMENT_MISMATCH',
          to: [await box('odd')],
          refusal: {
            status: 400,
            code: 'ERR_ATTACHMENT_MISMATCH',
            expect: 'ERR_ATTACHMENT_MISMATCH',
          },
        },
        { what: 'the letter whose attachment the peer takes', to: [await box('fine')] },
      ]
      const letters = []
      for (const p of plan)
        letters.push({ ...p, ...(await letterWithAttachment(world, f.agencyA, p.to)) })
      for (const l of letters) if (l.refusal) world.peer.refuseBlobs.set(l.digest, l.refusal)
      // Queued while the peer is down, released together: one send carries all four.
      await world.peer.setMode('down')
      try {
        for (const l of letters)
          expectStatus(await submit(world, f.agencyA, l.letter.bytes), 202, '12.3-5', l.what)
        await new Promise((r) => setTimeout(r, 300))
        await world.peer.setMode('up')
        await world.a.control.runDelivery()

        const taken = letters.find((l) => !l.refusal)!
        const s = await settled(world, f.agencyA, taken.letter.id, taken.what, '11.5-7')
        ensure(
          s.recipients.every((r) => r.state === 'delivered'),
          `${taken.what}: node A says ${s.recipients.map((r) => `${r.state} ${r.code ?? ''}`).join(', ')}`,
          '11.5-7',
        )
        ensure(
          world.peer.state.deliveries.has(deliveryKey(taken.letter.id, taken.to[0]!.address)),
          `${taken.what} did not reach the harness peer`,
          '11.5-7',
        )
        for (const l of letters) {
          if (!l.refusal) continue
          const r = await settled(world, f.agencyA, l.letter.id, l.what, '14.3-6')
          await expectRefusedFor(world, r, l.refusal.expect, l.what)
          const held = (b: PeerMailbox) =>
            world.peer.state.deliveries.has(deliveryKey(l.letter.id, b.address))
          ensure(
            !world.peer.attempts.some((a) => a.letterIds.includes(l.letter.id)) && !l.to.some(held),
            `${l.what} was sent in a transaction`,
            '11.5-7',
          )
        }
      } finally {
        for (const l of letters) world.peer.refuseBlobs.delete(l.digest)
        await world.peer.setMode('up')
      }
    },
  },
]
