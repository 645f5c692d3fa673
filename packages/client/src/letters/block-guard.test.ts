import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { recordBlocks, requireSameBlocks } from './block-guard.js'

const BLOCK = 64

function streamOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close()
      c.enqueue(bytes.slice(at, at + piece))
      at += piece
    },
  })
}

async function collect(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: number[] = []
  const r = s.getReader()
  for (;;) {
    const { done, value } = await r.read()
    if (done) return Uint8Array.from(parts)
    parts.push(...value)
  }
}

async function record(bytes: Uint8Array, piece: number) {
  const rec = recordBlocks(BLOCK)
  await collect(streamOf(bytes, piece).pipeThrough(rec.stream))
  return rec.hashes
}

describe('block guard', () => {
  it('passes the same bytes through unchanged, however they are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 400 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 90 }),
        async (bytes, p1, p2) => {
          const hashes = await record(bytes, p1)
          expect(
            await collect(streamOf(bytes, p2).pipeThrough(requireSameBlocks(hashes, BLOCK))),
          ).toEqual(bytes)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses a source in which one byte changed, before releasing the changed block', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (bytes, pos, flip) => {
          const hashes = await record(bytes, 50)
          const changed = bytes.slice()
          const i = pos % bytes.length
          changed[i]! ^= flip
          const released: number[] = []
          const out = streamOf(changed, 33).pipeThrough(requireSameBlocks(hashes, BLOCK))
          const reader = out.getReader()
          const read = async () => {
            for (;;) {
              const { done, value } = await reader.read()
              if (done) return
              released.push(...value)
            }
          }
          await expect(read()).rejects.toMatchObject({ code: 'ERR_ATTACHMENT_MISMATCH' })
          // Nothing of the changed block (or after it) was released.
          expect(released.length).toBeLessThanOrEqual(Math.floor(i / BLOCK) * BLOCK)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses a source that grew or shrank', async () => {
    const bytes = new Uint8Array(200).fill(7)
    const hashes = await record(bytes, 64)
    await expect(
      collect(streamOf(bytes.subarray(0, 128), 64).pipeThrough(requireSameBlocks(hashes, BLOCK))),
    ).rejects.toMatchObject({ code: 'ERR_ATTACHMENT_MISMATCH' })
    const longer = new Uint8Array(264).fill(7)
    await expect(
      collect(streamOf(longer, 64).pipeThrough(requireSameBlocks(hashes, BLOCK))),
    ).rejects.toMatchObject({ code: 'ERR_ATTACHMENT_MISMATCH' })
  })
})
