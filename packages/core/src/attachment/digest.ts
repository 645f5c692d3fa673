/**
 * @module attachment/digest
 * The ciphertext digest that a letter's signed manifest records (spec 6.8), computed while the
 * bytes stream past. WebCrypto has only one-shot SHA-256 and no dependency the project allows
 * offers an incremental one, so the digest is a one-level hash list: SHA-256 over the
 * concatenated SHA-256 digests of consecutive 1 MiB blocks of the ciphertext. It needs one
 * 1 MiB buffer and 32 bytes per MiB of ciphertext, and any party can compute it without the key
 * and without parsing the attachment format.
 */
import { BaridError } from '../errors.js'
import { bytesEqual, concatBytes } from '../bytes.js'
import { BlockCutter, assertBytesChunk } from './block-cutter.js'
import {
  MAX_ATTACHMENT_CHUNK_SIZE,
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  MIN_ATTACHMENT_CHUNK_SIZE,
  attachmentCiphertextSize,
} from './format.js'
import { InFlight } from './in-flight.js'

/** Bytes per hash-list block: 1 MiB. Fixed by the format, independent of the chunk size. */
export const DIGEST_BLOCK_SIZE = MAX_ATTACHMENT_CHUNK_SIZE
/** The largest ciphertext the format allows: 64 GiB of plaintext in 64-byte chunks. */
export const MAX_ATTACHMENT_CIPHERTEXT_SIZE = attachmentCiphertextSize(
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  MIN_ATTACHMENT_CHUNK_SIZE,
)

/** What the manifest records about one stored attachment ciphertext. */
export interface CiphertextDigest {
  /** Ciphertext length in bytes. */
  size: number
  /**
   * The 32-byte ciphertext digest of spec 6.8: a SHA-256 hash list, not the plain SHA-256 of
   * the bytes. Named after the letter header's `sha256` field, which records it.
   */
  sha256: Uint8Array
}

/** A pass-through stream whose `result` settles with the size and digest of what passed. */
export interface DigestingStream extends ReadableWritablePair<Uint8Array, Uint8Array> {
  readonly result: Promise<CiphertextDigest>
}

/** Incremental state of the hash list. */
class HashList {
  readonly #cutter = new BlockCutter(DIGEST_BLOCK_SIZE)
  readonly #pending = new InFlight<ArrayBuffer>()
  readonly #hashes: Uint8Array[] = []
  size = 0

  async update(input: Uint8Array): Promise<void> {
    this.size += input.length
    if (this.size > MAX_ATTACHMENT_CIPHERTEXT_SIZE) {
      throw new BaridError(
        'ERR_INPUT_TOO_LARGE',
        "attachment ciphertext exceeds the format's limit",
        {
          details: { limit: MAX_ATTACHMENT_CIPHERTEXT_SIZE },
        },
      )
    }
    for (const block of this.#cutter.push(input)) {
      // WebCrypto copies `block` during the call, so the cutter may reuse it; keep two in flight.
      this.#pending.add(crypto.subtle.digest('SHA-256', block as Uint8Array<ArrayBuffer>))
      if (this.#pending.length >= 2) this.#hashes.push(new Uint8Array(await this.#pending.take()))
    }
  }

  async finish(): Promise<CiphertextDigest> {
    const rest = this.#cutter.rest()
    if (rest.length > 0)
      this.#pending.add(crypto.subtle.digest('SHA-256', rest as Uint8Array<ArrayBuffer>))
    while (this.#pending.length > 0) this.#hashes.push(new Uint8Array(await this.#pending.take()))
    const list = concatBytes(...this.#hashes) as Uint8Array<ArrayBuffer>
    return { size: this.size, sha256: new Uint8Array(await crypto.subtle.digest('SHA-256', list)) }
  }
}

/**
 * The size and hash-list digest of ciphertext held in memory.
 *
 * @example
 * ```ts
 * const { size, sha256 } = await computeCiphertextDigest(blob)
 * ```
 */
export async function computeCiphertextDigest(ciphertext: Uint8Array): Promise<CiphertextDigest> {
  const list = new HashList()
  await list.update(ciphertext)
  return list.finish()
}

/**
 * A pass-through stream that measures and digests the bytes flowing through it; `result`
 * resolves when the stream closes (and rejects if it fails). Put it after
 * `encryptAttachmentStream` to get the manifest's `size` and `sha256` in the same pass.
 *
 * @example
 * ```ts
 * const d = digestingStream()
 * await plain.pipeThrough(encryptAttachmentStream({ key, attachmentId })).pipeThrough(d).pipeTo(store)
 * const { size, sha256 } = await d.result
 * ```
 */
export function digestingStream(): DigestingStream {
  const list = new HashList()
  let settle!: { resolve: (d: CiphertextDigest) => void; reject: (e: unknown) => void }
  const result = new Promise<CiphertextDigest>((resolve, reject) => (settle = { resolve, reject }))
  result.catch(() => undefined) // a caller that never asks for the result must not see it fail
  // `cancel` (WHATWG Streams, 2023) is newer than TypeScript's DOM types; runtimes without it
  // ignore it, and `result` then stays pending when the downstream side cancels.
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel(reason: unknown): void } = {
    async transform(input, controller) {
      try {
        assertBytesChunk(input)
        await list.update(input) // before enqueue: downstream may transfer the buffer
        controller.enqueue(input)
      } catch (e) {
        settle.reject(e)
        throw e
      }
    },
    async flush() {
      try {
        settle.resolve(await list.finish())
      } catch (e) {
        settle.reject(e)
        throw e
      }
    },
    cancel(reason) {
      settle.reject(reason)
    },
  }
  const { readable, writable } = new TransformStream(transformer)
  return { readable, writable, result }
}

/** What {@link verifyCiphertextDigest} checks against, from the signed manifest. */
export interface ExpectedCiphertext {
  size: number
  /** The ciphertext digest of spec 6.8 (the letter header's `sha256`). */
  sha256: Uint8Array
}

/**
 * A pass-through stream that fails with `ERR_ATTACHMENT_MISMATCH` when the bytes are not the
 * ciphertext the manifest describes: as soon as more than `size` bytes arrive, or at the end
 * when the size or digest differs. Operators use it on upload and download without the key.
 *
 * @example
 * ```ts
 * // `ref` is the letter header's attachment entry: { id, size, sha256 }
 * await upload.pipeThrough(verifyCiphertextDigest(ref)).pipeTo(blobStore)
 * ```
 */
export function verifyCiphertextDigest(
  expected: ExpectedCiphertext,
): TransformStream<Uint8Array, Uint8Array> {
  const { size } = expected
  if (
    !Number.isSafeInteger(size) ||
    size < 0 ||
    !(expected.sha256 instanceof Uint8Array) ||
    expected.sha256.length !== 32
  ) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'expected ciphertext needs a size and a 32-byte digest',
    )
  }
  const digest = expected.sha256.slice()
  const list = new HashList()
  const mismatch = (what: string): BaridError =>
    new BaridError(
      'ERR_ATTACHMENT_MISMATCH',
      `attachment ciphertext ${what} differs from the manifest`,
      {
        details: { expectedSize: size, size: list.size },
      },
    )
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(input, controller) {
      assertBytesChunk(input)
      if (list.size + input.length > size) throw mismatch('size')
      await list.update(input)
      controller.enqueue(input)
    },
    async flush() {
      if (list.size !== size) throw mismatch('size')
      // The digest is public (it is in the manifest), so a plain comparison is enough.
      if (!bytesEqual((await list.finish()).sha256, digest)) throw mismatch('digest')
    },
  })
}
