import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import {
  MAX_SENDER_NAME_LENGTH,
  MAX_SENDER_NAMES,
  parseSenderDisplay,
  parseSenderName,
  parseSenderNames,
} from './sender-names.js'

const code = (f: () => unknown): string | undefined => {
  try {
    f()
    return undefined
  } catch (e) {
    if (e instanceof BaridError) return e.code
    throw e
  }
}

describe('sender display names', () => {
  it('accepts names in Arabic, Danish and English keyed by language tag', () => {
    const names = { ar: 'مصلحة الضرائب المصرية', da: 'Den egyptiske skattemyndighed', 'en-GB': 'Egyptian Tax Authority' }
    expect(parseSenderNames(names)).toEqual(names)
  })

  it('refuses a key that is not a language tag, a duplicate tag and too many names', () => {
    expect(code(() => parseSenderNames({ 'not a tag': 'x' }))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderNames({ __proto__x: 'x' }))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderNames({ en: 'a', EN: 'b' }))).toBe('ERR_INVALID_ARGUMENT')
    const many = Object.fromEntries(
      Array.from({ length: MAX_SENDER_NAMES + 1 }, (_, i) => [`x${String.fromCharCode(97 + i)}`, 'n']),
    )
    expect(code(() => parseSenderNames(many))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderNames([]))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderNames(null))).toBe('ERR_INVALID_ARGUMENT')
  })

  it('refuses an empty name, a name too long, a control character and a lone surrogate', () => {
    expect(code(() => parseSenderName(''))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderName('x'.repeat(MAX_SENDER_NAME_LENGTH + 1)))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(parseSenderName('\u{1F3DB}'.repeat(MAX_SENDER_NAME_LENGTH))).toHaveLength(
      2 * MAX_SENDER_NAME_LENGTH,
    )
    expect(code(() => parseSenderName('Skat\r\nBcc: x'))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderName('Skat\u2028'))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderName('Skat\ud800'))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => parseSenderNames({ da: 7 }))).toBe('ERR_INVALID_ARGUMENT')
  })

  it('reads a display with one name and no others, and refuses unknown members', () => {
    expect(parseSenderDisplay({ name: 'Skattestyrelsen', names: {} })).toEqual({
      name: 'Skattestyrelsen',
      names: {},
    })
    expect(code(() => parseSenderDisplay({ name: 'S', names: {}, logo: 'x' }))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(code(() => parseSenderDisplay({ names: {} }))).toBe('ERR_INVALID_ARGUMENT')
  })

  it('answers any hostile value with a typed error or a checked display, never a crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ name: fc.string(), names: fc.dictionary(fc.string(), fc.anything()) }),
        ),
        (v) => {
          const c = code(() => parseSenderDisplay(v))
          if (c !== undefined) expect(c).toBe('ERR_INVALID_ARGUMENT')
          else {
            const d = parseSenderDisplay(v)
            expect(Object.keys(d.names).length).toBeLessThanOrEqual(MAX_SENDER_NAMES)
          }
        },
      ),
    )
  })
})
