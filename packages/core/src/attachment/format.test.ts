import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex, utf8 } from '../bytes.js'
import {
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  attachmentCiphertextSize,
  attachmentContext,
  chunkNonce,
  encodeHeader,
  isValidChunkSize,
  parseHeader,
} from './format.js'

describe('attachment format', () => {
  it('writes the header as magic BRDA, version 1 and log2 of the chunk size, and reads it back', () => {
    expect(toHex(encodeHeader(65_536))).toBe('425244410110')
    for (let log2 = 6; log2 <= 20; log2++)
      expect(parseHeader(encodeHeader(2 ** log2))).toBe(2 ** log2)
  })

  it('allows exactly the powers of two from 64 to 1 MiB as chunk sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 2 ** 22 }), (n) => {
        const want = n >= 64 && n <= 2 ** 20 && Number.isInteger(Math.log2(n))
        expect(isValidChunkSize(n)).toBe(want)
      }),
      { numRuns: 300 },
    )
  })

  it('makes the nonce the 88-bit big-endian chunk index followed by the last-chunk flag', () => {
    expect(toHex(chunkNonce(0, false))).toBe('000000000000000000000000')
    expect(toHex(chunkNonce(0, true))).toBe('000000000000000000000001')
    expect(toHex(chunkNonce(0x01020304, false))).toBe('000000000000000102030400')
    expect(toHex(chunkNonce(2 ** 32 + 5, true))).toBe('000000000000010000000501')
  })

  it('binds label, header and length-prefixed id into the context', () => {
    expect(toHex(attachmentContext(encodeHeader(64), utf8('a1')))).toBe(
      toHex(utf8('barid-attachment-v1')) + '425244410106' + '02' + toHex(utf8('a1')),
    )
  })

  it('computes the ciphertext size as header plus plaintext plus one tag per chunk', () => {
    expect(attachmentCiphertextSize(0)).toBe(22)
    expect(attachmentCiphertextSize(65_536)).toBe(6 + 65_536 + 16)
    expect(attachmentCiphertextSize(65_537)).toBe(6 + 65_537 + 32)
    expect(attachmentCiphertextSize(MAX_ATTACHMENT_PLAINTEXT_SIZE)).toBe(6 + 2 ** 36 + 2 ** 20 * 16)
  })

  it('refuses a negative, fractional or over-cap plaintext size with typed errors', () => {
    expect(() => attachmentCiphertextSize(-1)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => attachmentCiphertextSize(1.5)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => attachmentCiphertextSize(2 ** 36 + 1)).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }),
    )
    expect(() => attachmentCiphertextSize(10, 100)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})
