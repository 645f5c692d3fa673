/**
 * @module attachment/decrypt-stream
 * Opens an attachment as a stream (spec 6.6). Each chunk's plaintext is released only after
 * AES-GCM has verified that chunk; truncation is only visible when the stream ends, so a
 * consumer must treat the output as provisional until the stream closes without error.
 */
import { BaridError } from '../errors.js'
import { BlockCutter, assertBytesChunk } from './block-cutter.js'
import {
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_TAG_BYTES,
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  attachmentContext,
  attachmentIdBytes,
  checkAttachmentKey,
  chunkNonce,
  parseHeader,
} from './format.js'
import { IN_FLIGHT_LIMIT, InFlight } from './in-flight.js'
import { derivePayloadKey } from './key.js'

/** Options for {@link decryptAttachmentStream}. */
export interface DecryptAttachmentStreamOptions {
  /** The attachment's 32-byte key, from the opened letter. */
  key: Uint8Array
  /** The attachment's id in the letter (must equal the one it was sealed with). */
  attachmentId: string | Uint8Array
}

interface Opener {
  chunkSize: number
  context: Uint8Array<ArrayBuffer>
  aesKey: CryptoKey
  cutter: BlockCutter
}

/** Decrypts one sealed chunk, or returns undefined when it does not authenticate. */
async function tryOpen(
  o: Opener,
  sealed: Uint8Array,
  index: number,
  last: boolean,
): Promise<Uint8Array | undefined> {
  try {
    const iv = chunkNonce(index, last)
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: o.context, tagLength: 128 },
      o.aesKey,
      sealed as Uint8Array<ArrayBuffer>,
    )
    return new Uint8Array(plain)
  } catch (e) {
    // WebCrypto reports a failed tag check as OperationError; anything else is not ours to hide.
    if (e instanceof DOMException && e.name === 'OperationError') return undefined
    throw new BaridError('ERR_INTERNAL', 'attachment decryption failed unexpectedly', { cause: e })
  }
}

/**
 * Opens chunk `index` with the flag its position implies; when it fails, tries the other flag
 * only to name the failure: a chunk that opens as final but is followed by more bytes is
 * `ERR_ATTACHMENT_TRAILING_DATA`; a full chunk that opens as non-final but ends the stream is
 * `ERR_ATTACHMENT_TRUNCATED`. Everything else is `ERR_ATTACHMENT_TAMPERED`.
 */
async function openChunk(
  o: Opener,
  sealed: Uint8Array,
  index: number,
  last: boolean,
): Promise<Uint8Array> {
  const plain = await tryOpen(o, sealed, index, last)
  if (plain !== undefined) {
    // An empty final chunk is only legal as the one chunk of an empty attachment (spec 6.5).
    if (last && plain.length === 0 && index > 0) {
      throw new BaridError('ERR_ATTACHMENT_TAMPERED', 'attachment ends with an empty chunk', {
        details: { chunk: index },
      })
    }
    return plain
  }
  const full = sealed.length === o.chunkSize + ATTACHMENT_TAG_BYTES
  if (full && (await tryOpen(o, sealed, index, !last)) !== undefined) {
    throw last
      ? new BaridError('ERR_ATTACHMENT_TRUNCATED', 'attachment ends before its final chunk', {
          details: { chunks: index + 1 },
        })
      : new BaridError(
          'ERR_ATTACHMENT_TRAILING_DATA',
          "data follows the attachment's final chunk",
          {
            details: { chunk: index },
          },
        )
  }
  throw new BaridError('ERR_ATTACHMENT_TAMPERED', 'attachment chunk fails authentication', {
    details: { chunk: index },
  })
}

