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
