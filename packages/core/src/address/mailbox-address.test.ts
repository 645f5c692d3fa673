import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import {
  assertMailboxAddress,
  formatMailboxAddress,
  isMailboxAddress,
  parseMailboxAddress,
} from './mailbox-address.js'

const label = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?$/)
  .filter((l) => l.slice(2, 4) !== '--')
const operatorId = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z][a-z0-9]{1,6}$/))
  .map(([labels, top]) => [...labels, top].join('.'))
const localPart = fc
  .stringMatching(/^[a-z0-9][a-z0-9_-]{0,15}(?:\.[a-z0-9_-]{1,10}){0,3}$/)
  .filter((l) => l.length <= 64)

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

describe('mailbox addresses', () => {
  it('round-trips generated addresses through format and parse', () => {
    fc.assert(
      fc.property(localPart, operatorId, (local, operator) => {
        const address = formatMailboxAddress({ local, operator })
        expect(address).toBe(`${local}@${operator}`)
        expect(parseMailboxAddress(address)).toEqual({ local, operator, address })
        expect(isMailboxAddress(address)).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('normalises case, and refuses the non-canonical spelling in canonical mode', () => {
    const parsed = parseMailboxAddress('Lars.Jensen@DigitalPost.DK')
    expect(parsed).toEqual({
      local: 'lars.jensen',
      operator: 'digitalpost.dk',
      address: 'lars.jensen@digitalpost.dk',
    })
    expect(isMailboxAddress('Lars.Jensen@DigitalPost.DK')).toBe(false)
    expect(codeOf(() => assertMailboxAddress('Lars.Jensen@DigitalPost.DK'))).toBe(
      'ERR_ADDRESS_INVALID',
    )
    expect(codeOf(() => assertMailboxAddress('lars.jensen@digitalpost.dk'))).toBeUndefined()
  })

  it.each([
    ['amina.hassan@post.eg'],
    ['a@b.c'],
    ['0@post.eg'],
    ['a_b-c.d@post.eg'],
    ['a-@post.eg'],
    [`${'a'.repeat(64)}@post.eg`],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`],
  ])('accepts %s', (address) => {
    expect(parseMailboxAddress(address).address).toBe(address)
  })

  it.each([
    ['', 'empty'],
    ['amina', 'no @'],
    ['@post.eg', 'an empty local part'],
    ['amina@', 'an empty operator'],
    ['a@b@post.eg', 'two @'],
    ['.amina@post.eg', 'a leading dot'],
    ['amina.@post.eg', 'a trailing dot'],
    ['ami..na@post.eg', 'a double dot'],
    ['-amina@post.eg', 'a leading hyphen'],
    ['_amina@post.eg', 'a leading underscore'],
    ['ami+na@post.eg', 'a plus sign'],
    ['"amina"@post.eg', 'a quoted local part'],
    ['amina @post.eg', 'a space'],
    ['amïna@post.eg', 'a non-ASCII letter'],
    ['amina@post', 'a one-label operator'],
    ['amina@[192.0.2.1]', 'an address literal'],
    [`${'a'.repeat(65)}@post.eg`, 'a 65-character local part'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, '255 characters'],
  ])('refuses %j (%s) with ERR_ADDRESS_INVALID', (address) => {
    expect(codeOf(() => parseMailboxAddress(address))).toBe('ERR_ADDRESS_INVALID')
    expect(isMailboxAddress(address)).toBe(false)
  })

  it('refuses a local part containing @ when formatting', () => {
    expect(codeOf(() => formatMailboxAddress({ local: 'a@b', operator: 'post.eg' }))).toBe(
      'ERR_ADDRESS_INVALID',
    )
  })

  it('never repeats the address in an error message', () => {
    try {
      parseMailboxAddress('secret.person@post')
    } catch (e) {
      expect((e as Error).message).not.toContain('secret.person')
    }
    expect.assertions(1)
  })

  it('throws nothing but BaridError for arbitrary strings and values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.anything()), (x) => {
        codeOf(() => parseMailboxAddress(x))
        expect(typeof isMailboxAddress(x)).toBe('boolean')
      }),
      { numRuns: 300 },
    )
  })

  it('refuses a megabyte of hostile input quickly', () => {
    for (const hostile of ['a'.repeat(1_000_000), `${'a.'.repeat(500_000)}@post.eg`]) {
      // CPU time: on a busy machine the test may wait for a core; a slow parse spends CPU.
      const start = process.cpuUsage()
      expect(codeOf(() => parseMailboxAddress(hostile))).toBe('ERR_ADDRESS_INVALID')
      const spent = process.cpuUsage(start)
      expect((spent.user + spent.system) / 1000).toBeLessThan(50)
    }
  })
})