/**
 * A `TransformStream` that turns attachment ciphertext back into plaintext, failing with
 * `ERR_ATTACHMENT_TAMPERED` (changed, reordered, spliced chunk; wrong key or id),
 * `ERR_ATTACHMENT_TRUNCATED` (stream ends early, including a missing final chunk),
 * `ERR_ATTACHMENT_TRAILING_DATA` (bytes after a full final chunk) or `ERR_UNSUPPORTED_VERSION`.
 *
 * @example
 * ```ts
 * const plain = blob.stream()
 *   .pipeThrough(verifyCiphertextDigest({ size, sha256 })) // from the signed letter header
 *   .pipeThrough(decryptAttachmentStream({ key, attachmentId: 'a1' }))
 * // Treat what arrives as provisional until the pipe finishes without error.
 * await plain.pipeTo(temporaryFile)
 * ```
 */
export function decryptAttachmentStream(
  options: DecryptAttachmentStreamOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const key = checkAttachmentKey(options.key)
  const id = attachmentIdBytes(options.attachmentId)
  const header = new Uint8Array(ATTACHMENT_HEADER_BYTES)
  const pending = new InFlight<Uint8Array>()
  let headerFill = 0
  let opener: Opener | undefined
  let index = 0

  // Starts opening a chunk now. A failure needs the sealed bytes again (to name it) after the
  // cutter may have moved on, so a block in the cutter's reused buffer is copied. A view into
  // the caller's chunk is not: a caller that changed a chunk after writing it could at worst
  // change which error is reported for a chunk that already failed, never what is released.
  const open = (o: Opener, sealed: Uint8Array, last: boolean): void => {
    const plainSoFar =
      index * o.chunkSize + (last ? sealed.length - ATTACHMENT_TAG_BYTES : o.chunkSize)
    if (plainSoFar > MAX_ATTACHMENT_PLAINTEXT_SIZE) {
      // Queued rather than thrown, so that a failure of an earlier chunk is reported first.
      const error = new BaridError('ERR_INPUT_TOO_LARGE', 'attachment exceeds 64 GiB', {
        details: { limit: MAX_ATTACHMENT_PLAINTEXT_SIZE },
      })
      return pending.add(Promise.reject(error))
    }
    pending.add(openChunk(o, o.cutter.isOwnBuffer(sealed) ? sealed.slice() : sealed, index++, last))
  }

  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(input, controller) {
      assertBytesChunk(input)
      let data = input
      if (opener === undefined) {
        const n = Math.min(ATTACHMENT_HEADER_BYTES - headerFill, data.length)
        header.set(data.subarray(0, n), headerFill)
        headerFill += n
        data = data.subarray(n)
        if (headerFill < ATTACHMENT_HEADER_BYTES) return
        const chunkSize = parseHeader(header)
        const context = attachmentContext(header, id) as Uint8Array<ArrayBuffer>
        const aesKey = await derivePayloadKey(key, context, 'decrypt')
        key.fill(0)
        opener = {
          chunkSize,
          context,
          aesKey,
          cutter: new BlockCutter(chunkSize + ATTACHMENT_TAG_BYTES),
        }
      }
      for (const sealed of opener.cutter.push(data)) {
        open(opener, sealed, false)
        while (pending.length >= IN_FLIGHT_LIMIT) controller.enqueue(await pending.take())
      }
    },
    async flush(controller) {
      if (opener === undefined) {
        throw new BaridError('ERR_ATTACHMENT_TRUNCATED', 'attachment ends inside its header')
      }
      const rest = opener.cutter.rest()
      // Nothing held means no chunk at all; fewer bytes than a tag cannot be a sealed chunk.
      if (rest.length < ATTACHMENT_TAG_BYTES) {
        // Report earlier chunks' failures first: they happened first.
        while (pending.length > 0) controller.enqueue(await pending.take())
        throw new BaridError('ERR_ATTACHMENT_TRUNCATED', 'attachment ends inside a chunk', {
          details: { chunks: index },
        })
      }
      open(opener, rest, true)
      while (pending.length > 0) controller.enqueue(await pending.take())
    },
  })
}
