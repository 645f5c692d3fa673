import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { readVectors } from '../../test/vectors-file.js'
import { decodeStrict } from './decode.js'
import { encodeCanonical } from './encode.js'
import { makeVectors } from './vectors.js'

describe('spec/vectors/cbor.json', () => {
  it('is exactly what the generator makes today', async () => {
    expect(await makeVectors()).toEqual(readVectors('cbor'))
  })

  it('has every valid entry decode and re-encode to the same bytes', () => {
    const { valid } = readVectors('cbor') as { valid: { hex: string }[] }
    for (const v of valid) expect(toHex(encodeCanonical(decodeStrict(fromHex(v.hex), { tags: new Set([18]) })))).toBe(v.hex)
  })

  it('has every invalid entry refused with its reason code', () => {
    const { invalid } = readVectors('cbor') as { invalid: { hex: string; reason: string }[] }
    for (const v of invalid) {
      let code = 'accepted'
      try {
        decodeStrict(fromHex(v.hex), { tags: new Set([18]) })
      } catch (e) {
        code = e instanceof BaridError ? e.code : 'not a BaridError'
      }
      expect(code, v.hex).toBe(v.reason)
    }
  })
})
