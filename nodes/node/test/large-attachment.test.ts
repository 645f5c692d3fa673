/**
 * Attachments stream end to end (spec 06, 12.3, 13.5): a 1 GiB attachment goes from an agency
 * to Egypt Post, is relayed to Denmark and fetched by the citizen, with each node in its own
 * process, and neither node's resident memory at its peak grows by more than a small fraction
 * of the attachment. The node checks size and digest only (the content is ciphertext to it),
 * so the test streams pseudo-random bytes and checks the citizen gets them back bit for bit.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  digestingStream,
  importPublicJwk,
  sealLetter,
  toBase64Url,
  toHex,
} from '../src/core.js'
import { httpUpload } from '../src/federation/http-upload.js'
import { eventually } from './harness.js'
import { etaAndLars, processMemory, processPair } from './node-process.js'

const MiB = 1024 * 1024
const SIZE = 1024 * MiB
const CHUNK = 256 * 1024
/** How much a node's peak resident memory may grow while it relays the attachment. */
const MEMORY_BOUND = 96 * MiB

function bytesStream(total: number): ReadableStream<Uint8Array> {
  let sent = 0
  let x = 12345
  return new ReadableStream({
    pull(c) {
      if (sent >= total) return c.close()
      const n = Math.min(CHUNK, total - sent)
      const b = new Uint8Array(n)
      for (let i = 0; i < n; i += 4096) b[i] = x = (x * 1103515245 + 12345) & 0xff
      sent += n
      c.enqueue(b)
    },
  })
}

async function digestOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const d = digestingStream()
  await stream.pipeThrough(d).pipeTo(new WritableStream())
  return (await d.result).sha256
}

describe('large attachments', () => {
  it('relays a 1 GiB attachment between two node processes in bounded memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'barid-gib-'))
    const { eg, dk } = await processPair(dir)
    try {
      await Promise.all([eg.start(), dk.start()])
      const { eta, etaApiKey, etaAddress, etaKeys, to, larsToken } = await etaAndLars(eg, dk)
      const sha = await digestOf(bytesStream(SIZE))
      const enc = await importPublicJwk(to.keys.find((k) => k.use === 'enc')!.jwk, {
        use: 'encrypt',
      })
      const letter = await sealLetter({
        sender: {
          address: etaAddress,
          signingKey: etaKeys.sign.privateKey,
          kid: etaKeys.sign.kid,
          encryptionKey: { publicKey: etaKeys.enc.publicKey, kid: etaKeys.enc.kid },
        },
        recipients: [{ address: to.address, keys: [{ publicKey: enc.publicKey, kid: enc.kid }] }],
        contentType: 'text/plain',
        lang: 'en',
        body: new TextEncoder().encode('a large file'),
        attachments: [
          {
            id: 'big',
            size: SIZE,
            sha256: sha,
            key: new Uint8Array(32),
            filename: 'big.bin',
            mediaType: 'application/octet-stream',
          },
        ],
      })
      const before = {
        eg: await processMemory(eg.proc!.pid!),
        dk: await processMemory(dk.proc!.pid!),
      }

      const up = await httpUpload(`${eg.url}/v1/sender/attachments/${toHex(sha)}`, {
        method: 'PUT',
        headers: new Headers({
          authorization: `Bearer ${etaApiKey}`,
          'content-type': 'application/octet-stream',
          'content-length': String(SIZE),
        }),
        body: bytesStream(SIZE),
        signal: new AbortController().signal,
      })
      expect(up.status).toBe(201)
      await eta.submit(letter.bytes)
      await eventually(
        async () => expect((await eta.status(letter.id)).recipients[0]!.state).toBe('delivered'),
        300_000,
        500,
      )
      const down = await fetch(`${dk.url}/v1/citizen/letters/${letter.id}/attachments/0`, {
        headers: { authorization: `Bearer ${await larsToken()}` },
      })
      expect(down.status).toBe(200)
      expect(toBase64Url(await digestOf(down.body!))).toBe(toBase64Url(sha))

      const after = {
        eg: await processMemory(eg.proc!.pid!),
        dk: await processMemory(dk.proc!.pid!),
      }
      for (const side of ['eg', 'dk'] as const) {
        const grew = after[side].peak - before[side].rss
        process.stderr.write(
          `${side}: resident ${(before[side].rss / MiB).toFixed(0)} MiB before, ` +
            `peak ${(after[side].peak / MiB).toFixed(0)} MiB after a 1 GiB relay\n`,
        )
        expect(grew).toBeLessThan(MEMORY_BOUND)
      }
    } finally {
      await Promise.all([eg.stop(), dk.stop()])
      await rm(dir, { recursive: true, force: true })
    }
  }, 600_000)
})
