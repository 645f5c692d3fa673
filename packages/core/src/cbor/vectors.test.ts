import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { readVectors } from '../../test/vectors-file.js'
import { decodeStrict } from './decode.js'
import { encodeCanonical } from './encode.js'
import { makeVectors } from './vectors.js'

type Limits = { maxBytes?: number; maxItems?: number }

describe('spec/vectors/cbor.json', () => {
  it('is exactly what the generator makes today', async () => {
    expect(await makeVectors()).toEqual(readVectors('cbor'))
  })

  it('has every valid entry decode and re-encode to the same bytes', () => {
    const { valid } = readVectors('cbor') as { valid: { hex: string; limits?: Limits }[] }
    for (const v of valid)
      expect(
        toHex(encodeCanonical(decodeStrict(fromHex(v.hex), { tags: new Set([18]), ...v.limits }))),
      ).toBe(v.hex)
  })

  it('has an entry for every code of the decoding table of spec 2.3', () => {
    const { invalid } = readVectors('cbor') as { invalid: { reason: string }[] }
    const reasons = new Set(invalid.map((v) => v.reason))
    for (const code of [
      'ERR_INPUT_TOO_LARGE',
      'ERR_CBOR_TRUNCATED',
      'ERR_CBOR_TRAILING_BYTES',
      'ERR_CBOR_NOT_CANONICAL',
      'ERR_CBOR_INDEFINITE_LENGTH',
      'ERR_CBOR_DUPLICATE_KEY',
      'ERR_CBOR_UNKNOWN_TAG',
      'ERR_CBOR_UNSUPPORTED_TYPE',
      'ERR_CBOR_INVALID_UTF8',
      'ERR_CBOR_TOO_DEEP',
      'ERR_CBOR_TOO_MANY_ITEMS',
      'ERR_CBOR_MALFORMED',
    ])
      expect(reasons.has(code), code).toBe(true)
  })

  it('has every invalid entry refused with its reason code', () => {
    const { invalid } = readVectors('cbor') as {
      invalid: { hex: string; reason: string; limits?: Limits }[]
    }
    for (const v of invalid) {
      let code = 'accepted'
      try {
        decodeStrict(fromHex(v.hex), { tags: new Set([18]), ...v.limits })
      } catch (e) {
        code = e instanceof BaridError ? e.code : 'not a BaridError'
      }
      expect(code, v.hex).toBe(v.reason)
    }
  })
})
