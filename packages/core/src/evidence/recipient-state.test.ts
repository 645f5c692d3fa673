import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RecipientState } from '../api/sender-api.js'
import { EVIDENCE_TYPES } from './types.js'
import { codeOfReason, recipientStateOf, type StateEvidence } from './recipient-state.js'

const record: fc.Arbitrary<StateEvidence> = fc.record({
  type: fc.constantFrom(...EVIDENCE_TYPES.filter((t) => t !== 'submission-rejected')),
  time: fc.integer({ min: 0, max: 5 }),
  id: fc.stringMatching(/^[0-9a-f]{4}$/),
  reason: fc.constantFrom(null, 'recipient-exempt', 'mailbox-closed', 'policy', 'ERR_X'),
})
const settled = fc.constantFrom<{ state: RecipientState; code: string | null }>(
  { state: 'pending', code: null },
  { state: 'unconfirmed', code: null },
  { state: 'delivered', code: null },
  { state: 'not-delivered', code: 'ERR_DELIVERY_EXPIRED' },
)

describe('recipientStateOf', () => {
  it('is the highest of the settled state and what the records say, as spec 17.5 lists it', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), settled, (records, s) => {
        const types = new Set(records.map((r) => r.type))
        const refused = types.has('not-delivered') || types.has('relay-rejected')
        const taken = [
          'relay-accepted',
          'delivered',
          'retrieved',
          'deemed-delivered',
          'expired',
          'handed-to-paper',
          'notification-failed',
        ].some((t) => types.has(t))
        const expected =
          s.state === 'not-delivered' || refused
            ? 'not-delivered'
            : taken && s.state !== 'delivered'
              ? 'delivered'
              : s.state
        expect(recipientStateOf(records, s).state).toBe(expected)
      }),
    )
  })

  it('depends on the set of records only, not on their order or repeats', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(record, { selector: (r) => r.id, maxLength: 8 }),
        settled,
        fc.func(fc.integer()),
        (records, s, key) => {
          const shuffled = [...records, ...records.slice(0, 2)].sort((a, b) => key(a) - key(b))
          expect(recipientStateOf(shuffled, s)).toEqual(recipientStateOf(records, s))
        },
      ),
    )
  })

  it('takes the code of the earliest refusal, or the settled code of a settled refusal', () => {
    const late = { type: 'not-delivered', time: 2, id: '00', reason: 'policy' }
    const early = { type: 'relay-rejected', time: 1, id: 'ff', reason: 'recipient-exempt' }
    expect(recipientStateOf([late, early])).toEqual({
      state: 'not-delivered',
      code: 'ERR_RECIPIENT_EXEMPT',
    })
    expect(recipientStateOf([late], { state: 'not-delivered', code: 'ERR_X' })).toEqual({
      state: 'not-delivered',
      code: 'ERR_X',
    })
    expect(recipientStateOf([{ type: 'submission-accepted', time: 0, id: '01' }])).toEqual({
      state: 'pending',
      code: null,
    })
    expect(codeOfReason('mailbox-closed')).toBe('ERR_RECIPIENT_UNKNOWN')
    expect(codeOfReason(undefined)).toBe('ERR_FORBIDDEN')
  })
})

describe('recipientStateOf as the sending node follows a recipient', () => {
  const RANK: Record<RecipientState, number> = {
    pending: 0,
    unconfirmed: 1,
    delivered: 2,
    'not-delivered': 3,
  }

  it('never moves a recipient back as records arrive one by one', () => {
    fc.assert(
      fc.property(settled, fc.array(record, { maxLength: 10 }), (s, records) => {
        let view = recipientStateOf([], s)
        for (let i = 1; i <= records.length; i++) {
          const next = recipientStateOf(records.slice(0, i), s)
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
    const view = recipientStateOf(
      [
        { id: 'a1', type: 'relay-accepted', time: 1, reason: null },
        { id: 'b2', type: 'not-delivered', time: 2, reason: 'recipient-exempt' },
      ],
      { state: 'delivered', code: null },
    )
    expect(view).toEqual({ state: 'not-delivered', code: 'ERR_RECIPIENT_EXEMPT' })
  })

  it('keeps delivered when the letter was handed to paper', () => {
    const view = recipientStateOf(
      [
        { id: 'a1', type: 'relay-accepted', time: 1, reason: null },
        { id: 'b2', type: 'handed-to-paper', time: 2, reason: 'recipient-exempt' },
      ],
      { state: 'delivered', code: null },
    )
    expect(view).toEqual({ state: 'delivered', code: null })
  })

  it('shows delivered for a recipient pending or unconfirmed whose node reports the letter taken', () => {
    for (const type of ['relay-accepted', 'delivered', 'handed-to-paper', 'retrieved'])
      expect(recipientStateOf([{ id: 'a', type, time: 1 }])).toEqual({
        state: 'delivered',
        code: null,
      })
    expect(
      recipientStateOf([{ id: 'a', type: 'delivered', time: 1 }], {
        state: 'unconfirmed',
        code: 'ERR_PEER_UNAVAILABLE',
      }),
    ).toEqual({ state: 'delivered', code: null })
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
