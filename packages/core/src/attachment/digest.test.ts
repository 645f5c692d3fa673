import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes, toHex } from '../bytes.js'
import { decryptAttachmentStream } from './decrypt-stream.js'
import {
  DIGEST_BLOCK_SIZE,
  computeCiphertextDigest,
  digestingStream,
  verifyCiphertextDigest,
} from './digest.js'
import { encryptAttachmentStream } from './encrypt-stream.js'
import { encryptAttachment } from './in-memory.js'
import { codeOf, collectUntilError, cutInto, patterned, through } from './test-util.js'

const key = Uint8Array.from({ length: 32 }, (_, i) => i)
const MiB = DIGEST_BLOCK_SIZE

/** The hash list of spec 6.8, written independently with Node's incremental SHA-256. */
function referenceDigest(bytes: Uint8Array): string {
  const outer = createHash('sha256')
  for (let off = 0; off < bytes.length; off += MiB) {
    outer.update(
      createHash('sha256')
        .update(bytes.subarray(off, off + MiB))
        .digest(),
    )
  }
  return outer.digest('hex')
}

describe('ciphertext digest (hash list over 1 MiB blocks)', () => {
  it('matches an independent implementation at every block boundary and under any cutting', async () => {
    const sizes = fc.oneof(fc.constantFrom(0, 1, MiB - 1, MiB, MiB + 1, 2 * MiB), fc.nat(3 * MiB))
    // Pieces of at least 4 KiB keep a 3 MiB input to a few hundred writes; tiny pieces are
    // covered by the next property on small inputs.
    const cuts = fc.array(fc.integer({ min: 4096, max: 2 * MiB }), { maxLength: 4 })
    await fc.assert(
      fc.asyncProperty(sizes, cuts, async (size, cuts) => {
        const bytes = patterned(size, 3)
        const d = digestingStream()
        const passed = await through(cutInto(bytes, cuts), d)
        expect(passed.length).toBe(size)
        const got = await d.result
        expect(got.size).toBe(size)
        expect(toHex(got.sha256)).toBe(referenceDigest(bytes))
        expect(toHex((await computeCiphertextDigest(bytes)).sha256)).toBe(referenceDigest(bytes))
      }),
      { numRuns: 12 },
    )
  })

  it('gives the same digest however small the pieces written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(2000),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 4 }),
        async (size, cuts) => {
          const bytes = patterned(size, 5)
          const d = digestingStream()
          await through(cutInto(bytes, cuts), d)
          expect(toHex((await d.result).sha256)).toBe(referenceDigest(bytes))
        },
      ),
      { numRuns: 30 },
    )
  })

  it('gives the empty input the SHA-256 of the empty list', async () => {
    const { size, sha256 } = await computeCiphertextDigest(new Uint8Array(0))
    expect(size).toBe(0)
    expect(toHex(sha256)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('is computed in the same pass as encryption and equals what encryptAttachment reports', async () => {
    const plain = patterned(3 * 65_536 + 9)
    const d = digestingStream()
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(plain)
        c.close()
      },
    })
    const ct = await through([plain], encryptAttachmentStream({ key, attachmentId: 'a1' }))
    const parts: Uint8Array[] = []
    await source
      .pipeThrough(encryptAttachmentStream({ key, attachmentId: 'a1' }))
      .pipeThrough(d)
      .pipeTo(new WritableStream({ write: (c) => void parts.push(c) }))
    const once = await encryptAttachment(plain, { key, attachmentId: 'a1' })
    expect(toHex(concatBytes(...parts))).toBe(toHex(ct))
    expect((await d.result).size).toBe(ct.length)
    expect(toHex((await d.result).sha256)).toBe(referenceDigest(ct))
    expect(toHex(once.sha256)).toBe(referenceDigest(ct))
    expect(once.size).toBe(ct.length)
  })

  it('rejects its result when the stream fails', async () => {
    const d = digestingStream()
    await collectUntilError(['no' as unknown as Uint8Array], d)
    expect(await codeOf(d.result)).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('verifyCiphertextDigest', () => {
  it("passes the manifest's ciphertext through unchanged and lets decryption finish", async () => {
    const plain = patterned(1000)
    const { ciphertext, size, sha256 } = await encryptAttachment(plain, {
      key,
      attachmentId: 'a1',
      chunkSize: 64,
    })
    const checked = await through(
      cutInto(ciphertext, [7, 300]),
      verifyCiphertextDigest({ size, sha256 }),
    )
    expect(toHex(checked)).toBe(toHex(ciphertext))
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(ciphertext)
        c.close()
      },
    })
    const parts: Uint8Array[] = []
    await source
      .pipeThrough(verifyCiphertextDigest({ size, sha256 }))
      .pipeThrough(decryptAttachmentStream({ key, attachmentId: 'a1' }))
      .pipeTo(new WritableStream({ write: (c) => void parts.push(c) }))
    expect(toHex(concatBytes(...parts))).toBe(toHex(plain))
  })

  it('rejects one flipped bit, a missing byte, an extra byte and a wrong digest as a mismatch', async () => {
    const { ciphertext, size, sha256 } = await encryptAttachment(patterned(300), {
      key,
      attachmentId: 'a1',
      chunkSize: 64,
    })
    await fc.assert(
      fc.asyncProperty(fc.nat(ciphertext.length * 8 - 1), async (bit) => {
        const bad = ciphertext.slice()
        bad[bit >> 3]! ^= 1 << (bit & 7)
        expect(await codeOf(through([bad], verifyCiphertextDigest({ size, sha256 })))).toBe(
          'ERR_ATTACHMENT_MISMATCH',
        )
      }),
      { numRuns: 30 },
    )
    const verify = (bytes: Uint8Array, d = sha256) =>
      codeOf(through([bytes], verifyCiphertextDigest({ size, sha256: d })))
    expect(await verify(ciphertext.subarray(1))).toBe('ERR_ATTACHMENT_MISMATCH')
    expect(await verify(concatBytes(ciphertext, Uint8Array.of(0)))).toBe('ERR_ATTACHMENT_MISMATCH')
    expect(await verify(ciphertext, new Uint8Array(32))).toBe('ERR_ATTACHMENT_MISMATCH')
  })

  it("fails as soon as more bytes than the manifest's size arrive, before passing them on", async () => {
    const { ciphertext, size, sha256 } = await encryptAttachment(patterned(300), {
      key,
      attachmentId: 'a1',
      chunkSize: 64,
    })
    const { output, error } = await collectUntilError(
      [ciphertext, new Uint8Array(5)],
      verifyCiphertextDigest({ size, sha256 }),
    )
    expect(error).toMatchObject({ code: 'ERR_ATTACHMENT_MISMATCH' })
    expect(output.length).toBeLessThanOrEqual(size)
  })

  it('refuses an expectation without a size or a 32-byte digest', () => {
    expect(() => verifyCiphertextDigest({ size: -1, sha256: new Uint8Array(32) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => verifyCiphertextDigest({ size: 1, sha256: new Uint8Array(31) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})
