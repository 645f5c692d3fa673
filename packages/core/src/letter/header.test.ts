import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { decodeStrict, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import type { MailboxAddress } from '../address/index.js'
import { encodeLetterHeader, parseLetterHeader, type LetterHeader } from './header.js'
import {
  isLetterId,
  letterIdFromBytes,
  letterIdTime,
  letterIdToBytes,
  newLetterId,
  type LetterId,
} from './letter-id.js'

const address = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/),
    fc.constantFrom('post.eg', 'digitalpost.dk', 'e-boks.dk'),
  )
  .map(([l, o]) => `${l}@${o}` as MailboxAddress)
const letterId = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.uint8Array({ minLength: 10, maxLength: 10 }))
  .map(([t, r]) => newLetterId(t, r))

const header: fc.Arbitrary<LetterHeader> = fc
  .record({
    id: letterId,
    sender: address,
    recipients: fc.uniqueArray(address, { minLength: 1, maxLength: 20 }),
    created: fc.integer({ min: 0, max: 2 ** 39 }),
    life: fc.integer({ min: 1, max: 10 ** 9 }),
    kind: fc.constantFrom<'letter' | 'registered'>('letter', 'registered'),
    contentType: fc.constantFrom(
      'application/pdf',
      'text/plain; charset=utf-8',
      'text/html;charset="utf-8"',
    ),
    lang: fc.constantFrom('ar', 'da', 'en', 'ar-EG', 'da-DK'),
    threadId: fc.option(letterId, { nil: undefined }),
    replyTo: fc.option(letterId, { nil: undefined }),
    attachments: fc.uniqueArray(
      fc.record({
        id: fc.stringMatching(/^[A-Za-z0-9._-]{1,16}$/),
        size: fc.integer({ min: 0, max: 85_899_345_926 }),
        sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      }),
      { maxLength: 5, selector: (a) => a.id },
    ),
    keyCommitment: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  })
  .map(({ life, threadId, replyTo, ...h }) => ({
    v: 1 as const,
    ...h,
    expires: h.created + life,
    ...(threadId === undefined ? {} : { threadId }),
    ...(replyTo === undefined ? {} : { replyTo }),
  }))

function codeOf(f: () => unknown): string {
  try {
    f()
    return 'accepted'
  } catch (e) {
    return e instanceof BaridError ? e.code : `not a BaridError: ${String(e)}`
  }
}

