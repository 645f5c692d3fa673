import fc from 'fast-check'
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeCiphertextDigest } from '@barid/core'
import { toHex } from '../core.js'
import { blobPathFor, createDiskBlobStore } from './blob-store.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-blobs-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function streamOf(bytes: Uint8Array, chunk = 7000): ReadableStream<Uint8Array> {
  let off = 0
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.length) return c.close()
      c.enqueue(bytes.slice(off, off + chunk))
      off += chunk
    },
  })
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer())
}

describe('disk blob store', () => {
  it("stores any bytes under core's manifest digest and reads them back", async () => {
    const blobs = createDiskBlobStore(dir)
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 40_000 }),
        fc.integer({ min: 1, max: 9000 }),
        async (bytes, chunk) => {
          const r = await blobs.put(streamOf(bytes, chunk), { maxBytes: 1 << 20 })
          expect(r.digest).toBe(toHex((await computeCiphertextDigest(bytes)).sha256))
          expect(r.size).toBe(bytes.length)
          expect(await blobs.size(r.digest)).toBe(bytes.length)
          expect(await readAll(await blobs.open(r.digest))).toEqual(bytes)
        },
      ),
      { numRuns: 20 },
    )
  })

  it('refuses a blob whose digest or size differs from the declared one, leaving nothing behind', async () => {
    const blobs = createDiskBlobStore(dir)
    const bytes = new Uint8Array(5000).fill(7)
    await expect(
      blobs.put(streamOf(bytes), { maxBytes: 1 << 20, expectedDigest: '0'.repeat(64) }),
    ).rejects.toMatchObject({ code: 'ERR_ATTACHMENT_MISMATCH' })
    await expect(
      blobs.put(streamOf(bytes), { maxBytes: 1 << 20, expectedSize: 4999 }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' })
    await expect(
      blobs.put(streamOf(bytes), { maxBytes: 1 << 20, expectedSize: 5001 }),
    ).rejects.toMatchObject({ code: 'ERR_ATTACHMENT_MISMATCH' })
    await expect(blobs.put(streamOf(bytes), { maxBytes: 4096 })).rejects.toMatchObject({
      code: 'ERR_INPUT_TOO_LARGE',
    })
    expect(await readdir(join(dir, 'tmp'))).toEqual([])
  })

  it('answers ERR_NOT_FOUND for an absent blob and refuses ids that are not digests', async () => {
    const blobs = createDiskBlobStore(dir)
    await expect(blobs.open('f'.repeat(64))).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(blobs.open('../../etc/passwd')).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
    expect(await blobs.size('f'.repeat(64))).toBeUndefined()
  })

  it('surfaces a store that fails to look a blob up with its own error, not as a blob gone', async () => {
    const blobs = createDiskBlobStore(dir)
    // A real file system fault root cannot bypass (a permission would not stop the tests, run
    // as root): the blob's path is a symbolic link to itself, so stat fails with ELOOP.
    const digest = 'e'.repeat(64)
    const path = blobPathFor(dir, digest)
    await mkdir(join(path, '..'), { recursive: true })
    await symlink(path, path)
    const fault = { code: 'ELOOP', syscall: 'stat', path }
    await expect(blobs.open(digest)).rejects.toMatchObject(fault)
    await expect(blobs.size(digest)).rejects.toMatchObject(fault)
  })
})
