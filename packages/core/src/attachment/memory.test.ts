import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { decryptAttachmentStream } from './decrypt-stream.js'
import { digestingStream } from './digest.js'
import { encryptAttachmentStream } from './encrypt-stream.js'

const MiB = 1_048_576
const TOTAL = 64 * MiB
const PIECE = MiB

// Collecting garbage before each sample measures what the streams keep alive, not what the
// collector has not yet reclaimed. Test-only: the library never touches V8 flags.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Live heap plus ArrayBuffer backing stores (which live outside the JS heap). */
function liveBytes(): number {
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

describe('attachment streams at scale', () => {
  it('encrypt and decrypt 64 MiB with live memory growth under 32 MiB', async () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
    const baseline = liveBytes()
    let peak = 0
    let produced = 0
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced === TOTAL) return controller.close()
        // Piece i is filled with i mod 256, so the output can be checked without keeping it.
        controller.enqueue(new Uint8Array(PIECE).fill((produced / PIECE) & 255))
        produced += PIECE
      },
    })
    const digest = digestingStream()
    let seen = 0
    let wrong = 0
    let sinceSample = 0
    await source
      .pipeThrough(encryptAttachmentStream({ key, attachmentId: 'big' }))
      .pipeThrough(digest)
      .pipeThrough(decryptAttachmentStream({ key, attachmentId: 'big' }))
      .pipeTo(
        new WritableStream({
          write(chunk) {
            for (let i = 0; i < chunk.length; i += 4093) {
              if (chunk[i] !== (Math.floor((seen + i) / PIECE) & 255)) wrong++
            }
            seen += chunk.length
            sinceSample += chunk.length
            if (sinceSample >= 4 * MiB) {
              sinceSample = 0
              peak = Math.max(peak, liveBytes() - baseline)
            }
          },
        }),
      )
    expect(seen).toBe(TOTAL)
    expect(wrong).toBe(0)
    expect((await digest.result).size).toBe(TOTAL + 6 + 1024 * 16)
    expect(peak, `peak live growth ${(peak / MiB).toFixed(1)} MiB`).toBeLessThan(32 * MiB)
  })
})
