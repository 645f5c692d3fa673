/**
 * @module attachment/vectors
 * Builds spec/vectors/attachments.json from fixed keys and plaintexts. Vectors use 64-byte
 * chunks (the smallest the format allows) so that multi-chunk cases stay short; one uses the
 * default 64 KiB to show its header.
 */
import { concatBytes, toHex, utf8 } from '../bytes.js'
import { computeCiphertextDigest } from './digest.js'
import { ATTACHMENT_HEADER_BYTES, attachmentContext, chunkNonce, encodeHeader } from './format.js'
import { encryptAttachment } from './in-memory.js'
import { splitChunks, patterned } from './test-util.js'

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i)
const OTHER_KEY = Uint8Array.from({ length: 32 }, (_, i) => 0x10 + i)
const ID = 'invoice-2025-17.pdf'
const SMALL = 64

/** The payload key bytes (HKDF-SHA256 output), exported for the vectors only. */
async function payloadKeyHex(key: Uint8Array, context: Uint8Array): Promise<string> {
  const ikm = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'HKDF', false, [
    'deriveBits',
  ])
  const bits = await crypto.subtle.deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: context as Uint8Array<ArrayBuffer>,
    },
    ikm,
    256,
  )
  return toHex(new Uint8Array(bits))
}

async function seal(
  plaintext: Uint8Array,
  chunkSize = SMALL,
  attachmentId = ID,
  key = KEY,
): Promise<Uint8Array> {
  return (await encryptAttachment(plaintext, { key, attachmentId, chunkSize })).ciphertext
}

function flip(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = bytes.slice()
  out[index]! ^= mask
  return out
}

async function valid(
  name: string,
  plaintext: Uint8Array,
  chunkSize = SMALL,
): Promise<Record<string, unknown>> {
  const header = encodeHeader(chunkSize)
  const context = attachmentContext(header, utf8(ID))
  const { ciphertext, size, sha256 } = await encryptAttachment(plaintext, {
    key: KEY,
    attachmentId: ID,
    chunkSize,
  })
  const chunks = splitChunks(ciphertext, chunkSize).chunks.length
  return {
    name,
    chunkSize,
    plaintext: toHex(plaintext),
    header: toHex(header),
    context: toHex(context),
    payloadKey: await payloadKeyHex(KEY, context),
    nonces: Array.from({ length: chunks }, (_, i) => toHex(chunkNonce(i, i === chunks - 1))),
    ciphertext: toHex(ciphertext),
    size,
    sha256: toHex(sha256),
  }
}

/** Forges an authentic empty final chunk after a full one (only a key holder could). */
async function emptyFinalAfterData(): Promise<Uint8Array> {
  const header = encodeHeader(SMALL)
  const context = attachmentContext(header, utf8(ID)) as Uint8Array<ArrayBuffer>
  const ikm = await crypto.subtle.importKey('raw', KEY as Uint8Array<ArrayBuffer>, 'HKDF', false, [
    'deriveKey',
  ])
  const aes = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: context },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  )
  const sealChunk = async (i: number, last: boolean, pt: Uint8Array): Promise<Uint8Array> =>
    new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: chunkNonce(i, last), additionalData: context },
        aes,
        pt as Uint8Array<ArrayBuffer>,
      ),
    )
  return concatBytes(
    header,
    await sealChunk(0, false, patterned(SMALL)),
    await sealChunk(1, true, new Uint8Array(0)),
  )
}

