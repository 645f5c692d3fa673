/**
 * @module attachment/format
 * The fixed parts of the attachment format (spec/06-attachments.md): the 6-byte header, the
 * context string that every chunk authenticates, the 12-byte chunk nonce, the limits, and the
 * ciphertext size that follows from a plaintext size. Pure functions, no I/O.
 */
import { BaridError } from '../errors.js'
import { utf8 } from '../bytes.js'

/** The format label; first part of the context every chunk is bound to (spec 6.4). */
export const ATTACHMENT_FORMAT_LABEL = 'barid-attachment-v1'
/** The header's first four bytes, ASCII `BRDA`. */
export const ATTACHMENT_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x42, 0x52, 0x44, 0x41)
/** The only format version this implementation reads and writes. */
export const ATTACHMENT_VERSION = 1
/** magic (4) || version (1) || log2(chunk size) (1). */
export const ATTACHMENT_HEADER_BYTES = 6
/** AES-GCM tag length: 128 bits (NIST SP 800-38D section 5.2.1.2). */
export const ATTACHMENT_TAG_BYTES = 16
/** Attachment keys are 256-bit. */
export const ATTACHMENT_KEY_BYTES = 32
/** Chunk size senders SHOULD use: 64 KiB (log2 = 16). */
export const DEFAULT_ATTACHMENT_CHUNK_SIZE = 65_536
/** Smallest chunk size the format allows (log2 = 6); meant for test vectors. */
export const MIN_ATTACHMENT_CHUNK_SIZE = 64
/** Largest chunk size the format allows (log2 = 20), so a reader's buffer stays at 1 MiB. */
export const MAX_ATTACHMENT_CHUNK_SIZE = 1_048_576
/** Practical cap on one attachment's plaintext: 64 GiB (the nonce would allow 2^88 chunks). */
export const MAX_ATTACHMENT_PLAINTEXT_SIZE = 2 ** 36
/** Attachment ids are 1 to 255 bytes (their length is one byte of the context). */
export const MAX_ATTACHMENT_ID_BYTES = 255

const LABEL_BYTES = utf8(ATTACHMENT_FORMAT_LABEL)

/** True for the chunk sizes the format allows: powers of two from 2^6 to 2^20. */
export function isValidChunkSize(size: number): boolean {
  return (
    Number.isInteger(size) &&
    size >= MIN_ATTACHMENT_CHUNK_SIZE &&
    size <= MAX_ATTACHMENT_CHUNK_SIZE &&
    (size & (size - 1)) === 0
  )
}

/** Checks a caller's chunk size option; `ERR_INVALID_ARGUMENT` when the format forbids it. */
export function checkChunkSize(size: number): number {
  if (!isValidChunkSize(size)) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'chunk size must be a power of two from 64 to 1048576',
      {
        details: { chunkSize: size },
      },
    )
  }
  return size
}

/** The bytes of an attachment id: a string is taken as UTF-8. Copies, so callers may reuse. */
export function attachmentIdBytes(id: string | Uint8Array): Uint8Array {
  const bytes =
    typeof id === 'string' ? utf8(id) : id instanceof Uint8Array ? id.slice() : undefined
  if (bytes === undefined || bytes.length === 0 || bytes.length > MAX_ATTACHMENT_ID_BYTES) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'attachment id must be 1 to 255 bytes')
  }
  return bytes
}

/** Checks and copies a raw attachment key (32 bytes). */
export function checkAttachmentKey(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== ATTACHMENT_KEY_BYTES) {
    throw new BaridError('ERR_KEY_INVALID', 'attachment key must be 32 bytes')
  }
  return key.slice()
}

/** The 6-byte header for `chunkSize` (spec 6.3). */
export function encodeHeader(chunkSize: number): Uint8Array {
  const header = new Uint8Array(ATTACHMENT_HEADER_BYTES)
  header.set(ATTACHMENT_MAGIC, 0)
  header[4] = ATTACHMENT_VERSION
  header[5] = Math.log2(checkChunkSize(chunkSize))
  return header
}

