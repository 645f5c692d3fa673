import { createCipheriv, hkdfSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { readVectors } from '../../test/vectors-file.js'
import { computeCiphertextDigest, verifyCiphertextDigest } from './digest.js'
import { decryptAttachment } from './in-memory.js'
import { codeOf, patterned, through } from './test-util.js'
import { makeVectors } from './vectors.js'

interface Valid {
  name: string
  header: string
  chunkSize: number
  plaintext: string
  ciphertext: string
  size: number
  sha256: string
}
interface Invalid {
  description: string
  reason: string
  ciphertext: string
  key?: string
  attachmentId?: string
}
interface File {
  key: string
  attachmentId: string
  valid: Valid[]
  invalid: Invalid[]
  digests: { length: number; seed: number; size: number; sha256: string }[]
  mismatch: {
    description: string
    reason: string
    ciphertext: string
    size: number
    sha256: string
  }[]
}

const file = readVectors('attachments') as File

/** Spec 6.3 to 6.5 written again from the text, with Node's own HKDF and AES-GCM. */
function sealBySpec(key: Uint8Array, id: string, chunkSize: number, plaintext: Uint8Array): string {
  const idBytes = Buffer.from(id, 'utf8')
  const header = Buffer.from([0x42, 0x52, 0x44, 0x41, 0x01, Math.log2(chunkSize)])
  const context = Buffer.concat([
    Buffer.from('barid-attachment-v1'),
    header,
    Buffer.from([idBytes.length]),
    idBytes,
  ])
  const payloadKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), context, 32))
  const n = Math.max(1, Math.ceil(plaintext.length / chunkSize))
  const out = [header]
  for (let i = 0; i < n; i++) {
    const nonce = Buffer.alloc(12)
    nonce.writeUInt32BE(i, 7)
    nonce[11] = i === n - 1 ? 1 : 0
    const c = createCipheriv('aes-256-gcm', payloadKey, nonce).setAAD(context)
    out.push(
      c.update(plaintext.subarray(i * chunkSize, (i + 1) * chunkSize)),
      c.final(),
      c.getAuthTag(),
    )
  }
  return Buffer.concat(out).toString('hex')
}

describe('spec/vectors/attachments.json', () => {
  it('is exactly what the generator makes today', async () => {
    expect(await makeVectors()).toEqual(file)
  })

  it('has every valid ciphertext open to its plaintext, with its size and digest', async () => {
    for (const v of file.valid) {
      const ct = fromHex(v.ciphertext)
      const pt = await decryptAttachment(ct, {
        key: fromHex(file.key),
        attachmentId: file.attachmentId,
      })
      expect(toHex(pt)).toBe(v.plaintext)
      expect(ct.length).toBe(v.size)
      expect(toHex((await computeCiphertextDigest(ct)).sha256)).toBe(v.sha256)
    }
  })

  it('has every valid ciphertext equal to an independent implementation of the spec text', () => {
    for (const v of file.valid) {
      expect(
        sealBySpec(fromHex(file.key), file.attachmentId, v.chunkSize, fromHex(v.plaintext)),
      ).toBe(v.ciphertext)
    }
  })

  it('has a valid entry with the default 64 KiB chunk size and its header, as spec 6.11 says', () => {
    const named = file.valid.filter((v) => v.name.includes('64 KiB'))
    expect(named.length).toBeGreaterThan(0)
    for (const v of named) {
      expect(v.chunkSize).toBe(65_536)
      expect(v.header).toBe('425244410110')
    }
  })

  it('has every must-fail ciphertext refused with its reason code', async () => {
    for (const v of file.invalid) {
      const key = fromHex(v.key ?? file.key)
      const code = await codeOf(
        decryptAttachment(fromHex(v.ciphertext), {
          key,
          attachmentId: v.attachmentId ?? file.attachmentId,
        }),
      )
      expect(code, v.description).toBe(v.reason)
    }
  })

  it('has every digest and mismatch entry hold', async () => {
    for (const d of file.digests) {
      expect(toHex((await computeCiphertextDigest(patterned(d.length, d.seed))).sha256)).toBe(
        d.sha256,
      )
    }
    for (const m of file.mismatch) {
      const verify = verifyCiphertextDigest({ size: m.size, sha256: fromHex(m.sha256) })
      expect(await codeOf(through([fromHex(m.ciphertext)], verify)), m.description).toBe(m.reason)
    }
  })
})
