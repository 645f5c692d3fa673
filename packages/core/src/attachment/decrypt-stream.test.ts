import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes, toHex, utf8 } from '../bytes.js'
import { decryptAttachmentStream } from './decrypt-stream.js'
import { ATTACHMENT_HEADER_BYTES, attachmentContext, chunkNonce, encodeHeader } from './format.js'
import { encryptAttachment } from './in-memory.js'
import { derivePayloadKey } from './key.js'
import { codeOf, collectUntilError, cutInto, patterned, splitChunks, through } from './test-util.js'

const key = Uint8Array.from({ length: 32 }, (_, i) => i)
const otherKey = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
const CHUNK = 64

async function seal(
  plainSize: number,
  attachmentId = 'a1',
  k = key,
  seed = 0,
): Promise<Uint8Array> {
  return (
    await encryptAttachment(patterned(plainSize, seed), { key: k, attachmentId, chunkSize: CHUNK })
  ).ciphertext
}

function open(ct: Uint8Array | Uint8Array[], attachmentId = 'a1', k = key): Promise<Uint8Array> {
  return through(Array.isArray(ct) ? ct : [ct], decryptAttachmentStream({ key: k, attachmentId }))
}

describe('decryptAttachmentStream on hostile input', () => {
  it('rejects a ciphertext with any single bit flipped, header included', async () => {
    // 6 + 80 + 52 bytes: header, one full chunk, one short final chunk; every bit is tried.
    const ct = await seal(100)
    for (let bit = 0; bit < ct.length * 8; bit++) {
      const bad = ct.slice()
      bad[bit >> 3]! ^= 1 << (bit & 7)
      // Byte 4 is the version: any other value is a version this reader does not know.
      const want = bit >> 3 === 4 ? 'ERR_UNSUPPORTED_VERSION' : 'ERR_ATTACHMENT_TAMPERED'
      expect(await codeOf(open(bad)), `bit ${bit}`).toBe(want)
    }
  })

  it('rejects a flipped bit in longer ciphertexts cut into arbitrary pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.nat(),
        fc.array(fc.integer({ min: 1, max: 97 }), { maxLength: 4 }),
        async (size, where, cuts) => {
          const ct = await seal(size)
          const bit =
            ATTACHMENT_HEADER_BYTES * 8 + (where % ((ct.length - ATTACHMENT_HEADER_BYTES) * 8))
          const bad = ct.slice()
          bad[bit >> 3]! ^= 1 << (bit & 7)
          expect(await codeOf(open(cutInto(bad, cuts)))).toBe('ERR_ATTACHMENT_TAMPERED')
        },
      ),
      { numRuns: 60 },
    )
  })

  it('reports truncation at every chunk boundary, and some typed error at every other length', async () => {
    const ct = await seal(200) // chunks of 80, 80, 80, 24 bytes
    const boundaries = new Set([0, 6, 86, 166, 246])
    for (let len = 0; len < ct.length; len++) {
      const code = await codeOf(open(ct.subarray(0, len)))
      if (boundaries.has(len) || len < ATTACHMENT_HEADER_BYTES)
        expect(code, `length ${len}`).toBe('ERR_ATTACHMENT_TRUNCATED')
      // Mid-chunk, a cut is indistinguishable from a changed final chunk (spec 6.6).
      else
        expect(['ERR_ATTACHMENT_TRUNCATED', 'ERR_ATTACHMENT_TAMPERED'], `length ${len}`).toContain(
          code,
        )
    }
  })

  it('reports a missing final chunk as truncation when the plaintext is a whole number of chunks', async () => {
    const ct = await seal(192) // three full chunks, the third is final
    expect(await codeOf(open(ct.subarray(0, ct.length - 80)))).toBe('ERR_ATTACHMENT_TRUNCATED')
  })

  it('rejects two chunks swapped, a chunk dropped and a chunk repeated', async () => {
    for (const size of [200, 192]) {
      const ct = await seal(size)
      const { header, chunks } = splitChunks(ct, CHUNK)
      const n = chunks.length
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const c = chunks.slice()
          ;[c[i], c[j]] = [c[j]!, c[i]!]
          if (toHex(c[i]!) === toHex(c[j]!)) continue
          expect(await codeOf(open(concatBytes(header, ...c))), `swap ${i},${j} of ${size}`).toBe(
            'ERR_ATTACHMENT_TAMPERED',
          )
        }
        const dropped = chunks.filter((_, k) => k !== i)
        if (i < n - 1)
          expect(await codeOf(open(concatBytes(header, ...dropped))), `drop ${i}`).toBe(
            'ERR_ATTACHMENT_TAMPERED',
          )
        const repeated = [...chunks.slice(0, i + 1), chunks[i]!, ...chunks.slice(i + 1)]
        expect(['ERR_ATTACHMENT_TAMPERED', 'ERR_ATTACHMENT_TRAILING_DATA']).toContain(
          await codeOf(open(concatBytes(header, ...repeated))),
        )
      }
    }
  })

  it('rejects a chunk spliced from another attachment under the same key, or under another key', async () => {
    const a = splitChunks(await seal(200, 'a1'), CHUNK)
    const sameKeyOtherId = splitChunks(await seal(200, 'a2', key, 9), CHUNK)
    const otherKeySameId = splitChunks(await seal(200, 'a1', otherKey, 9), CHUNK)
    for (const donor of [sameKeyOtherId, otherKeySameId]) {
      for (let i = 0; i < a.chunks.length; i++) {
        const c = a.chunks.slice()
        c[i] = donor.chunks[i]!
        expect(await codeOf(open(concatBytes(a.header, ...c))), `chunk ${i}`).toBe(
          'ERR_ATTACHMENT_TAMPERED',
        )
      }
    }
  })

  it('reports bytes after a full final chunk as trailing data', async () => {
    const ct = await seal(128)
    for (const extra of [
      Uint8Array.of(0),
      patterned(80),
      ct.subarray(ATTACHMENT_HEADER_BYTES + 80),
    ]) {
      expect(await codeOf(open(concatBytes(ct, extra)))).toBe('ERR_ATTACHMENT_TRAILING_DATA')
    }
  })

  it('rejects any bytes appended to any ciphertext with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(300),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        async (size, extra) => {
          const code = await codeOf(open(concatBytes(await seal(size), extra)))
          expect(['ERR_ATTACHMENT_TRAILING_DATA', 'ERR_ATTACHMENT_TAMPERED']).toContain(code)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('rejects the wrong key and the wrong attachment id', async () => {
    for (const size of [0, 10, 64, 200]) {
      const ct = await seal(size)
      expect(await codeOf(open(ct, 'a1', otherKey))).toBe('ERR_ATTACHMENT_TAMPERED')
      expect(await codeOf(open(ct, 'a2'))).toBe('ERR_ATTACHMENT_TAMPERED')
    }
  })

  it('rejects a header with another magic or an impossible chunk size, and names an unknown version', async () => {
    const ct = await seal(10)
    const magic = ct.slice()
    magic[0] = 0x58
    const version = ct.slice()
    version[4] = 2
    const size = ct.slice()
    size[5] = 5
    expect(await codeOf(open(magic))).toBe('ERR_ATTACHMENT_TAMPERED')
    expect(await codeOf(open(version))).toBe('ERR_UNSUPPORTED_VERSION')
    expect(await codeOf(open(size))).toBe('ERR_ATTACHMENT_TAMPERED')
  })

  it('releases no plaintext of a chunk that fails, only the verified chunks before it', async () => {
    const plain = patterned(200)
    const ct = await seal(200)
    const bad = ct.slice()
    bad[ATTACHMENT_HEADER_BYTES + 80 + 3]! ^= 0x40 // inside chunk 1
    const { output, error } = await collectUntilError(
      cutInto(bad, [1]),
      decryptAttachmentStream({ key, attachmentId: 'a1' }),
    )
    expect(error).toMatchObject({ code: 'ERR_ATTACHMENT_TAMPERED' })
    expect(toHex(output)).toBe(toHex(plain.subarray(0, 64)))
  })

  it('rejects an authentic but empty final chunk after data, which no encoder makes', async () => {
    // Forged with the real key: only a key holder could do this, but the format forbids it.
    const header = encodeHeader(CHUNK)
    const context = attachmentContext(header, utf8('a1')) as Uint8Array<ArrayBuffer>
    const aes = await derivePayloadKey(key, context, 'encrypt')
    const sealChunk = async (i: number, last: boolean, pt: Uint8Array) =>
      new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv: chunkNonce(i, last), additionalData: context },
          aes,
          pt as Uint8Array<ArrayBuffer>,
        ),
      )
    const ct = concatBytes(
      header,
      await sealChunk(0, false, patterned(CHUNK)),
      await sealChunk(1, true, new Uint8Array(0)),
    )
    expect(await codeOf(open(ct))).toBe('ERR_ATTACHMENT_TAMPERED')
  })
})
