// vectors/attachments.json against spec 06.
import { fail } from './cbor.mjs'
import { hex, toHex } from './cose.mjs'
import { assertEqual, vectors } from './harness.mjs'
import { context, decrypt, digest, encrypt, header, nonce, payloadKey } from './attachments.mjs'

// patterned(n, seed): the n bytes (i*31 + seed) mod 256 (the file's description).
const patterned = (n, seed) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff))

export function checkAttachments(r) {
  const j = vectors('attachments.json')
  const key = Buffer.from(j.key, 'hex')
  for (const v of j.valid) {
    r.check(`attachment ${v.name}: intermediates, ciphertext, size and digest`, () => {
      const hdr = header(v.chunkSize)
      assertEqual(toHex(hdr), v.header, 'header')
      const ctx = context(hdr, j.attachmentId)
      assertEqual(toHex(ctx), v.context, 'context')
      assertEqual(toHex(payloadKey(key, ctx)), v.payloadKey, 'payload key')
      const pt = Buffer.from(v.plaintext, 'hex')
      const n = Math.max(1, Math.ceil(pt.length / v.chunkSize))
      assertEqual(
        Array.from({ length: n }, (_, i) => toHex(nonce(i, i === n - 1))),
        v.nonces,
        'nonces',
      )
      const ct = encrypt(key, j.attachmentId, v.chunkSize, pt)
      assertEqual(toHex(ct), v.ciphertext, 'ciphertext')
      assertEqual(ct.length, v.size, 'size')
      assertEqual(6 + pt.length + 16 * n, v.size, 'size formula')
      assertEqual(toHex(digest(ct)), v.sha256, 'digest')
      assertEqual(toHex(decrypt(key, j.attachmentId, ct)), v.plaintext, 'decryption')
    })
  }
  r.check('attachments: one valid entry uses the default 64 KiB chunk size (6.3, 6.11)', () => {
    if (!j.valid.some((v) => v.chunkSize === 65536 && v.header === '425244410110'))
      fail('VECTOR', 'none does')
  })
  for (const v of j.invalid) {
    r.refuses(`attachment invalid ${v.description}`, v.reason, () =>
      decrypt(
        v.key ? Buffer.from(v.key, 'hex') : key,
        v.attachmentId ?? j.attachmentId,
        Buffer.from(v.ciphertext, 'hex'),
      ),
    )
  }
  for (const v of j.digests) {
    r.check(`attachment digest of patterned(${v.length}, ${v.seed})`, () => {
      const b = patterned(v.length, v.seed)
      assertEqual(b.length, v.size, 'size')
      assertEqual(toHex(digest(b)), v.sha256, 'digest')
    })
  }
  for (const v of j.mismatch) {
    r.refuses(`attachment mismatch ${v.description}`, v.reason, () => {
      const ct = hex(v.ciphertext)
      if (ct.length !== v.size || toHex(digest(ct)) !== v.sha256) fail('ERR_ATTACHMENT_MISMATCH')
    })
  }
}
