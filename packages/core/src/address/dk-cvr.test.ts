import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { parseIdentifier } from './identifier.js'

const WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1]

function codeOf(text: string): string | undefined {
  try {
    parseIdentifier(text)
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

// Valid CVR numbers: seven digits, then the last digit that makes the weighted sum 0 mod 11.
const validCvr = fc
  .stringMatching(/^[1-9][0-9]{6}$/)
  .map((head) => {
    const partial = [...head].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0)
    return { head, check: (11 - (partial % 11)) % 11 }
  })
  .filter(({ check }) => check < 10)
  .map(({ head, check }) => `${head}${check}`)

describe('Danish CVR number (dk:cvr)', () => {
  it('accepts a number whose weighted sum is divisible by 11', () => {
    expect(parseIdentifier('dk:cvr:12345674')).toEqual({
      scheme: 'dk:cvr',
      value: '12345674',
      text: 'dk:cvr:12345674',
    })
  })

  it('accepts every generated valid number', () => {
    fc.assert(
      fc.property(validCvr, (cvr) => {
        expect(parseIdentifier(`dk:cvr:${cvr}`).value).toBe(cvr)
      }),
      { numRuns: 200 },
    )
  })

  it('rejects every single-digit change of a valid number', () => {
    fc.assert(
      fc.property(validCvr, (cvr) => {
        for (let i = 0; i < 8; i++) {
          for (let d = 0; d <= 9; d++) {
            if (String(d) === cvr[i]) continue
            const changed = `${cvr.slice(0, i)}${d}${cvr.slice(i + 1)}`
            const expected =
              changed[0] === '0' ? 'ERR_IDENTIFIER_INVALID' : 'ERR_IDENTIFIER_CHECKSUM'
            expect(codeOf(`dk:cvr:${changed}`)).toBe(expected)
          }
        }
      }),
      { numRuns: 50 },
    )
  })

  it('refuses a wrong check digit with ERR_IDENTIFIER_CHECKSUM', () => {
    expect(codeOf('dk:cvr:12345675')).toBe('ERR_IDENTIFIER_CHECKSUM')
  })

  it.each([
    ['dk:cvr:02345674', 'a leading zero'],
    ['dk:cvr:1234567', '7 digits'],
    ['dk:cvr:123456740', '9 digits'],
    ['dk:cvr:DK12345674', 'a DK prefix'],
    ['dk:cvr:1234 5674', 'a space'],
  ])('refuses %s (%s) with ERR_IDENTIFIER_INVALID', (text) => {
    expect(codeOf(text)).toBe('ERR_IDENTIFIER_INVALID')
  })
})
