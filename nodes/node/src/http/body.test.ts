import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBaridError } from '../core.js'
import { b64Field } from './body.js'

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f()
    return undefined
  } catch (e) {
    return isBaridError(e) ? e.code : 'untyped'
  }
}

describe('b64Field', () => {
  it('takes any value up to the limit and refuses one byte more as too large (spec 12.3 step 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (size, limit) => {
        const bytes = new Uint8Array(size).map((_, i) => i * 7)
        const body = { letter: Buffer.from(bytes).toString('base64url') }
        if (size <= limit) expect(b64Field(body, 'letter', limit)).toEqual(bytes)
        else expect(codeOf(() => b64Field(body, 'letter', limit))).toBe('ERR_INPUT_TOO_LARGE')
      }),
      { numRuns: 300 },
    )
  })

  it('refuses a missing or non-string field, and text that is not unpadded base64url, as invalid', () => {
    for (const v of [undefined, null, 42, ['AA'], { a: 1 }])
      expect(codeOf(() => b64Field({ letter: v }, 'letter', 10))).toBe('ERR_INVALID_ARGUMENT')
    for (const v of ['AA==', 'A', 'a+b/', 'AA AA'])
      expect(codeOf(() => b64Field({ letter: v }, 'letter', 10))).toBe('ERR_INVALID_ARGUMENT')
  })
})
