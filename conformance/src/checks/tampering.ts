/**
 * @module checks/tampering
 * Property: no change of a single bit anywhere in a sealed letter gets it delivered (spec 10.5,
 * 11.4 step 2). The harness peer relays the changed letter with a valid certification of its
 * sender; whatever the node answers, the letter must not reach the mailbox.
 */
import { toBase64Url } from '@barid/core'
import fc from 'fast-check'
import { recipientOf } from '../world/parties.js'
import { ensure, type Check } from './check.js'
import { fixtures, peerLetter, sendTx } from './fixtures.js'
import { checkProperty } from './property.js'

export const tamperingChecks: Check[] = [
  {
    id: 'tx.tampered',
    title: 'a letter changed in any one bit is never delivered',
    group: 'transactions',
    clauses: ['10.5-1', '11.4-6'],
    kind: 'property',
    timeoutMs: 180_000,
    async run(ctx) {
      const { world } = ctx
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
      })
      const size = l.letter.bytes.byteLength
      await checkProperty(
        ctx,
        fc.asyncProperty(
          fc.integer({ min: 0, max: size - 1 }),
          fc.integer({ min: 0, max: 7 }),
          async (at, bit) => {
            const bytes = new Uint8Array(l.letter.bytes)
            bytes[at]! ^= 1 << bit
            const r = await sendTx(world, world.a, {
              letters: [{ ...l.entry, letter: toBase64Url(bytes) }],
            })
            if (r.status !== 200) {
              ensure(
                r.status >= 400 && r.status < 500 && r.code,
                `byte ${at} bit ${bit}: HTTP ${r.status}`,
                '11.4-14',
              )
              return
            }
            const rec = r.answer?.letters?.[0]?.recipients?.[0]
            ensure(
              rec && rec.status !== 'delivered',
              `byte ${at} bit ${bit}: the changed letter was delivered`,
              '10.5-1',
            )
          },
        ),
        '10.5-1',
      )
      const box = await world.a.control.mailbox(f.citizenA.address)
      ensure(
        !box.letters.some((x) => x.letterId === l.letter.id),
        'a changed letter reached the mailbox',
        '10.5-1',
      )
    },
  },
]
