import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBaridError } from '../core.js'
import { MAX_TRANSACTION_ITEMS, parseTransaction } from './transaction-format.js'

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