describe('letter header', () => {
  it('parses what it encodes, and re-encodes decoded canonical bytes to the same bytes', () => {
    fc.assert(
      fc.property(header, (h) => {
        const bytes = encodeCanonical(encodeLetterHeader(h))
        const parsed = parseLetterHeader(decodeStrict(bytes))
        expect(parsed).toEqual(h)
        expect(toHex(encodeCanonical(encodeLetterHeader(parsed)))).toBe(toHex(bytes))
      }),
      { numRuns: 100 },
    )
  })

  it('refuses each kind of bad field with ERR_LETTER_MALFORMED', () => {
    const h = fc.sample(header, { numRuns: 1, seed: 1 })[0]!
    const bad = (change: (m: Map<CborKey, CborValue>) => void): string => {
      const m = encodeLetterHeader(h)
      change(m)
      return codeOf(() => parseLetterHeader(decodeStrict(encodeCanonical(m))))
    }
    expect(bad((m) => m.set('extra', 1))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.delete('commit'))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('to', []))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('to', ['a@post.eg', 'a@post.eg']))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('to', ['A@post.eg']))).toBe('ERR_LETTER_MALFORMED')
    expect(
      bad((m) =>
        m.set(
          'to',
          Array.from({ length: 1001 }, (_, i) => `u${i}@post.eg`),
        ),
      ),
    ).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('from', 'nobody'))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('expires', m.get('created')!))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('created', -1))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('kind', 'urgent'))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('ct', 'pdf'))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('lang', 'english!'))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('id', new Uint8Array(16)))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('commit', new Uint8Array(31)))).toBe('ERR_LETTER_MALFORMED')
    expect(
      bad((m) =>
        m.set('att', [
          new Map<CborKey, CborValue>([
            ['id', 'a'],
            ['size', 1],
          ]),
        ]),
      ),
    ).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('v', 2))).toBe('ERR_UNSUPPORTED_VERSION')
  })

  it('bounds an attachment size by the largest ciphertext the attachment format makes', () => {
    const h = fc.sample(header, { numRuns: 1, seed: 1 })[0]!
    const withSize = (size: number): string => {
      const m = encodeLetterHeader(h)
      const att = new Map<CborKey, CborValue>([
        ['id', 'a'],
        ['size', size],
        ['sha256', new Uint8Array(32)],
      ])
      m.set('att', [att])
      return codeOf(() => parseLetterHeader(decodeStrict(encodeCanonical(m))))
    }
    // 6 + 2^36 + 16 * 2^30: 64 GiB of plaintext in 64-byte chunks (spec 06, 6.7).
    expect(withSize(85_899_345_926)).toBe('accepted')
    expect(withSize(85_899_345_927)).toBe('ERR_LETTER_MALFORMED')
    expect(withSize(2 ** 40)).toBe('ERR_LETTER_MALFORMED')
  })

  it('round-trips the delivery terms of registered mail and refuses them out of order', () => {
    const h = { ...fc.sample(header, { numRuns: 1, seed: 2 })[0]!, kind: 'registered' as const }
    const terms = {
      ...h,
      category: 'service-of-process' as const,
      visibleFrom: h.created,
      title: 'Afgørelse',
      replyBy: h.created + 1,
      expires: h.created + 10,
    }
    const bytes = encodeCanonical(encodeLetterHeader(terms))
    expect(parseLetterHeader(decodeStrict(bytes))).toEqual(terms)
    const bad = (change: (m: Map<CborKey, CborValue>) => void): string => {
      const m = encodeLetterHeader(terms)
      change(m)
      return codeOf(() => parseLetterHeader(decodeStrict(encodeCanonical(m))))
    }
    expect(bad((m) => m.set('kind', 'letter'))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('cat', 'urgent'))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('nbf', terms.created - 1))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('nbf', terms.expires))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('reply', terms.created))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('title', ''))).toBe('ERR_LETTER_MALFORMED')
    expect(bad((m) => m.set('title', 'x'.repeat(121)))).toBe('ERR_LETTER_MALFORMED')
  })
})

describe('letter ids (UUIDv7)', () => {
  it('round-trips through bytes and keeps the time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        (t, r) => {
          const id = newLetterId(t, r)
          expect(isLetterId(id)).toBe(true)
          expect(letterIdFromBytes(letterIdToBytes(id))).toBe(id)
          expect(letterIdTime(id)).toBe(t)
        },
      ),
    )
  })

  it('sorts by creation time', () => {
    const a = newLetterId(1_700_000_000_000)
    const b = newLetterId(1_700_000_000_001)
    expect([b, a].sort()).toEqual([a, b])
  })

  it('refuses other UUID versions, upper case and wrong lengths', () => {
    const v4 = '3b241101-e2bb-4255-8caf-4136c566a962'
    expect(isLetterId(v4)).toBe(false)
    expect(isLetterId(newLetterId().toUpperCase())).toBe(false)
    expect(codeOf(() => letterIdToBytes(v4))).toBe('ERR_INVALID_ARGUMENT')
    expect(codeOf(() => letterIdFromBytes(new Uint8Array(15)))).toBe('ERR_INVALID_ARGUMENT')
    expect(codeOf(() => newLetterId(-1))).toBe('ERR_INVALID_ARGUMENT')
    const fixed: LetterId = newLetterId(0, new Uint8Array(10))
    expect(fixed).toBe('00000000-0000-7000-8000-000000000000')
  })
})
