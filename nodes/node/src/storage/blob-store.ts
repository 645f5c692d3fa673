/**
 * @module storage/blob-store
 * Content-addressed storage for attachment ciphertext, on disk. A blob's address is the digest
 * a letter's manifest records for it (core's hash-list SHA-256 digest, spec 06), as lower-case
 * hex. A blob is written to a temp file while its digest is computed, fsynced, then renamed to
 * `ab/cd/abcd…` and the directory fsynced, so a crash leaves either the whole blob or nothing at
 * its address. Blobs are streamed in and out: memory use does not depend on their size.
 *
 * Like {@link Storage}, this is a seam: an operator on several machines replaces it with an
 * object store implementation of {@link BlobStore}.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { BaridError, digestingStream, toHex } from '../core.js'

export interface BlobPutOptions {
  /** Refuse (and discard) the blob unless its digest is this (lower-case hex). */
  expectedDigest?: string
  /** Refuse unless exactly this many bytes arrive. */
  expectedSize?: number
  /** Hard limit; the write stops and fails as soon as it is exceeded. */
  maxBytes: number
}

export interface BlobStore {
  /** Streams `body` in; resolves to its digest and size once durable. */
  put(
    body: ReadableStream<Uint8Array>,
    opts: BlobPutOptions,
  ): Promise<{ digest: string; size: number }>
  /** Size of a stored blob, or undefined. */
  size(digest: string): Promise<number | undefined>
  /**
   * A stream of the blob's bytes; throws ERR_NOT_FOUND if absent, and the store's own error when
   * it cannot tell (a permission, a disk error).
   */
  open(digest: string): Promise<ReadableStream<Uint8Array>>
  delete(digest: string): Promise<void>
}

const DIGEST_RE = /^[0-9a-f]{64}$/

/** True when `s` is a blob address: 64 lower-case hex digits. */
export function isBlobDigest(s: string): boolean {
  return DIGEST_RE.test(s)
}

/** Where the blob `digest` lives under the store's `root` (a backup copies the same layout). */
export function blobPathFor(root: string, digest: string): string {
  if (!DIGEST_RE.test(digest))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'blob id must be 64 lower-case hex digits')
  return join(root, digest.slice(0, 2), digest.slice(2, 4), digest)
}

/** Flushes a file or a directory (its entries) to disk. */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * A {@link BlobStore} in directory `root`.
 *
 * @example
 * ```ts
 * const blobs = createDiskBlobStore('/var/lib/barid/blobs')
 * const { digest } = await blobs.put(request.body!, { maxBytes: 2 ** 31 })
 * ```
 */
export function createDiskBlobStore(root: string): BlobStore {
  const tmp = join(root, 'tmp')
  let ready: Promise<unknown> | undefined
  const ensure = () => (ready ??= mkdir(tmp, { recursive: true }))

  return {
    async put(body, opts) {
      await ensure()
      const tmpPath = join(tmp, randomBytes(12).toString('hex'))
      const fh = await open(tmpPath, 'wx', 0o600)
      let size = 0
      let ok = false
      try {
        const limit = Math.min(opts.maxBytes, opts.expectedSize ?? Infinity)
        const digester = digestingStream()
        const reader = body.pipeThrough(digester).getReader()
        for (;;) {
          const { done, value: chunk } = await reader.read()
          if (done) break
          size += chunk.byteLength
          if (size > limit) {
            await reader.cancel().catch(() => undefined)
            throw new BaridError('ERR_INPUT_TOO_LARGE', 'blob exceeds its size limit', {
              details: { limit },
            })
          }
          let off = 0
          while (off < chunk.byteLength) {
            const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off)
            off += bytesWritten
          }
        }
        const digest = toHex((await digester.result).sha256)
        if (opts.expectedSize !== undefined && size !== opts.expectedSize) {
          throw new BaridError(
            'ERR_ATTACHMENT_MISMATCH',
            'blob size differs from the size declared',
            { details: { expected: opts.expectedSize, actual: size } },
          )
        }
        if (opts.expectedDigest !== undefined && digest !== opts.expectedDigest) {
          throw new BaridError(
            'ERR_ATTACHMENT_MISMATCH',
            'blob digest differs from the digest declared',
          )
        }
        await fh.sync()
        await fh.close()
        const dest = blobPathFor(root, digest)
        const dir = join(dest, '..')
        await mkdir(dir, { recursive: true })
        await rename(tmpPath, dest)
        await fsyncPath(dir)
        ok = true
        return { digest, size }
      } finally {
        if (!ok) {
          await fh.close().catch(() => undefined)
          await rm(tmpPath, { force: true })
        }
      }
    },
    async size(digest) {
      try {
        return (await stat(blobPathFor(root, digest))).size
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw e
      }
    },
    async open(digest) {
      const p = blobPathFor(root, digest)
      try {
        await stat(p)
      } catch (e) {
        // Only an absent file is a blob gone (its letters end, spec 14.4); another error (EACCES,
        // EIO) is the store failing, which may pass: thrown as it is, its letters are retried.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          throw new BaridError('ERR_NOT_FOUND', 'no such blob')
        throw e
      }
      return Readable.toWeb(
        createReadStream(p, { highWaterMark: 64 * 1024 }),
      ) as unknown as ReadableStream<Uint8Array>
    },
    async delete(digest) {
      await rm(blobPathFor(root, digest), { force: true })
    },
  }
}
