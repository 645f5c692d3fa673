import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { EG_GOVERNORATES } from './eg-governorates.js'
import { parseIdentifier } from './identifier.js'

const now = new Date('2025-06-15T12:00:00Z')

function codeOf(text: string, at: Date = now): string | undefined {
  try {
    parseIdentifier(text, { now: at })
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

function nid(text: string) {
  const id = parseIdentifier(text, { now })
  if (id.scheme !== 'eg:nid') throw new Error(`expected eg:nid, got ${id.scheme}`)
  return id
}

describe('Egyptian national ID (eg:nid)', () => {
  it('decodes birth date, governorate and sex from a 1900s ID', () => {
    expect(nid('eg:nid:29001011234567')).toEqual({
      scheme: 'eg:nid',
      value: '29001011234567',
      text: 'eg:nid:29001011234567',
      birthDate: '1990-01-01',
      governorate: { code: '12', name: 'Dakahlia' },
      sex: 'female',
    })
  })

  it('reads century digit 3 as the 2000s and an odd 13th digit as male', () => {
    const id = nid('eg:nid:30206152100015')
    expect(id.birthDate).toBe('2002-06-15')
    expect(id.governorate).toEqual({ code: '21', name: 'Giza' })
    expect(id.sex).toBe('male')
  })

  it('accepts every governorate code in the official list, including 88 (born abroad)', () => {
    const codes = Object.keys(EG_GOVERNORATES)
    expect(codes).toHaveLength(28)
    for (const code of codes) {
      expect(nid(`eg:nid:2900101${code}12345`).governorate.code).toBe(code)
    }
    expect(nid('eg:nid:29001018812345').governorate.name).toBe('Born abroad')
  })

  it('refuses every other two-digit governorate code with ERR_IDENTIFIER_REGION', () => {
    for (let n = 0; n < 100; n++) {
      const code = String(n).padStart(2, '0')
      if (code in EG_GOVERNORATES) continue
      expect(codeOf(`eg:nid:2900101${code}12345`)).toBe('ERR_IDENTIFIER_REGION')
    }
  })

  it('does not validate the final check digit, whose algorithm is unpublished', () => {
    for (let k = 0; k <= 9; k++) expect(nid(`eg:nid:2900101123456${k}`).value).toHaveLength(14)
  })

  it('checks leap years: 29 February 2000 exists, 1900 and 1990 have none', () => {
    expect(nid('eg:nid:30002290112345').birthDate).toBe('2000-02-29')
    expect(codeOf('eg:nid:20002290112345')).toBe('ERR_IDENTIFIER_DATE')
    expect(codeOf('eg:nid:29002290112345')).toBe('ERR_IDENTIFIER_DATE')
  })

  it.each([
    ['eg:nid:29013010112345', 'month 13'],
    ['eg:nid:29000010112345', 'month 00'],
    ['eg:nid:29001000112345', 'day 00'],
    ['eg:nid:29004310112345', '31 April'],
    ['eg:nid:19001010112345', 'century digit 1'],
    ['eg:nid:49001010112345', 'century digit 4'],
    ['eg:nid:09001010112345', 'century digit 0'],
  ])('refuses %s (%s) with ERR_IDENTIFIER_DATE', (text) => {
    expect(codeOf(text)).toBe('ERR_IDENTIFIER_DATE')
  })

  it('refuses a birth date after the day following now, allowing one day for time zones', () => {
    expect(nid('eg:nid:32506150112345').birthDate).toBe('2025-06-15')
    expect(nid('eg:nid:32506160112345').birthDate).toBe('2025-06-16')
    expect(codeOf('eg:nid:32506170112345')).toBe('ERR_IDENTIFIER_DATE')
    expect(codeOf('eg:nid:32506170112345', new Date('2025-06-16T00:00:00Z'))).toBeUndefined()
  })

  it('reports the date before the region when both are wrong', () => {
    expect(codeOf('eg:nid:29002309912345')).toBe('ERR_IDENTIFIER_DATE')
  })

  it.each([
    ['eg:nid:2900101123456', '13 digits'],
    ['eg:nid:290010112345678', '15 digits'],
    ['eg:nid:2900101123456a', 'a letter'],
    ['eg:nid:29001-011234567', 'a hyphen'],
    ['eg:nid: 29001011234567', 'a space'],
    ['eg:nid:', 'no value'],
    ['eg:nid:٢٩٠٠١٠١١٢٣٤٥٦٧', 'Arabic-Indic digits'],
  ])('refuses %s (%s) with ERR_IDENTIFIER_INVALID', (text) => {
    expect(codeOf(text)).toBe('ERR_IDENTIFIER_INVALID')
  })

  it('never repeats the ID in an error message', () => {
    try {
      parseIdentifier('eg:nid:29002309912345', { now })
    } catch (e) {
      expect((e as Error).message).not.toContain('2900230')
      expect(JSON.stringify((e as BaridError).toJSON())).not.toContain('2900230')
    }
    expect.assertions(2)
  })
})