/**
 * Reads a 6-byte header and returns its chunk size. A wrong magic or an impossible chunk size
 * means the bytes were changed (or are not an attachment): `ERR_ATTACHMENT_TAMPERED`; a
 * well-formed header of another version is `ERR_UNSUPPORTED_VERSION` (spec 0.5).
 */
export function parseHeader(header: Uint8Array): number {
  for (let i = 0; i < ATTACHMENT_MAGIC.length; i++) {
    if (header[i] !== ATTACHMENT_MAGIC[i]) {
      throw new BaridError('ERR_ATTACHMENT_TAMPERED', 'not a Barid attachment: wrong magic')
    }
  }
  if (header[4] !== ATTACHMENT_VERSION) {
    throw new BaridError('ERR_UNSUPPORTED_VERSION', 'unsupported attachment format version', {
      details: { version: header[4] },
    })
  }
  const log2 = header[5]!
  const chunkSize = 2 ** log2
  if (!isValidChunkSize(chunkSize)) {
    throw new BaridError(
      'ERR_ATTACHMENT_TAMPERED',
      'attachment header names an impossible chunk size',
      {
        details: { log2ChunkSize: log2 },
      },
    )
  }
  return chunkSize
}

/**
 * The context bound into every chunk, both as HKDF `info` and as GCM additional data:
 * label (19 bytes) || header (6) || len(id) (1) || id. Every part before `id` has a fixed or
 * stated length, so the encoding is injective.
 */
export function attachmentContext(header: Uint8Array, id: Uint8Array): Uint8Array {
  const out = new Uint8Array(LABEL_BYTES.length + header.length + 1 + id.length)
  out.set(LABEL_BYTES, 0)
  out.set(header, LABEL_BYTES.length)
  out[LABEL_BYTES.length + header.length] = id.length
  out.set(id, LABEL_BYTES.length + header.length + 1)
  return out
}

/**
 * The 96-bit GCM nonce of chunk `index`: the index as an 88-bit big-endian integer, then one
 * byte that is 0x01 for the final chunk and 0x00 otherwise (the STREAM construction of
 * Hoang, Reyhanitabar, Rogaway and Vizár, as used by age).
 */
export function chunkNonce(index: number, last: boolean): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(12)
  const view = new DataView(nonce.buffer)
  // The cap keeps index below 2^31, but write the high word too so the layout is explicit.
  view.setUint32(3, Math.floor(index / 2 ** 32))
  view.setUint32(7, index >>> 0)
  nonce[11] = last ? 1 : 0
  return nonce
}

/**
 * The ciphertext size of a `plaintextSize`-byte attachment: header, the plaintext, and one
 * 16-byte tag per chunk; an empty plaintext still has one (empty) final chunk.
 *
 * @example
 * ```ts
 * attachmentCiphertextSize(0) // 22
 * attachmentCiphertextSize(65_536) // 6 + 65_536 + 16
 * attachmentCiphertextSize(65_537) // 6 + 65_537 + 32
 * ```
 */
export function attachmentCiphertextSize(
  plaintextSize: number,
  chunkSize: number = DEFAULT_ATTACHMENT_CHUNK_SIZE,
): number {
  checkChunkSize(chunkSize)
  if (!Number.isSafeInteger(plaintextSize) || plaintextSize < 0) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'plaintext size must be a non-negative integer')
  }
  if (plaintextSize > MAX_ATTACHMENT_PLAINTEXT_SIZE) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'attachment exceeds 64 GiB', {
      details: { limit: MAX_ATTACHMENT_PLAINTEXT_SIZE },
    })
  }
  const chunks = Math.max(1, Math.ceil(plaintextSize / chunkSize))
  return ATTACHMENT_HEADER_BYTES + plaintextSize + chunks * ATTACHMENT_TAG_BYTES
}
