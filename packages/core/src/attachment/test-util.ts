/**
 * @module attachment/test-util
 * Helpers for this area's tests only (not exported from the package): feeding bytes to a
 * stream in chosen pieces, collecting its output, and cutting a ciphertext into its chunks.
 */
import { concatBytes } from '../bytes.js'
import { isBaridError } from '../errors.js'
import { ATTACHMENT_HEADER_BYTES, ATTACHMENT_TAG_BYTES } from './format.js'

/** Cuts `bytes` into pieces whose sizes cycle through `sizes` (all >= 1). */
export function cutInto(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  if (sizes.length === 0) return [bytes]
  const out: Uint8Array[] = []
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length]!
    out.push(bytes.slice(off, off + n))
    off += n
  }
  return out
}

/** Writes `pieces` through `stream` and returns everything it emitted. */
export async function through(
  pieces: readonly Uint8Array[],
  stream: ReadableWritablePair<Uint8Array, Uint8Array>,
): Promise<Uint8Array> {
  const emitted = await collectUntilError(pieces, stream)
  if (emitted.error !== undefined) throw emitted.error
  return emitted.output
}

/** Like {@link through}, but returns what was emitted before a failure as well as the failure. */
export async function collectUntilError(
  pieces: readonly Uint8Array[],
  stream: ReadableWritablePair<Uint8Array, Uint8Array>,
): Promise<{ output: Uint8Array; error: unknown }> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of pieces) controller.enqueue(p)
      controller.close()
    },
  })
  const reader = source.pipeThrough(stream).getReader()
  const parts: Uint8Array[] = []
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { output: concatBytes(...parts), error: undefined }
      parts.push(value)
    }
  } catch (error) {
    return { output: concatBytes(...parts), error }
  }
}

/** The Barid error code a promise fails with, `'ok'` when it succeeds, or `'not a BaridError'`. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    return isBaridError(e) ? e.code : `not a BaridError: ${String(e)}`
  }
}

/** Splits a ciphertext into its header and sealed chunks (for building hostile inputs). */
export function splitChunks(
  ciphertext: Uint8Array,
  chunkSize: number,
): { header: Uint8Array; chunks: Uint8Array[] } {
  const header = ciphertext.slice(0, ATTACHMENT_HEADER_BYTES)
  const chunks: Uint8Array[] = []
  const step = chunkSize + ATTACHMENT_TAG_BYTES
  for (let off = ATTACHMENT_HEADER_BYTES; off < ciphertext.length; off += step) {
    chunks.push(ciphertext.slice(off, off + step))
  }
  return { header, chunks }
}

/** Deterministic test plaintext: byte i is (i * 31 + seed) mod 256. */
export function patterned(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 255
  return out
}
