/**
 * @module attachment/in-memory
 * One-call helpers for attachments small enough to hold in memory. They run the same streams
 * as the streaming API, so the bytes are identical.
 */
import { concatBytes } from '../bytes.js'
import { BaridError } from '../errors.js'
import { decryptAttachmentStream } from './decrypt-stream.js'
import { digestingStream } from './digest.js'
import { encryptAttachmentStream } from './encrypt-stream.js'
import { MIN_ATTACHMENT_CHUNK_SIZE, attachmentCiphertextSize } from './format.js'
import type { RandomBytes } from './key.js'
import { generateAttachmentKey } from './key.js'

/** Largest input the in-memory helpers take: 256 MiB; use the streams beyond that. */
export const MAX_IN_MEMORY_ATTACHMENT_SIZE = 256 * 1_048_576

// The ciphertext of the largest in-memory plaintext, whatever its chunk size.
const MAX_IN_MEMORY_CIPHERTEXT_SIZE = attachmentCiphertextSize(
  MAX_IN_MEMORY_ATTACHMENT_SIZE,
  MIN_ATTACHMENT_CHUNK_SIZE,
)

/** Options for {@link encryptAttachment}. */
export interface EncryptAttachmentOptions {
  attachmentId: string | Uint8Array
  /** The attachment key; a fresh one is generated when absent. */
  key?: Uint8Array
  chunkSize?: number
  /** Random source for a generated key. */
  random?: RandomBytes
}

/** A sealed attachment with what the letter needs: the key (content) and size and sha256 (header). */
export interface EncryptedAttachment {
  key: Uint8Array
  ciphertext: Uint8Array
  size: number
  /** The ciphertext digest of spec 6.8. */
  sha256: Uint8Array
}

/** Options for {@link decryptAttachment}. */
export interface DecryptAttachmentOptions {
  key: Uint8Array
  attachmentId: string | Uint8Array
}

function checkInMemorySize(bytes: Uint8Array, limit: number): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'attachment bytes must be a Uint8Array')
  }
  if (bytes.length > limit) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'attachment too large for the in-memory helpers', {
      details: { limit },
    })
  }
}

/** Runs `bytes` through `streams` and collects the output. */
async function run(
  bytes: Uint8Array,
  ...streams: ReadableWritablePair<Uint8Array, Uint8Array>[]
): Promise<Uint8Array> {
  let readable = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    },
  })
  for (const s of streams) readable = readable.pipeThrough(s)
  const parts: Uint8Array[] = []
  const reader = readable.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return concatBytes(...parts)
    parts.push(value)
  }
}

/**
 * Encrypts a whole attachment in memory.
 *
 * @example
 * ```ts
 * const { key, ciphertext, size, sha256 } = await encryptAttachment(pdfBytes, { attachmentId: 'a1' })
 * ```
 */
export async function encryptAttachment(
  plaintext: Uint8Array,
  options: EncryptAttachmentOptions,
): Promise<EncryptedAttachment> {
  checkInMemorySize(plaintext, MAX_IN_MEMORY_ATTACHMENT_SIZE)
  const key = options.key?.slice() ?? generateAttachmentKey({ random: options.random })
  const digest = digestingStream()
  const ciphertext = await run(
    plaintext,
    encryptAttachmentStream({
      key,
      attachmentId: options.attachmentId,
      chunkSize: options.chunkSize,
    }),
    digest,
  )
  return { key, ciphertext, ...(await digest.result) }
}

/**
 * Decrypts a whole attachment in memory; fails with the same codes as
 * `decryptAttachmentStream`, and returns nothing unless every chunk verified.
 *
 * @example
 * ```ts
 * const pdfBytes = await decryptAttachment(ciphertext, { key, attachmentId: 'a1' })
 * ```
 */
export async function decryptAttachment(
  ciphertext: Uint8Array,
  options: DecryptAttachmentOptions,
): Promise<Uint8Array> {
  checkInMemorySize(ciphertext, MAX_IN_MEMORY_CIPHERTEXT_SIZE)
  return run(ciphertext, decryptAttachmentStream(options))
}
