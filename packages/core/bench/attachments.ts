/**
 * Attachment stream throughput and memory (spec/06-attachments.md).
 * Usage: npx tsx bench/attachments.ts [--size 1G|256M|<bytes>]
 *
 * Streams `size` bytes of plaintext (generated on the fly, never held whole) through
 * encryptAttachmentStream (alone, and with the manifest digest), writes the ciphertext to a
 * temporary file (deleted at the end), then streams it back through decryptAttachmentStream,
 * with and without verifyCiphertextDigest in front. Each figure is printed beside raw
 * AES-256-GCM over 64 KiB buffers via WebCrypto in the same run, one call at a time and four
 * in flight, as ratios. Peak RSS growth is sampled every 20 ms.
 * Targets: >= 300 MB/s, RSS growth < 64 MiB.
 */
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  decryptAttachmentStream,
  digestingStream,
  encryptAttachmentStream,
  generateAttachmentKey,
  verifyCiphertextDigest,
} from '../src/attachment/index.js'

const MiB = 1_048_576
const PIECE = MiB

function parseSize(argv: readonly string[]): number {
  const i = argv.indexOf('--size')
  const raw = i >= 0 ? argv[i + 1] : undefined
  if (raw === undefined) return 1024 * MiB
  const m = /^(\d+)([KMG]?)$/i.exec(raw)
  if (!m) throw new TypeError(`--size ${raw}: use bytes or a number with K, M or G`)
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[
    m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'
  ]
  return Math.max(PIECE, Math.floor((Number(m[1]) * unit) / PIECE) * PIECE)
}

const SIZE = parseSize(process.argv.slice(2))

/** Runs `fn` while sampling RSS; returns seconds taken and peak RSS growth in bytes. */
async function measure(fn: () => Promise<void>): Promise<{ seconds: number; rssGrowth: number }> {
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  const t0 = performance.now()
  await fn()
  const seconds = (performance.now() - t0) / 1000
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { seconds, rssGrowth: peak - base }
}

/** Plaintext made on the fly: fresh 1 MiB pieces (a reused buffer could change while queued). */
function plaintextSource(): ReadableStream<Uint8Array> {
  let produced = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= SIZE) return controller.close()
      // Filled, so its pages are really resident (a fresh zeroed buffer would not count in RSS).
      const piece = new Uint8Array(PIECE).fill(produced / PIECE)
      controller.enqueue(piece)
      produced += PIECE
    },
  })
}

function countingSink(count: { bytes: number }): WritableStream<Uint8Array> {
  return new WritableStream({ write: (c) => void (count.bytes += c.length) })
}

// File streams written directly over a FileHandle: Node 20's Writable.toWeb counts chunks, not
// bytes, against the file stream's 16 KiB high-water mark, so it queues hundreds of MiB.
function fileSink(path: string): WritableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  return new WritableStream({
    async start() {
      handle = await open(path, 'w')
    },
    async write(chunk) {
      for (let off = 0; off < chunk.length;) off += (await handle!.write(chunk, off)).bytesWritten
    },
    close: () => handle!.close(),
  })
}

function fileSource(path: string): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  return new ReadableStream({
    async start() {
      handle = await open(path, 'r')
    },
    async pull(controller) {
      const buf = new Uint8Array(PIECE)
      const { bytesRead } = await handle!.read(buf, 0, PIECE, null)
      if (bytesRead === 0) {
        await handle!.close()
        return controller.close()
      }
      controller.enqueue(buf.subarray(0, bytesRead))
    },
  })
}

async function rawAesGcm(inFlight: number): Promise<number> {
  const raw = generateAttachmentKey() as Uint8Array<ArrayBuffer>
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt'])
  const buf = new Uint8Array(65_536)
  const iv = new Uint8Array(12)
  const n = Math.min(SIZE, 512 * MiB) / buf.length
  const { seconds } = await measure(async () => {
    for (let i = 0; i < n; i += inFlight) {
      const ops = []
      for (let j = 0; j < inFlight; j++)
        ops.push(crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, buf))
      await Promise.all(ops)
    }
  })
  return (n * buf.length) / 1e6 / seconds
}

