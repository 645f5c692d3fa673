import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_KEYS_PER_RECIPIENT } from './limits.js'
import { recipientKeys } from './recipient-keys.js'

const key = (kid: string, use: 'enc' | 'sig') => ({ kid, use })

describe('recipientKeys (spec 13.4)', () => {
  it('takes the first four encryption keys of a list that is newest first', () => {
    const listed = [
      key('e6', 'enc'),
      key('s2', 'sig'),
      key('e5', 'enc'),
      key('e4', 'enc'),
      key('e3', 'enc'),
      key('s1', 'sig'),
      key('e2', 'enc'),
      key('e1', 'enc'),
    ]
    expect(recipientKeys(listed).map((k) => k.kid)).toEqual(['e6', 'e5', 'e4', 'e3'])
  })

  it('takes every encryption key of a mailbox with four or fewer, and none of one with none', () => {
    expect(recipientKeys([key('s', 'sig'), key('e2', 'enc'), key('e1', 'enc')])).toEqual([
      key('e2', 'enc'),
      key('e1', 'enc'),
    ])
    expect(recipientKeys([key('s', 'sig')])).toEqual([])
    expect(recipientKeys([])).toEqual([])
  })

  it('is the longest prefix of the listed encryption keys that fits the limit, for any list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kid: fc.string(), use: fc.constantFrom('enc', 'sig', 'other') })),
        (keys) => {
          const enc = keys.filter((k) => k.use === 'enc')
          const chosen = recipientKeys(keys)
          expect(chosen).toEqual(enc.slice(0, MAX_KEYS_PER_RECIPIENT))
          for (const k of chosen) expect(keys).toContain(k)
        },
      ),
    )
  })
})
