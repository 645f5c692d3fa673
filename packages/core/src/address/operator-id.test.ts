import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { assertOperatorId, isOperatorId, parseOperatorId } from './operator-id.js'

const label = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?$/)
  .filter((l) => l.slice(2, 4) !== '--')
const operatorId = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.stringMatching(/^[a-z][a-z0-9]{1,6}$/))
  .map(([labels, top]) => [...labels, top].join('.'))

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

describe('operator ids', () => {
  it('accepts generated canonical ids unchanged and agrees with isOperatorId', () => {
    fc.assert(
      fc.property(operatorId, (id) => {
        expect(parseOperatorId(id)).toBe(id)
        expect(isOperatorId(id)).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('normalises upper-case letters, which the canonical check then refuses', () => {
    fc.assert(
      fc.property(operatorId, (id) => {
        const upper = id.toUpperCase()
        expect(parseOperatorId(upper)).toBe(id)
        if (upper !== id) {
          expect(isOperatorId(upper)).toBe(false)
          expect(codeOf(() => assertOperatorId(upper))).toBe('ERR_ADDRESS_INVALID')
        }
      }),
      { numRuns: 100 },
    )
  })

  it.each([
    ['post.eg'],
    ['digitalpost.dk'],
    ['xn--bcher-kva.example'],
    ['a.b'],
    ['0.example'],
    ['a-b.c-d.eg'],
  ])('accepts %s', (id) => {
    expect(parseOperatorId(id)).toBe(id)
  })

  it.each([
    ['', 'empty'],
    ['post', 'a single label'],
    ['post.', 'a trailing dot'],
    ['.post.eg', 'a leading dot'],
    ['post..eg', 'an empty label'],
    ['-post.eg', 'a leading hyphen'],
    ['post-.eg', 'a trailing hyphen'],
    ['po_st.eg', 'an underscore'],
    ['ab--cd.eg', 'a reserved label with -- in positions 3-4'],
    ['192.168.1.1', 'an all-numeric last label'],
    ['bücher.example', 'a U-label (non-ASCII)'],
    ['\u212Aelvin.example', 'a KELVIN SIGN that lower-cases to ASCII k'],
    ['post .eg', 'a space'],
    [`${'a'.repeat(64)}.eg`, 'a 64-character label'],
    [`${'a.'.repeat(126)}eg`, 'a name longer than 253 characters'],
  ])('refuses %j (%s) with ERR_ADDRESS_INVALID', (id) => {
    expect(codeOf(() => parseOperatorId(id))).toBe('ERR_ADDRESS_INVALID')
    expect(isOperatorId(id)).toBe(false)
  })

  it('accepts a 63-character label and a 253-character name', () => {
    expect(isOperatorId(`${'a'.repeat(63)}.eg`)).toBe(true)
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`
    expect(long.length).toBe(253)
    expect(parseOperatorId(long)).toBe(long)
  })

  it('refuses non-strings with ERR_ADDRESS_INVALID', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((x) => typeof x !== 'string'),
        (x) => {
          expect(codeOf(() => parseOperatorId(x))).toBe('ERR_ADDRESS_INVALID')
          expect(isOperatorId(x)).toBe(false)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('throws nothing but BaridError for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        codeOf(() => parseOperatorId(s))
      }),
      { numRuns: 300 },
    )
  })
})
