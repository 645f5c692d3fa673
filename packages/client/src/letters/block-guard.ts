/**
 * @module letters/block-guard
 * A streamed attachment is read twice: once to learn the ciphertext digest that the letter
 * header records and the upload URL names (spec 6.8, 12.6), and once to upload it. Both passes
 * encrypt with the same key and the same chunk nonces (spec 6.5), which is safe only if the
 * plaintext is identical: the same nonce over different plaintext would break AES-GCM
 * (NIST SP 800-38D section 8). So the first pass records the SHA-256 of each 1 MiB block of
 * plaintext, and the second pass releases a block to the encryptor only after it hashed to the
 * same value. A source that changed between the passes fails with `ERR_ATTACHMENT_MISMATCH`
 * before any ciphertext of the changed block exists. Memory stays at one block.
 */
import { BaridError, bytesEqual } from '../core.js'

/** Bytes per guarded block. */
export const GUARD_BLOCK_SIZE = 1024 * 1024

/** Cuts a byte stream into blocks of exactly `size` bytes (the last may be shorter). */
class Blocks {
  #buf: Uint8Array
  #fill = 0
  constructor(readonly size: number) {
    this.#buf = new Uint8Array(size)
  }
  /** Full blocks completed by `input`; each is a fresh copy. */
  push(input: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = []
    let at = 0
    while (at < input.length) {
      const n = Math.min(this.size - this.#fill, input.length - at)
      this.#buf.set(input.subarray(at, at + n), this.#fill)
      this.#fill += n
      at += n
      if (this.#fill === this.size) {
        out.push(this.#buf)
        this.#buf = new Uint8Array(this.size)
        this.#fill = 0
      }
    }
    return out
  }
  rest(): Uint8Array {
    return this.#buf.subarray(0, this.#fill)
  }
}

function checkChunk(input: unknown): Uint8Array {
  if (!(input instanceof Uint8Array))
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'an attachment stream must yield Uint8Array chunks',
    )
  return input
}

const hash = async (b: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>))

/**
 * A pass-through stream that records the SHA-256 of each block of what passes; `hashes`
 * resolves when the stream ends.
 *
 * @example
 * ```ts
 * const rec = recordBlocks()
 * await source().pipeThrough(rec.stream).pipeTo(sink)
 * const expected = await rec.hashes
 * ```
 */
export function recordBlocks(blockSize = GUARD_BLOCK_SIZE): {
  stream: TransformStream<Uint8Array, Uint8Array>
  hashes: Promise<Uint8Array[]>
} {
  const blocks = new Blocks(blockSize)
  const hashes: Uint8Array[] = []
  let settle!: { resolve: (h: Uint8Array[]) => void; reject: (e: unknown) => void }
  const result = new Promise<Uint8Array[]>((resolve, reject) => (settle = { resolve, reject }))
  result.catch(() => undefined)
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(input, controller) {
      for (const b of blocks.push(checkChunk(input))) hashes.push(await hash(b))
      controller.enqueue(input)
    },
    async flush() {
      hashes.push(await hash(blocks.rest()))
      settle.resolve(hashes)
    },
  })
  return { stream, hashes: result }
}

/**
 * A stream that passes on each block only after it hashed to the recorded value, and fails
 * with `ERR_ATTACHMENT_MISMATCH` at the first block that differs, or when the stream is longer
 * or shorter than the recorded one.
 *
 * @example
 * ```ts
 * const upload = source().pipeThrough(requireSameBlocks(expected)).pipeThrough(encryptAttachmentStream({ key, attachmentId }))
 * ```
 */
export function requireSameBlocks(
  expected: readonly Uint8Array[],
  blockSize = GUARD_BLOCK_SIZE,
): TransformStream<Uint8Array, Uint8Array> {
  const blocks = new Blocks(blockSize)
  let index = 0
  const changed = () =>
    new BaridError('ERR_ATTACHMENT_MISMATCH', 'the attachment changed while it was being sent', {
      details: { block: index },
    })
  const check = async (b: Uint8Array) => {
    const want = expected[index]
    if (want === undefined || !bytesEqual(await hash(b), want)) throw changed()
    index++
  }
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(input, controller) {
      for (const b of blocks.push(checkChunk(input))) {
        await check(b)
        controller.enqueue(b)
      }
    },
    async flush(controller) {
      const last = blocks.rest()
      await check(last)
      if (index !== expected.length) throw changed()
      if (last.length > 0) controller.enqueue(last.slice())
    },
  })
}
