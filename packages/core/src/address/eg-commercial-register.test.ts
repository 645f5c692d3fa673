import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { parseIdentifier } from './identifier.js'

function codeOf(text: string): string | undefined {
  try {
    parseIdentifier(text)
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

describe('Egyptian commercial register number (eg:crn)', () => {
  it('accepts a bare register number', () => {
    expect(parseIdentifier('eg:crn:123456')).toEqual({
      scheme: 'eg:crn',
      value: '123456',
      text: 'eg:crn:123456',
      number: '123456',
    })
  })

  it('accepts an office-prefixed number and drops leading zeros from both parts', () => {
    expect(parseIdentifier('eg:crn:007/0123')).toEqual({
      scheme: 'eg:crn',
      value: '7/123',
      text: 'eg:crn:7/123',
      office: '7',
      number: '123',
    })
  })

  it('accepts the longest parts: a 4-digit office and a 10-digit number', () => {
    expect(parseIdentifier('eg:crn:1234/1234567890').value).toBe('1234/1234567890')
  })

  it.each([
    ['eg:crn:', 'no number'],
    ['eg:crn:0', 'number zero'],
    ['eg:crn:000', 'number zero with leading zeros'],
    ['eg:crn:0/123', 'office zero'],
    ['eg:crn:12345678901', 'an 11-digit number'],
    ['eg:crn:12345/1', 'a 5-digit office'],
    ['eg:crn:/123', 'an empty office'],
    ['eg:crn:12/', 'an empty number after the office'],
    ['eg:crn:1/2/3', 'two slashes'],
    ['eg:crn:12-345', 'a hyphen'],
    ['eg:crn:cairo/123', 'a named office'],
  ])('refuses %s (%s) with ERR_IDENTIFIER_INVALID', (text) => {
    expect(codeOf(text)).toBe('ERR_IDENTIFIER_INVALID')
  })
})