function line(name: string, mbs: number, raw1: number, raw4: number, rss?: number): void {
  const rssText = rss === undefined ? '' : `  peak RSS +${(rss / MiB).toFixed(1)} MiB`
  console.log(
    `${name.padEnd(34)} ${mbs.toFixed(0).padStart(5)} MB/s  ` +
      `x${(mbs / raw1).toFixed(2)} of raw 1-at-a-time, x${(mbs / raw4).toFixed(2)} of raw 4-in-flight` +
      rssText,
  )
}

const key = generateAttachmentKey()
const attachmentId = 'bench.bin'
console.log(`attachments: ${(SIZE / MiB).toFixed(0)} MiB, 64 KiB chunks, Node ${process.version}`)

const raw1 = await rawAesGcm(1)
const raw4 = await rawAesGcm(4)
console.log(
  `${'raw AES-256-GCM 64 KiB, 1 at a time'.padEnd(34)} ${raw1.toFixed(0).padStart(5)} MB/s`,
)
console.log(
  `${'raw AES-256-GCM 64 KiB, 4 in flight'.padEnd(34)} ${raw4.toFixed(0).padStart(5)} MB/s`,
)

// Encrypt only, then with the manifest digest in the same pass.
const enc = await measure(() =>
  plaintextSource()
    .pipeThrough(encryptAttachmentStream({ key, attachmentId }))
    .pipeTo(countingSink({ bytes: 0 })),
)
line('encrypt stream', SIZE / 1e6 / enc.seconds, raw1, raw4, enc.rssGrowth)
const encDigest = await measure(() =>
  plaintextSource()
    .pipeThrough(encryptAttachmentStream({ key, attachmentId }))
    .pipeThrough(digestingStream())
    .pipeTo(countingSink({ bytes: 0 })),
)
line('encrypt + digest stream', SIZE / 1e6 / encDigest.seconds, raw1, raw4, encDigest.rssGrowth)

// The ciphertext goes to a temporary file (disk speed, not a target), to be streamed back.
const dir = await mkdtemp(join(tmpdir(), 'barid-bench-'))
const file = join(dir, 'attachment.bin')
const digest = digestingStream()
const toFile = await measure(() =>
  plaintextSource()
    .pipeThrough(encryptAttachmentStream({ key, attachmentId }))
    .pipeThrough(digest)
    .pipeTo(fileSink(file)),
)
line('(encrypt + digest -> file)', SIZE / 1e6 / toFile.seconds, raw1, raw4, toFile.rssGrowth)
const manifest = await digest.result

// Decrypt from the file, then verify-and-decrypt (the recipient's path).
const out = { bytes: 0 }
const dec = await measure(() =>
  fileSource(file)
    .pipeThrough(decryptAttachmentStream({ key, attachmentId }))
    .pipeTo(countingSink(out)),
)
if (out.bytes !== SIZE) throw new Error(`decrypted ${out.bytes} bytes, expected ${SIZE}`)
line('file -> decrypt stream', SIZE / 1e6 / dec.seconds, raw1, raw4, dec.rssGrowth)
const verDec = await measure(() =>
  fileSource(file)
    .pipeThrough(verifyCiphertextDigest(manifest))
    .pipeThrough(decryptAttachmentStream({ key, attachmentId }))
    .pipeTo(countingSink({ bytes: 0 })),
)
line('file -> verify + decrypt stream', SIZE / 1e6 / verDec.seconds, raw1, raw4, verDec.rssGrowth)
await rm(dir, { recursive: true, force: true })

const slowest = SIZE / 1e6 / Math.max(enc.seconds, dec.seconds)
const rss = Math.max(
  enc.rssGrowth,
  encDigest.rssGrowth,
  toFile.rssGrowth,
  dec.rssGrowth,
  verDec.rssGrowth,
)
console.log(
  `targets: stream encrypt and decrypt >= 300 MB/s: ${slowest >= 300 ? 'met' : 'NOT met'} (slower ${slowest.toFixed(0)}); ` +
    `peak RSS growth < 64 MiB: ${rss < 64 * MiB ? 'met' : 'NOT met'} (${(rss / MiB).toFixed(1)} MiB)`,
)