/** The JSON-able vectors of spec 6 (see spec/vectors/README.md). */
export async function makeVectors(): Promise<unknown> {
  const p200 = patterned(200)
  const ct200 = await seal(p200) // chunks of 80, 80, 80, 24 bytes after the 6-byte header
  const ct128 = await seal(patterned(128)) // two full chunks, the second final
  const { header, chunks } = splitChunks(ct200, SMALL)
  const other = splitChunks(await seal(patterned(200, 1), SMALL, 'other.pdf'), SMALL)
  const fail = (
    description: string,
    reason: string,
    ciphertext: Uint8Array,
    extra: Record<string, unknown> = {},
  ) => ({
    description,
    reason,
    ...extra,
    ciphertext: toHex(ciphertext),
  })
  const H = ATTACHMENT_HEADER_BYTES

  const digestOf = async (length: number, seed: number) => {
    const d = await computeCiphertextDigest(patterned(length, seed))
    return { length, seed, size: d.size, sha256: toHex(d.sha256) }
  }

  return {
    description:
      'Barid streamed attachment encryption (spec/06-attachments.md). ' +
      '`key` is the raw 32-byte attachment key (hex, not a JWK: it is symmetric). ' +
      'Every entry uses `key` and `attachmentId` (UTF-8) unless it names its own. ' +
      'patterned(n, seed) means the n bytes (i*31 + seed) mod 256.',
    key: toHex(KEY),
    attachmentId: ID,
    valid: [
      await valid('empty plaintext', new Uint8Array(0)),
      await valid('short plaintext', utf8('Barid: بريد')),
      await valid('exactly one 64-byte chunk', patterned(64)),
      await valid('one chunk and one byte', patterned(65)),
      await valid('two full chunks, the second final', patterned(128)),
      await valid('four chunks, the last short', p200),
      await valid('default 64 KiB chunk size, short plaintext', utf8('Barid: بريد'), 65_536),
    ],
    invalid: [
      fail(
        'one bit flipped in the second chunk',
        'ERR_ATTACHMENT_TAMPERED',
        flip(ct200, H + 80 + 5),
      ),
      fail(
        'one bit flipped in the final tag',
        'ERR_ATTACHMENT_TAMPERED',
        flip(ct200, ct200.length - 1, 0x80),
      ),
      fail('header magic changed', 'ERR_ATTACHMENT_TAMPERED', flip(ct200, 0)),
      fail(
        'header chunk-size exponent 6 changed to 7',
        'ERR_ATTACHMENT_TAMPERED',
        flip(ct200, 5, 0x01),
      ),
      fail('header chunk-size exponent below 6', 'ERR_ATTACHMENT_TAMPERED', flip(ct200, 5, 0x06)),
      fail('header version 2', 'ERR_UNSUPPORTED_VERSION', flip(ct200, 4, 0x03)),
      fail('wrong key', 'ERR_ATTACHMENT_TAMPERED', ct200, { key: toHex(OTHER_KEY) }),
      fail('wrong attachment id', 'ERR_ATTACHMENT_TAMPERED', ct200, { attachmentId: 'other.pdf' }),
      fail('empty stream', 'ERR_ATTACHMENT_TRUNCATED', new Uint8Array(0)),
      fail('ends inside the header', 'ERR_ATTACHMENT_TRUNCATED', ct200.subarray(0, 4)),
      fail('header and no chunk', 'ERR_ATTACHMENT_TRUNCATED', header),
      fail(
        'final chunk missing (ends at a chunk boundary)',
        'ERR_ATTACHMENT_TRUNCATED',
        ct200.subarray(0, H + 240),
      ),
      fail(
        'final chunk of a whole-chunk plaintext missing',
        'ERR_ATTACHMENT_TRUNCATED',
        ct128.subarray(0, H + 80),
      ),
      fail(
        'ends fewer than 16 bytes into a chunk',
        'ERR_ATTACHMENT_TRUNCATED',
        ct200.subarray(0, H + 80 + 10),
      ),
      fail(
        'ends 40 bytes into a chunk (indistinguishable from a changed final chunk)',
        'ERR_ATTACHMENT_TAMPERED',
        ct200.subarray(0, H + 80 + 40),
      ),
      fail(
        'first two chunks swapped',
        'ERR_ATTACHMENT_TAMPERED',
        concatBytes(header, chunks[1]!, chunks[0]!, chunks[2]!, chunks[3]!),
      ),
      fail(
        'second chunk dropped',
        'ERR_ATTACHMENT_TAMPERED',
        concatBytes(header, chunks[0]!, chunks[2]!, chunks[3]!),
      ),
      fail(
        'second chunk spliced from another attachment under the same key',
        'ERR_ATTACHMENT_TAMPERED',
        concatBytes(header, chunks[0]!, other.chunks[1]!, chunks[2]!, chunks[3]!),
      ),
      fail(
        'one byte after a full final chunk',
        'ERR_ATTACHMENT_TRAILING_DATA',
        concatBytes(ct128, Uint8Array.of(0)),
      ),
      fail(
        'the final chunk repeated after itself',
        'ERR_ATTACHMENT_TRAILING_DATA',
        concatBytes(ct128, ct128.subarray(H + 80)),
      ),
      fail(
        'bytes after a short final chunk (indistinguishable from a changed final chunk)',
        'ERR_ATTACHMENT_TAMPERED',
        concatBytes(ct200, Uint8Array.of(0)),
      ),
      fail(
        'authentic empty final chunk after a full chunk',
        'ERR_ATTACHMENT_TAMPERED',
        await emptyFinalAfterData(),
      ),
    ],
    digests: [
      await digestOf(0, 0),
      await digestOf(1_048_576, 0),
      await digestOf(2 * 1_048_576 + 3, 7),
    ],
    mismatch: [
      {
        description: 'ciphertext one byte shorter than the manifest says',
        reason: 'ERR_ATTACHMENT_MISMATCH',
        ciphertext: toHex(ct128.subarray(0, ct128.length - 1)),
        size: ct128.length,
        sha256: toHex((await computeCiphertextDigest(ct128)).sha256),
      },
      {
        description: 'ciphertext with one bit flipped, manifest for the original',
        reason: 'ERR_ATTACHMENT_MISMATCH',
        ciphertext: toHex(flip(ct128, 40)),
        size: ct128.length,
        sha256: toHex((await computeCiphertextDigest(ct128)).sha256),
      },
    ],
  }
}
