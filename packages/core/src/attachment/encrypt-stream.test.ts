import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesEqual, toHex } from '../bytes.js'
import { decryptAttachmentStream } from './decrypt-stream.js'
import { encryptAttachmentStream } from './encrypt-stream.js'
import { attachmentCiphertextSize, attachmentContext, chunkNonce, encodeHeader } from './format.js'
import { decryptAttachment, encryptAttachment } from './in-memory.js'
import { derivePayloadKey, generateAttachmentKey } from './key.js'
import { codeOf, cutInto, patterned, splitChunks, through } from './test-util.js'

const key = Uint8Array.from({ length: 32 }, (_, i) => i)
const CHUNK = 64
// Sizes around every boundary that matters for 64-byte chunks, and arbitrary ones.
const plaintextSize = fc.oneof(
  fc.constantFrom(0, 1, 63, 64, 65, 127, 128, 129, 192),
  fc.nat({ max: 700 }),
)
const cuts = fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 6 })

describe('encryptAttachmentStream and decryptAttachmentStream', () => {
  it('round-trip every plaintext size under every way of cutting the input and the ciphertext', async () => {
    await fc.assert(
      fc.asyncProperty(
        plaintextSize,
        cuts,
        cuts,
        fc.nat(255),
        async (size, inCuts, ctCuts, seed) => {
          const plain = patterned(size, seed)
          const ct = await through(
            cutInto(plain, inCuts),
            encryptAttachmentStream({ key, attachmentId: 'a1', chunkSize: CHUNK }),
          )
          expect(ct.length).toBe(attachmentCiphertextSize(size, CHUNK))
          const back = await through(
            cutInto(ct, ctCuts),
            decryptAttachmentStream({ key, attachmentId: 'a1' }),
          )
          expect(bytesEqual(back, plain)).toBe(true)
        },
      ),
      { numRuns: 80 },
    )
  })

  it('produces the same ciphertext whatever the input cutting', async () => {
    await fc.assert(
      fc.asyncProperty(plaintextSize, cuts, async (size, inCuts) => {
        const plain = patterned(size)
        const opts = { key, attachmentId: 'a1', chunkSize: CHUNK }
        const whole = await through([plain], encryptAttachmentStream(opts))
        const cut = await through(cutInto(plain, inCuts), encryptAttachmentStream(opts))
        expect(toHex(cut)).toBe(toHex(whole))
      }),
      { numRuns: 40 },
    )
  })

  it('round-trips with the default 64 KiB chunks across chunk boundaries, fed one odd size at a time', async () => {
    for (const size of [0, 65_535, 65_536, 65_537, 3 * 65_536 + 5]) {
      const plain = patterned(size, 7)
      const ct = await through(
        cutInto(plain, [4099, 1, 70_000]),
        encryptAttachmentStream({ key, attachmentId: 'doc' }),
      )
      expect(ct.length).toBe(attachmentCiphertextSize(size))
      const back = await through(
        cutInto(ct, [10_000_000, 3]),
        decryptAttachmentStream({ key, attachmentId: 'doc' }),
      )
      expect(bytesEqual(back, plain)).toBe(true)
    }
  })

  it('lays out header, then chunks sealed with AES-GCM under the STREAM nonces, as spec 6.5 says', async () => {
    const plain = patterned(150)
    const ct = await through(
      [plain],
      encryptAttachmentStream({ key, attachmentId: 'a1', chunkSize: CHUNK }),
    )
    const header = encodeHeader(CHUNK)
    const { header: got, chunks } = splitChunks(ct, CHUNK)
    expect(toHex(got)).toBe(toHex(header))
    expect(chunks.map((c) => c.length)).toEqual([80, 80, 38])
    const context = attachmentContext(
      header,
      new TextEncoder().encode('a1'),
    ) as Uint8Array<ArrayBuffer>
    const aes = await derivePayloadKey(key, context, 'decrypt')
    for (const [i, c] of chunks.entries()) {
      const iv = chunkNonce(i, i === chunks.length - 1)
      const pt = new Uint8Array(
        await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv, additionalData: context },
          aes,
          c as Uint8Array<ArrayBuffer>,
        ),
      )
      expect(toHex(pt)).toBe(toHex(plain.subarray(i * CHUNK, (i + 1) * CHUNK)))
    }
  })

  it('treats a string id and its UTF-8 bytes as the same id', async () => {
    const a = await encryptAttachment(patterned(10), {
      key,
      attachmentId: 'مرفق-1',
      chunkSize: CHUNK,
    })
    const back = await decryptAttachment(a.ciphertext, {
      key,
      attachmentId: new TextEncoder().encode('مرفق-1'),
    })
    expect(toHex(back)).toBe(toHex(patterned(10)))
  })

  it('refuses a bad key, id or chunk size when the stream is made', () => {
    expect(() => encryptAttachmentStream({ key: new Uint8Array(16), attachmentId: 'a' })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
    expect(() => encryptAttachmentStream({ key, attachmentId: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => encryptAttachmentStream({ key, attachmentId: 'x'.repeat(256) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    for (const chunkSize of [0, 32, 100, 2 ** 21, 65_536.5]) {
      expect(() => encryptAttachmentStream({ key, attachmentId: 'a', chunkSize })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
    }
    expect(() => decryptAttachmentStream({ key: new Uint8Array(33), attachmentId: 'a' })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
  })

  it('refuses a stream chunk that is not a Uint8Array over an ordinary ArrayBuffer', async () => {
    const s = encryptAttachmentStream({ key, attachmentId: 'a' })
    expect(await codeOf(through(['text' as unknown as Uint8Array], s))).toBe('ERR_INVALID_ARGUMENT')
    const shared = new Uint8Array(new SharedArrayBuffer(8))
    const t = encryptAttachmentStream({ key, attachmentId: 'a' })
    expect(await codeOf(through([shared], t))).toBe('ERR_INVALID_ARGUMENT')
  })

  it('refuses more plaintext than the 64 GiB cap', async () => {
    // A view that claims to be huge: the cap is checked on the running total before any copy.
    class Huge extends Uint8Array {
      override get length(): number {
        return 2 ** 36 + 1
      }
    }
    const s = encryptAttachmentStream({ key, attachmentId: 'a' })
    expect(await codeOf(through([new Huge(1)], s))).toBe('ERR_INPUT_TOO_LARGE')
  })

  it("leaves the caller's key intact and uses the injected randomness for a generated key", async () => {
    const mine = key.slice()
    await through([patterned(5)], encryptAttachmentStream({ key: mine, attachmentId: 'a' }))
    expect(toHex(mine)).toBe(toHex(key))
    const fixed = generateAttachmentKey({ random: (n) => new Uint8Array(n).fill(9) })
    expect(toHex(fixed)).toBe('09'.repeat(32))
    const made = await encryptAttachment(patterned(5), {
      attachmentId: 'a',
      random: (n) => new Uint8Array(n).fill(9),
    })
    expect(toHex(made.key)).toBe('09'.repeat(32))
    expect(generateAttachmentKey()).not.toEqual(generateAttachmentKey())
  })
})
