/**
 * The protected header limit of spec 05 (5.9) is checked on the byte string's length, before the
 * header is decoded (spec 04, 4.1 rule 5): whatever an oversize header holds, and however costly
 * it would be to decode, the reader's answer is `ERR_INPUT_TOO_LARGE`.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CborTag, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { decodeSign1 } from '../cose/sign1.js'
import { codeOf } from '../../test/code-of.js'
import { inspectLetter } from './inspect.js'
import { MAX_HEADER_BYTES } from './limits.js'

function sign1(protectedBytes: Uint8Array): Uint8Array {
  return encodeCanonical(
    new CborTag(18, [protectedBytes, new Map(), Uint8Array.of(0xa0), new Uint8Array(64)]),
  )
}

function fill(prefix: Uint8Array, byte: number, length: number): Uint8Array {
  const out = new Uint8Array(length).fill(byte)
  out.set(prefix.subarray(0, length))
  return out
}

// Oversize headers of every kind a decoder would answer differently: not CBOR at all, nested
// past any depth limit, a map with an unknown alg or an unknown label, and a well-formed letter
// header with a large but otherwise valid field. The property draws a recipe, not the bytes,
// so a failure prints a few numbers rather than 512 KiB.
const oversize = fc.record({
  extra: fc.integer({ min: 1, max: 4096 }),
  prefix: fc.uint8Array({ maxLength: 64 }),
  kind: fc.constantFrom('garbage', 'nested', 'unknown-alg', 'unknown-label', 'big-kid'),
})

function build(r: { extra: number; prefix: Uint8Array; kind: string }): Uint8Array {
  const { extra, prefix, kind } = r
  const length = MAX_HEADER_BYTES + extra
  if (kind === 'garbage') return fill(prefix, 0xff, length)
  if (kind === 'nested') return fill(new Uint8Array(0), 0x81, length)
  const padding = new Uint8Array(length)
  const header = new Map<CborKey, CborValue>([
    [1, kind === 'unknown-alg' ? -35 : -8],
    [16, 'application/barid-letter+cose'],
  ])
  if (kind === 'unknown-label') header.set(99, padding)
  else header.set(4, padding)
  return encodeCanonical(header)
}

describe('the protected header size limit', () => {
  it('refuses every oversize protected header with ERR_INPUT_TOO_LARGE, whatever it holds', async () => {
    const resolveSenderKey = () => Promise.reject(new Error('no key is looked up'))
    await fc.assert(
      fc.asyncProperty(oversize, async (recipe) => {
        expect(await codeOf(inspectLetter(sign1(build(recipe)), { resolveSenderKey }))).toBe(
          'ERR_INPUT_TOO_LARGE',
        )
      }),
      { numRuns: 40 },
    )
  })

  it('accepts a header of exactly the limit as far as its size goes', async () => {
    const resolveSenderKey = () => Promise.reject(new Error('no key is looked up'))
    const prot = fill(new Uint8Array(0), 0xff, MAX_HEADER_BYTES)
    expect(await codeOf(inspectLetter(sign1(prot), { resolveSenderKey }))).toBe(
      'ERR_LETTER_MALFORMED',
    )
  })

  it('is checked by the COSE reader before the header is decoded', () => {
    // 0xff is a break code with nothing open: any decoder refuses it at the first byte.
    const bytes = sign1(new Uint8Array(11).fill(0xff))
    expect(() => decodeSign1(bytes, { maxProtectedBytes: 10 })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }),
    )
    expect(() => decodeSign1(bytes, { maxProtectedBytes: 11 })).toThrow(
      expect.objectContaining({ code: 'ERR_COSE_MALFORMED' }),
    )
  })
})
