import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { EG_GOVERNORATES } from './eg-governorates.js'
import { assertIdentifier, formatIdentifier, isIdentifier, parseIdentifier } from './identifier.js'
import { MAX_IDENTIFIER_LENGTH } from './limits.js'

const NOW = new Date('2025-06-15T12:00:00Z')
const now = { now: NOW }

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`))
const pad2 = (n: number) => String(n).padStart(2, '0')
const birthDate = (min: string) =>
  fc.date({ min: new Date(`${min}T00:00:00Z`), max: NOW, noInvalidDate: true })
const ddmmyy = (d: Date) =>
  [d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCFullYear() % 100].map(pad2).join('')
const yymmdd = (d: Date) =>
  [d.getUTCFullYear() % 100, d.getUTCMonth() + 1, d.getUTCDate()].map(pad2).join('')

// The CPR office's 7th-digit table by year range (dk-cpr.test.ts checks the code against it).
function seventhDigitsFor(year: number): number[] {
  if (year <= 1899) return [5, 6, 7, 8]
  if (year <= 1936) return [0, 1, 2, 3]
  if (year <= 1999) return [0, 1, 2, 3, 4, 9]
  if (year <= 2036) return [4, 5, 6, 7, 8, 9]
  return [5, 6, 7, 8]
}

const label = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/)
  .filter((l) => l.slice(2, 4) !== '--')
const operatorId = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z][a-z0-9]{1,5}$/))
  .map(([labels, top]) => [...labels, top].join('.'))

/** Each generator yields [canonical text, a non-canonical spelling of the same identifier]. */
const egNid = fc
  .tuple(birthDate('1900-01-01'), fc.constantFrom(...Object.keys(EG_GOVERNORATES)), digits(5))
  .map(([d, gov, tail]) => {
    const t = `${d.getUTCFullYear() >= 2000 ? 3 : 2}${yymmdd(d)}${gov}${tail}`
    return [`eg:nid:${t}`, `EG:Nid:${t}`] as const
  })
const dkCpr = fc.tuple(birthDate('1858-01-01'), fc.nat(), digits(3)).map(([d, pick, tail]) => {
  const allowed = seventhDigitsFor(d.getUTCFullYear())
  const serial = `${allowed[pick % allowed.length]}${tail}`
  return [`dk:cpr:${ddmmyy(d)}${serial}`, `DK:cpr:${ddmmyy(d)}-${serial}`] as const
})
const dkCvr = fc
  .stringMatching(/^[1-9][0-9]{6}$/)
  .map((head) => {
    const sum = [...head].reduce((s, c, i) => s + Number(c) * [2, 7, 6, 5, 4, 3, 2][i]!, 0)
    return `${head}${(11 - (sum % 11)) % 11}`
  })
  .filter((cvr) => cvr.length === 8)
  .map((cvr) => [`dk:cvr:${cvr}`, `Dk:Cvr:${cvr}`] as const)
const egCrn = fc
  .tuple(fc.option(fc.stringMatching(/^[1-9][0-9]{0,2}$/)), fc.stringMatching(/^[1-9][0-9]{0,8}$/))
  .map(([office, number]) =>
    office === null
      ? ([`eg:crn:${number}`, `eg:crn:0${number}`] as const)
      : ([`eg:crn:${office}/${number}`, `eg:CRN:${office.padStart(4, '0')}/0${number}`] as const),
  )
const opaque = fc
  .tuple(operatorId, fc.stringMatching(/^[A-Za-z0-9._~-]{1,128}$/))
  .map(([op, token]) => [`opaque:${op}:${token}`, `Opaque:${op.toUpperCase()}:${token}`] as const)

const schemes = { 'eg:nid': egNid, 'dk:cpr': dkCpr, 'dk:cvr': dkCvr, 'eg:crn': egCrn, opaque }
const anyValid = fc.oneof(...Object.values(schemes))

describe('participant identifiers', () => {
  it.each(Object.entries(schemes))('round-trips generated %s identifiers', (scheme, arb) => {
    fc.assert(
      fc.property(arb, ([canonical]) => {
        const id = parseIdentifier(canonical, now)
        expect(id.scheme).toBe(scheme)
        expect(id.text).toBe(canonical)
        expect(formatIdentifier(id, now)).toBe(canonical)
        expect(parseIdentifier(formatIdentifier(id, now), now)).toEqual(id)
        expect(isIdentifier(canonical, now)).toBe(true)
      }),
      { numRuns: 100 },
    )
  })

  it('normalises other spellings to the canonical text, which canonical mode alone accepts', () => {
    fc.assert(
      fc.property(anyValid, ([canonical, variant]) => {
        expect(parseIdentifier(variant, now).text).toBe(canonical)
        expect(isIdentifier(variant, now)).toBe(false)
        expect(codeOf(() => parseIdentifier(variant, { ...now, canonical: true }))).toBe(
          'ERR_IDENTIFIER_INVALID',
        )
        expect(codeOf(() => assertIdentifier(canonical, now))).toBeUndefined()
      }),
      { numRuns: 200 },
    )
  })

  it('refuses a hand-built object with a bad value when formatting', () => {
    expect(codeOf(() => formatIdentifier({ scheme: 'dk:cvr', value: '12345675' }))).toBe(
      'ERR_IDENTIFIER_CHECKSUM',
    )
  })

  it.each([
    ['ERR_IDENTIFIER_SCHEME_UNKNOWN', 'se:pnr:8112189876'],
    ['ERR_IDENTIFIER_SCHEME_UNKNOWN', 'eg:passport:A1234567'],
    ['ERR_IDENTIFIER_SCHEME_UNKNOWN', 'dk:cpr2:0101901234'],
    ['ERR_IDENTIFIER_INVALID', '29001011234567'],
    ['ERR_IDENTIFIER_INVALID', 'urn:isbn:0451450523'],
    ['ERR_IDENTIFIER_INVALID', 'eg:nid'],
    ['ERR_IDENTIFIER_INVALID', 'e1:nid:29001011234567'],
    ['ERR_IDENTIFIER_INVALID', ':nid:1'],
    ['ERR_IDENTIFIER_INVALID', 'eg::1'],
    ['ERR_IDENTIFIER_INVALID', 'eg:nid:29001011234567 '],
    ['ERR_IDENTIFIER_INVALID', 'eg:nid:2900101123456'],
    ['ERR_IDENTIFIER_CHECKSUM', 'dk:cvr:12345675'],
    ['ERR_IDENTIFIER_DATE', 'dk:cpr:3102901234'],
    ['ERR_IDENTIFIER_DATE', 'eg:nid:29002301234567'],
    ['ERR_IDENTIFIER_REGION', 'eg:nid:29001019934567'],
  ])('reports %s for %s', (code, text) => {
    expect(codeOf(() => parseIdentifier(text, now))).toBe(code)
  })

  it('refuses non-string input and an invalid now', () => {
    expect(codeOf(() => parseIdentifier(42))).toBe('ERR_IDENTIFIER_INVALID')
    expect(codeOf(() => parseIdentifier(null))).toBe('ERR_IDENTIFIER_INVALID')
    expect(codeOf(() => parseIdentifier('dk:cpr:0101901234', { now: new Date('x') }))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
  })

  it('uses the system clock when no now is given', () => {
    expect(parseIdentifier('dk:cpr:0101901234').value).toBe('0101901234')
    const nextYear = (new Date().getUTCFullYear() + 1) % 100
    expect(codeOf(() => parseIdentifier(`eg:nid:3${pad2(nextYear)}06010112345`))).toBe(
      'ERR_IDENTIFIER_DATE',
    )
  })

  it('throws nothing but BaridError for arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.anything()), (x) => {
        codeOf(() => parseIdentifier(x, now))
        expect(typeof isIdentifier(x, now)).toBe('boolean')
      }),
      { numRuns: 500 },
    )
  })

  it('throws nothing but BaridError for valid identifiers with one character changed', () => {
    const edit = fc.tuple(anyValid, fc.nat(), fc.string({ unit: 'binary-ascii', maxLength: 1 }))
    fc.assert(
      fc.property(edit, ([[canonical], at, ch]) => {
        const i = at % canonical.length
        const mutated = canonical.slice(0, i) + ch + canonical.slice(i + 1)
        codeOf(() => parseIdentifier(mutated, now))
      }),
      { numRuns: 500 },
    )
  })

  it('refuses hostile input of a megabyte quickly', () => {
    const hostile = [
      `eg:nid:${'1'.repeat(1_000_000)}`,
      `opaque:${'a.'.repeat(500_000)}eg:x`,
      ':'.repeat(1_000_000),
      `opaque:post.eg:${'-'.repeat(MAX_IDENTIFIER_LENGTH)}`,
    ]
    for (const text of hostile) {
      // CPU time: on a busy machine the test may wait for a core; a slow parse spends CPU.
      const start = process.cpuUsage()
      expect(codeOf(() => parseIdentifier(text, now))).toBe('ERR_IDENTIFIER_INVALID')
      const spent = process.cpuUsage(start)
      expect((spent.user + spent.system) / 1000).toBeLessThan(50)
    }
  })

  it('accepts an identifier of exactly the maximum length', () => {
    const operator = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`
    const text = `opaque:${operator}:${'t'.repeat(128)}`
    expect(text.length).toBe(MAX_IDENTIFIER_LENGTH)
    expect(parseIdentifier(text).text).toBe(text)
    expect(codeOf(() => parseIdentifier(`${text}t`))).toBe('ERR_IDENTIFIER_INVALID')
  })
})
