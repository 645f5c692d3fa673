// Streamed attachment encryption (spec 06).
import crypto from 'node:crypto'
import { fail } from './cbor.mjs'
import { sha256 } from './cose.mjs'

const MAGIC = Buffer.from('BRDA')
export const header = (chunkSize) => Buffer.concat([MAGIC, Buffer.from([1, Math.log2(chunkSize)])])
export function context(hdr, id) {
  const idBytes = Buffer.from(id, 'utf8')
  return Buffer.concat([
    Buffer.from('barid-attachment-v1'),
    hdr,
    Buffer.from([idBytes.length]),
    idBytes,
  ])
}
export const payloadKey = (key, ctx) =>
  Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), ctx, 32))
export function nonce(i, last) {
  const n = Buffer.alloc(12)
  n.writeBigUInt64BE(BigInt(i), 3) // I2OSP(i, 11): bytes 0..10, i fits in the low 8
  n[11] = last ? 1 : 0
  return n
}

/** 6.5 */
export function encrypt(key, id, chunkSize, plaintext) {
  const hdr = header(chunkSize)
  const ctx = context(hdr, id)
  const pk = payloadKey(key, ctx)
  const n = Math.max(1, Math.ceil(plaintext.length / chunkSize))
  const out = [hdr]
  for (let i = 0; i < n; i++) {
    const c = crypto.createCipheriv('aes-256-gcm', pk, nonce(i, i === n - 1)).setAAD(ctx)
    out.push(
      c.update(plaintext.subarray(i * chunkSize, (i + 1) * chunkSize)),
      c.final(),
      c.getAuthTag(),
    )
  }
  return Buffer.concat(out)
}

function open(pk, ctx, i, last, piece) {
  if (piece.length < 16) return null
  const d = crypto.createDecipheriv('aes-256-gcm', pk, nonce(i, last)).setAAD(ctx)
  d.setAuthTag(piece.subarray(piece.length - 16))
  try {
    return Buffer.concat([d.update(piece.subarray(0, piece.length - 16)), d.final()])
  } catch {
    return null
  }
}

/** 6.6, on a whole stream in memory. */
export function decrypt(key, id, ct) {
  if (ct.length < 6) fail('ERR_ATTACHMENT_TRUNCATED', 'inside the header')
  const hdr = ct.subarray(0, 6)
  if (!hdr.subarray(0, 4).equals(MAGIC) || hdr[5] < 6 || hdr[5] > 20)
    fail('ERR_ATTACHMENT_TAMPERED', 'header')
  if (hdr[4] !== 1) fail('ERR_UNSUPPORTED_VERSION', `version ${hdr[4]}`)
  if (ct.length === 6) fail('ERR_ATTACHMENT_TRUNCATED', 'right after the header')
  const C = 1 << hdr[5]
  const ctx = context(hdr, id)
  const pk = payloadKey(key, ctx)
  const out = []
  let pos = 6
  for (let i = 0; ; i++) {
    const piece = ct.subarray(pos, pos + C + 16)
    const more = pos + C + 16 < ct.length
    if (more) {
      const p = open(pk, ctx, i, false, piece)
      if (p === null) {
        if (open(pk, ctx, i, true, piece) !== null)
          fail('ERR_ATTACHMENT_TRAILING_DATA', `after chunk ${i}`)
        fail('ERR_ATTACHMENT_TAMPERED', `chunk ${i}`)
      }
      out.push(p)
      pos += C + 16
      continue
    }
    if (piece.length < 16) fail('ERR_ATTACHMENT_TRUNCATED', 'last piece shorter than a tag')
    const p = open(pk, ctx, i, true, piece)
    if (p === null) {
      if (piece.length === C + 16 && open(pk, ctx, i, false, piece) !== null)
        fail('ERR_ATTACHMENT_TRUNCATED', 'at a chunk boundary')
      fail('ERR_ATTACHMENT_TAMPERED', `last chunk ${i}`)
    }
    if (p.length === 0 && i > 0) fail('ERR_ATTACHMENT_TAMPERED', 'empty last chunk')
    out.push(p)
    return Buffer.concat(out)
  }
}

/** 6.8 */
export function digest(ct) {
  const blocks = []
  for (let i = 0; i < ct.length; i += 1 << 20) blocks.push(sha256(ct.subarray(i, i + (1 << 20))))
  return sha256(...blocks)
}
