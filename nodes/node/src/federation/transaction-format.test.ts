import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBaridError } from '../core.js'
import {
  MAX_TRANSACTION_ITEMS,
  parseTransaction,
  parseTransactionResponse,
} from './transaction-format.js'

const entry = {
  letter: 'AAEC',
  recipients: ['lars@digitalpost.dk'],
  deliverBefore: '2026-03-01T00:00:00Z',
  senderCertificate: 'x.y.z',
  evidence: [],
}

describe('transaction bodies (spec 11.4)', () => {
  it('parses a well-formed transaction', () => {
    const tx = parseTransaction(
      { letters: [entry], evidence: [{ record: 'AQ' }] },
      { maxLetterBytes: 1024 },
    )
    expect(tx.letters[0]!.letter).toEqual(new Uint8Array([0, 1, 2]))
    expect(tx.letters[0]!.deliverBefore).toBe(Date.parse('2026-03-01T00:00:00Z'))
    expect(tx.evidence[0]!.record).toEqual(new Uint8Array([1]))
  })

  it('refuses too many items, unknown members, oversized letters and empty bodies', () => {
    const many = Array.from({ length: MAX_TRANSACTION_ITEMS + 1 }, () => entry)
    expect(() => parseTransaction({ letters: many }, { maxLetterBytes: 1024 })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }),
    )
    expect(() =>
      parseTransaction({ letters: [{ ...entry, extra: 1 }] }, { maxLetterBytes: 1024 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() =>
      parseTransaction(
        { letters: [{ ...entry, letter: 'A'.repeat(2000) }] },
        { maxLetterBytes: 1024 },
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => parseTransaction({ letters: [] }, { maxLetterBytes: 1024 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })

  it('reads the sender display names of a letter, and none when the member is absent', () => {
    const senderDisplay = { name: 'ETA', names: { da: 'Den egyptiske skattemyndighed' } }
    const tx = parseTransaction(
      { letters: [{ ...entry, senderDisplay }, entry] },
      { maxLetterBytes: 1024 },
    )
    expect(tx.letters[0]!.senderDisplay).toEqual(senderDisplay)
    expect(tx.letters[1]!.senderDisplay).toBeNull()
  })

  it('refuses sender display names out of bounds as the whole body, with ERR_INVALID_ARGUMENT', () => {
    for (const senderDisplay of [
      null,
      'ETA',
      { name: 'ETA' },
      { name: '', names: {} },
      { name: 'ETA', names: { da: 'Skat\r\nBcc: x' } },
      { name: 'ETA', names: { 'no tag': 'x' } },
      { name: 'ETA', names: {}, logo: 'x' },
    ]) {
      expect(() =>
        parseTransaction({ letters: [{ ...entry, senderDisplay }] }, { maxLetterBytes: 1024 }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    }
  })

  it('answers any sender display value with a typed error or checked names, never a crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ name: fc.string(), names: fc.object() })),
        (senderDisplay) => {
          try {
            const tx = parseTransaction(
              { letters: [{ ...entry, senderDisplay }] },
              { maxLetterBytes: 1024 },
            )
            expect(Object.keys(tx.letters[0]!.senderDisplay!.names).length).toBeLessThanOrEqual(16)
          } catch (e) {
            expect(isBaridError(e) && e.code === 'ERR_INVALID_ARGUMENT').toBe(true)
          }
        },
      ),
    )
  })

  it('answers any JSON value with a typed error or a parsed transaction, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          parseTransaction(v, { maxLetterBytes: 1024 })
        } catch (e) {
          expect(isBaridError(e)).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('transaction answers (spec 11.4)', () => {
  const answer = {
    letters: [
      {
        index: 0,
        id: '01a2',
        recipients: [{ address: 'lars@digitalpost.dk', status: 'delivered', evidence: ['AQ'] }],
      },
      {
        index: 1,
        id: null,
        code: 'ERR_LETTER_TAMPERED',
        recipients: [
          {
            address: 'karen@digitalpost.dk',
            status: 'not-delivered',
            code: 'ERR_LETTER_TAMPERED',
            evidence: [],
          },
        ],
      },
    ],
    evidence: [{ index: 0, status: 'rejected', code: 'ERR_NOT_FOUND' }],
  }

  it('reads a well-formed answer as it was sent, ignoring members it does not know', () => {
    expect(parseTransactionResponse({ ...answer, later: 1 }, { letters: 2, evidence: 1 })).toEqual(
      answer,
    )
  })

  it('refuses indexes of items not sent, unknown outcomes and unbounded members', () => {
    for (const [bad, sent] of [
      [answer, { letters: 1, evidence: 1 }],
      [answer, { letters: 2, evidence: 0 }],
      [{ letters: [{ ...answer.letters[0], index: 0.5 }] }, { letters: 1, evidence: 0 }],
      [
        { letters: [{ index: 0, recipients: [{ address: 'a', status: 'maybe' }] }] },
        { letters: 1, evidence: 0 },
      ],
      [
        { letters: [{ index: 0, recipients: [{ address: 'a'.repeat(321), status: 'retry' }] }] },
        { letters: 1, evidence: 0 },
      ],
      [
        {
          letters: [
            {
              index: 0,
              recipients: [{ address: 'a', status: 'retry', evidence: Array(17).fill('AQ') }],
            },
          ],
        },
        { letters: 1, evidence: 0 },
      ],
    ] as const)
      expect(() => parseTransactionResponse(bad, sent)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
  })

  // Any JSON, and answer-shaped JSON with any values where the members are.
  const member = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), fc.jsonValue())
  const recipient = member(['address', 'status', 'code', 'evidence'])
  const answers = fc.oneof(
    fc.jsonValue(),
    fc.record({
      letters: fc.array(
        fc.tuple(member(['index', 'id', 'code']), fc.array(recipient)).map(([l, recipients]) => ({
          ...l,
          recipients,
        })),
      ),
      evidence: fc.array(member(['index', 'status', 'code'])),
    }),
  )

  it('answers any JSON value with a typed error or a parsed answer, never a crash', () => {
    fc.assert(
      fc.property(answers, fc.nat(3), fc.nat(3), (v, letters, evidence) => {
        try {
          const a = parseTransactionResponse(v, { letters, evidence })
          for (const l of a.letters) expect(l.index).toBeLessThan(letters)
          for (const e of a.evidence) expect(e.index).toBeLessThan(evidence)
        } catch (e) {
          expect(isBaridError(e)).toBe(true)
        }
      }),
    )
  })
})
