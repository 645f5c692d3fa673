import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { cprBirthYear } from './dk-cpr.js'
import { parseIdentifier } from './identifier.js'

const now = new Date('2025-06-15T12:00:00Z')

function codeOf(text: string): string | undefined {
  try {
    parseIdentifier(text, { now })
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

function cpr(text: string) {
  const id = parseIdentifier(text, { now })
  if (id.scheme !== 'dk:cpr') throw new Error(`expected dk:cpr, got ${id.scheme}`)
  return id
}

// The CPR office's table, written out by year range rather than by digit, to check the code.
function seventhDigitsFor(year: number): number[] {
  if (year >= 1858 && year <= 1899) return [5, 6, 7, 8]
  if (year >= 1900 && year <= 1936) return [0, 1, 2, 3]
  if (year >= 1937 && year <= 1999) return [0, 1, 2, 3, 4, 9]
  if (year >= 2000 && year <= 2036) return [4, 5, 6, 7, 8, 9]
  if (year >= 2037 && year <= 2057) return [5, 6, 7, 8]
  return []
}

describe('Danish CPR number (dk:cpr)', () => {
  it('accepts DDMMYY-SSSS and DDMMYYSSSS alike and normalises to no hyphen', () => {
    const expected = {
      scheme: 'dk:cpr',
      value: '0101901234',
      text: 'dk:cpr:0101901234',
      birthDate: '1990-01-01',
    }
    expect(cpr('dk:cpr:010190-1234')).toEqual(expected)
    expect(cpr('dk:cpr:0101901234')).toEqual(expected)
  })

  it('derives the century from the 7th digit exactly as the CPR office table says', () => {
    for (let year = 1800; year <= 2099; year++) {
      const allowed = seventhDigitsFor(year)
      for (let d7 = 0; d7 <= 9; d7++) {
        expect(cprBirthYear(d7, year % 100) === year).toBe(allowed.includes(d7))
      }
    }
  })

  it.each([
    ['dk:cpr:010150-0123', '1950-01-01'],
    ['dk:cpr:010136-3000', '1936-01-01'],
    ['dk:cpr:010137-4000', '1937-01-01'],
    ['dk:cpr:010120-4000', '2020-01-01'],
    ['dk:cpr:010110-5000', '2010-01-01'],
    ['dk:cpr:010158-5000', '1858-01-01'],
    ['dk:cpr:010199-9000', '1999-01-01'],
    ['dk:cpr:290200-4000', '2000-02-29'],
  ])('reads %s as born %s', (text, birthDate) => {
    expect(cpr(text).birthDate).toBe(birthDate)
  })

  it('does not require modulus 11, which numbers issued since 2007 may fail', () => {
    const digits = '0101901234'
    const weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
    const sum = weights.reduce((s, w, i) => s + w * Number(digits[i]), 0)
    expect(sum % 11).not.toBe(0)
    expect(cpr(`dk:cpr:${digits}`).value).toBe(digits)
  })

  it.each([
    ['dk:cpr:310490-1234', '31 April'],
    ['dk:cpr:290290-1234', '29 February 1990'],
    ['dk:cpr:000190-1234', 'day 00'],
    ['dk:cpr:011390-1234', 'month 13'],
    ['dk:cpr:010136-4000', '2036, in the future'],
    ['dk:cpr:010157-5000', '2057, in the future'],
  ])('refuses %s (%s) with ERR_IDENTIFIER_DATE', (text) => {
    expect(codeOf(text)).toBe('ERR_IDENTIFIER_DATE')
  })

  it.each([
    ['dk:cpr:010190123', '9 digits'],
    ['dk:cpr:01019012345', '11 digits'],
    ['dk:cpr:0101-901234', 'a hyphen in the wrong place'],
    ['dk:cpr:010190--1234', 'two hyphens'],
    ['dk:cpr:010190 1234', 'a space'],
    ['dk:cpr:01019O1234', 'a letter O'],
  ])('refuses %s (%s) with ERR_IDENTIFIER_INVALID', (text) => {
    expect(codeOf(text)).toBe('ERR_IDENTIFIER_INVALID')
  })
})
