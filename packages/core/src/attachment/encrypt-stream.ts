/**
 * @module attachment/encrypt-stream
 * Seals an attachment as a stream (spec 6.5): writes the header, then cuts the plaintext into
 * chunks of the chosen size and seals each with AES-256-GCM under the payload key, the chunk's
 * STREAM nonce and the attachment context. Memory stays bounded by a few chunks whatever the
 * attachment's length or the size of the pieces written.
 */
import { BaridError } from '../errors.js'
import { BlockCutter, assertBytesChunk } from './block-cutter.js'
import {
  DEFAULT_ATTACHMENT_CHUNK_SIZE,
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  attachmentContext,
  attachmentIdBytes,
  checkAttachmentKey,
  checkChunkSize,
  chunkNonce,
  encodeHeader,
} from './format.js'
import { IN_FLIGHT_LIMIT, InFlight } from './in-flight.js'
import { derivePayloadKey } from './key.js'

/** Options for {@link encryptAttachmentStream}. */
export interface EncryptAttachmentStreamOptions {
  /** The attachment's own 32-byte key (see `generateAttachmentKey`). */
  key: Uint8Array
  /** The attachment's id in the letter (1 to 255 bytes; a string is taken as UTF-8). */
  attachmentId: string | Uint8Array
  /** Plaintext bytes per chunk: a power of two from 64 to 1 MiB; default 64 KiB. */
  chunkSize?: number
}

/**
 * A `TransformStream` that turns plaintext bytes into the attachment ciphertext (header and
 * sealed chunks). Options are checked at once; a bad key gives `ERR_KEY_INVALID`, a bad id or
 * chunk size `ERR_INVALID_ARGUMENT`, more than 64 GiB of plaintext `ERR_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const key = generateAttachmentKey()
 * const digest = digestingStream()
 * const upload = file.stream()
 *   .pipeThrough(encryptAttachmentStream({ key, attachmentId: 'a1' }))
 *   .pipeThrough(digest)
 * await fetch(url, { method: 'PUT', body: upload, duplex: 'half' })
 * const { size, sha256 } = await digest.result // for the letter header's attachment entry
 * ```
 */
export function encryptAttachmentStream(
  options: EncryptAttachmentStreamOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const key = checkAttachmentKey(options.key)
  const id = attachmentIdBytes(options.attachmentId)
  const chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_ATTACHMENT_CHUNK_SIZE)
  const header = encodeHeader(chunkSize)
  const context = attachmentContext(header, id) as Uint8Array<ArrayBuffer>
  const cutter = new BlockCutter(chunkSize)
  const pending = new InFlight<Uint8Array>()
  let aesKey: CryptoKey | undefined
  let index = 0
  let total = 0

  // Starts sealing at once: WebCrypto copies `block` during the call, so the cutter may reuse it.
  const seal = (block: Uint8Array, last: boolean): void => {
    const iv = chunkNonce(index++, last)
    pending.add(
      crypto.subtle
        .encrypt(
          { name: 'AES-GCM', iv, additionalData: context, tagLength: 128 },
          aesKey!,
          block as Uint8Array<ArrayBuffer>,
        )
        .then((sealed) => new Uint8Array(sealed)),
    )
  }

  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      aesKey = await derivePayloadKey(key, context, 'encrypt')
      key.fill(0)
      controller.enqueue(header.slice())
    },
    async transform(input, controller) {
      assertBytesChunk(input)
      total += input.length
      if (total > MAX_ATTACHMENT_PLAINTEXT_SIZE) {
        throw new BaridError('ERR_INPUT_TOO_LARGE', 'attachment exceeds 64 GiB', {
          details: { limit: MAX_ATTACHMENT_PLAINTEXT_SIZE },
        })
      }
      for (const block of cutter.push(input)) {
        seal(block, false)
        while (pending.length >= IN_FLIGHT_LIMIT) controller.enqueue(await pending.take())
      }
    },
    async flush(controller) {
      // The held block is the final chunk; it is empty only when the whole plaintext is.
      seal(cutter.rest(), true)
      while (pending.length > 0) controller.enqueue(await pending.take())
    },
  })
}
