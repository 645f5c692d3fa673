import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EVIDENCE_TYPES } from '@barid/core'
import type { RecipientState } from '../storage/types.js'
import {
  codeOfReason,
  followRecord,
  recipientView,
  type FollowedView,
  type RecipientView,
  type StateEvidence,
} from './recipient-state.js'

// Every record type the view may meet about a recipient (a submission refusal names none).
const TYPES = EVIDENCE_TYPES.filter((t) => t !== 'submission-rejected')
const REASONS = [
  null,
  'recipient-exempt',
  'mailbox-unknown',
  'policy',
  'ERR_INPUT_TOO_LARGE',
  'ERR_DELIVERY_EXPIRED',
] as const
const RANK: Record<RecipientState, number> = {
  pending: 0,
  unconfirmed: 1,
  delivered: 2,
  'not-delivered': 3,
}

const record: fc.Arbitrary<StateEvidence> = fc.record({
  id: fc.stringMatching(/^[0-9a-f]{4}$/),
  type: fc.constantFrom(...TYPES),
  issuedAt: fc.integer({ min: 0, max: 5 }),
  reason: fc.constantFrom(...REASONS),
})
const stored: fc.Arbitrary<RecipientView> = fc.oneof(
  fc.constant<RecipientView>({ state: 'pending', code: null }),
  fc.constant<RecipientView>({ state: 'unconfirmed', code: null }),
  fc.constant<RecipientView>({ state: 'delivered', code: null }),
  fc.constant<RecipientView>({ state: 'not-delivered', code: 'ERR_RECIPIENT_UNKNOWN' }),
)
/** A set of records, and the same set in another order with some of its records repeated. */
const arrivals = fc
  .uniqueArray(record, { selector: (r) => r.id, maxLength: 8 })
  .chain((set) =>
    fc
      .array(fc.nat({ max: Math.max(0, set.length - 1) }), { maxLength: set.length > 0 ? 6 : 0 })
      .chain((repeats) => {
        const all = [...set, ...repeats.map((i) => set[i]!)]
        return fc
          .shuffledSubarray(all, { minLength: all.length, maxLength: all.length })
          .map((other) => ({ set, other }))
      }),
  )

describe('the sender-side state of a recipient', () => {
  it('ends in the same state whatever order the records arrive in and however often', () => {
    fc.assert(
      fc.property(stored, arrivals, (s, { set, other }) => {
        const first = recipientView(s, set)
        expect(recipientView(s, other)).toEqual(first)
        expect(recipientView(s, [...set].reverse())).toEqual(first)
      }),
      { numRuns: 300 },
    )
  })

  it('never moves a recipient back, record by record', () => {
    fc.assert(
      fc.property(stored, fc.array(record, { maxLength: 10 }), (s, records) => {
        let view: FollowedView = { ...s, decidedBy: null }
        for (const e of records) {
          const next = followRecord(view, e)
          expect(RANK[next.state]).toBeGreaterThanOrEqual(RANK[view.state])
          // Once not delivered, always not delivered.
          if (view.state === 'not-delivered') expect(next.state).toBe('not-delivered')
          view = next
        }
      }),
      { numRuns: 300 },
    )
  })

  it('turns delivered into not-delivered when a later not-delivered record arrives', () => {
    const view = recipientView({ state: 'delivered', code: null }, [
      { id: 'a1', type: 'relay-accepted', issuedAt: 1, reason: null },
      { id: 'b2', type: 'not-delivered', issuedAt: 2, reason: 'recipient-exempt' },
    ])
    expect(view).toEqual({ state: 'not-delivered', code: 'ERR_RECIPIENT_EXEMPT' })
  })

  it('keeps delivered when the letter was handed to paper', () => {
    const view = recipientView({ state: 'delivered', code: null }, [
      { id: 'a1', type: 'relay-accepted', issuedAt: 1, reason: null },
      { id: 'b2', type: 'handed-to-paper', issuedAt: 2, reason: 'recipient-exempt' },
    ])
    expect(view).toEqual({ state: 'delivered', code: null })
  })

  it('shows delivered for a recipient still pending whose node reports the letter taken', () => {
    for (const type of ['relay-accepted', 'delivered', 'handed-to-paper', 'retrieved'])
      expect(
        recipientView({ state: 'pending', code: null }, [
          { id: 'a', type, issuedAt: 1, reason: null },
        ]),
      ).toEqual({ state: 'delivered', code: null })
    expect(
      recipientView({ state: 'unconfirmed', code: 'ERR_PEER_UNAVAILABLE' }, [
        { id: 'a', type: 'delivered', issuedAt: 1, reason: null },
      ]),
    ).toEqual({ state: 'delivered', code: null })
  })

  it("keeps the node's own not-delivered outcome and its code over any record", () => {
    const s: RecipientView = { state: 'not-delivered', code: 'ERR_DELIVERY_EXPIRED' }
    expect(
      recipientView(s, [
        { id: 'a', type: 'delivered', issuedAt: 1, reason: null },
        { id: 'b', type: 'not-delivered', issuedAt: 0, reason: 'mailbox-unknown' },
      ]),
    ).toEqual(s)
  })

  it('takes the code of the earliest refusal when records disagree', () => {
    const records: StateEvidence[] = [
      { id: 'b', type: 'not-delivered', issuedAt: 5, reason: 'ERR_INPUT_TOO_LARGE' },
      { id: 'a', type: 'relay-rejected', issuedAt: 5, reason: 'policy' },
      { id: 'c', type: 'not-delivered', issuedAt: 7, reason: 'recipient-exempt' },
    ]
    expect(recipientView({ state: 'pending', code: null }, records)).toEqual({
      state: 'not-delivered',
      code: 'ERR_FORBIDDEN',
    })
  })

  it('maps every reason of spec 07 to an error code and keeps error codes as they are', () => {
    expect(codeOfReason('ERR_INPUT_TOO_LARGE')).toBe('ERR_INPUT_TOO_LARGE')
    expect(codeOfReason('mailbox-unknown')).toBe('ERR_RECIPIENT_UNKNOWN')
    expect(codeOfReason('mailbox-closed')).toBe('ERR_RECIPIENT_UNKNOWN')
    expect(codeOfReason('recipient-exempt')).toBe('ERR_RECIPIENT_EXEMPT')
    expect(codeOfReason('operator-unreachable')).toBe('ERR_PEER_UNAVAILABLE')
    for (const r of ['mailbox-full', 'refused-by-recipient', 'policy', null])
      expect(codeOfReason(r)).toBe('ERR_FORBIDDEN')
  })
})
