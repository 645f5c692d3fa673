import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { isBaridError } from '../errors.js'
import { decodeOid, ecdsaSignatureToRaw, readDer } from './der.js'
import { readTime } from './time.js'

function codeOf(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    return isBaridError(e) ? e.code : `not a BaridError: ${String(e)}`
  }
  return 'no error'
}

describe('readDer', () => {
  it('reads nested TLVs with their exact byte ranges', () => {
    const node = readDer(fromHex('3006020101020102'))
    expect(node.children.map((c) => [c.start, c.contentStart, c.end])).toEqual([
      [2, 4, 5],
      [5, 7, 8],
    ])
  })

  it.each([
    ['indefinite length', '3080020101 0000'],
    ['a non-minimal long length', '30 81 03 020101'],
    ['a leading zero length octet', '30 82 0003 020101'],
    ['trailing bytes', '3003020101 00'],
    ['a truncated value', '3005020101'],
    ['BOOLEAN neither 00 nor FF', '0101 01'],
    ['a non-minimal INTEGER', '0202 0001'],
    ['a non-minimal negative INTEGER', '0202 ff80'],
    ['an empty INTEGER', '0200'],
    ['a constructed OCTET STRING', '2403 040100'],
    ['a high tag number', '1f2000'],
    ['a BIT STRING with 8 unused bits', '0302 0800'],
    ['a non-empty NULL', '0501 00'],
    ['an OID with a non-minimal arc', '0603 2a8001'],
  ])('refuses %s with ERR_CERT_MALFORMED', (_name, hex) => {
    expect(codeOf(() => readDer(fromHex(hex.replace(/ /g, ''))))).toBe('ERR_CERT_MALFORMED')
  })

  it('refuses nesting beyond the depth limit', () => {
    let hex = '0500'
    for (let i = 0; i < 30; i++) hex = `30${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`
    expect(codeOf(() => readDer(fromHex(hex)))).toBe('ERR_CERT_MALFORMED')
  })

  it('answers any bytes with a node or ERR_CERT_MALFORMED', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const code = codeOf(() => readDer(b))
        expect(['no error', 'ERR_CERT_MALFORMED']).toContain(code)
      }),
      { numRuns: 500 },
    )
  })

  it('decodes object identifiers', () => {
    const b = fromHex('06032b6570')
    expect(decodeOid(b, readDer(b))).toBe('1.3.101.112')
    const c = fromHex('060b2b0601040181fd59010102')
    expect(decodeOid(c, readDer(c))).toBe('1.3.6.1.4.1.32473.1.1.2')
  })
})

describe('ecdsaSignatureToRaw', () => {
  it('left-pads short components and drops sign octets', () => {
    const raw = ecdsaSignatureToRaw(
      fromHex(`3026 0201 01 0221 00${'ff'.repeat(32)}`.replace(/ /g, '')),
    )
    expect(toHex(raw)).toBe('00'.repeat(31) + '01' + 'ff'.repeat(32))
  })

  it('refuses negative or oversized components', () => {
    expect(codeOf(() => ecdsaSignatureToRaw(fromHex('3006 020180 020101'.replace(/ /g, ''))))).toBe(
      'ERR_CERT_MALFORMED',
    )
    expect(
      codeOf(() =>
        ecdsaSignatureToRaw(fromHex(`3025 0221 01${'00'.repeat(32)} 020101`.replace(/ /g, ''))),
      ),
    ).toBe('ERR_CERT_MALFORMED')
  })
})

describe('readTime', () => {
  const ascii = (s: string) => new TextEncoder().encode(s)
  it('reads UTCTime before 2050 and GeneralizedTime from 2050', () => {
    expect(readTime(0x17, ascii('250101000000Z')).toISOString()).toBe('2025-01-01T00:00:00.000Z')
    expect(readTime(0x17, ascii('500101000000Z')).toISOString()).toBe('1950-01-01T00:00:00.000Z')
    expect(readTime(0x18, ascii('20500101000000Z')).toISOString()).toBe('2050-01-01T00:00:00.000Z')
  })

  it.each([
    [0x18, '20250101000000Z'],
    [0x17, '2501010000Z'],
    [0x17, '250101000000+0100'],
    [0x17, '250231000000Z'],
    [0x17, '250101240000Z'],
    [0x17, '250101000000.5Z'],
  ])('refuses tag %i with %s', (tag, text) => {
    expect(codeOf(() => readTime(tag, ascii(text)))).toBe('ERR_CERT_MALFORMED')
  })
})
