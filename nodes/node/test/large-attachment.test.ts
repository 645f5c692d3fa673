/**
 * Attachments stream end to end: a 128 MiB attachment goes client -> Egypt Post -> Denmark ->
 * citizen with the process's memory growing far less than the attachment's size.
 */
import { describe, expect, it } from 'vitest'
import {
  digestingStream,
  generateKeyPair,
  sealLetter,
  toBase64Url,
  toHex,
  importPublicJwk,
} from '../src/core.js'
import { httpUpload } from '../src/federation/http-upload.js'
import { eventually, makeAgency, makeCitizen, startPair } from './harness.js'

const SIZE = 128 * 1024 * 1024
const CHUNK = 256 * 1024

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

async function digestOf(total: number): Promise<Uint8Array> {
  const d = digestingStream()
  await bytesStream(total).pipeThrough(d).pipeTo(new WritableStream())
  return (await d.result).sha256
}

describe('large attachments', () => {
  it('relays a 128 MiB attachment between nodes without holding it in memory', async () => {
    await using pair = await startPair({ listen: true })
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax', fetch)
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234', fetch)
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error('lookup')
    const sha = await digestOf(SIZE)
    const enc = to.keys.find((k) => k.use === 'enc')!
    const rk = await importPublicJwk(enc.jwk, { use: 'encrypt' })
    const letter = await sealLetter({
      sender: {
        address: eta.address,
        signingKey: eta.keys.sign.privateKey,
        kid: eta.keys.sign.kid,
        encryptionKey: { publicKey: eta.keys.enc.publicKey, kid: eta.keys.enc.kid },
      },
      recipients: [{ address: to.address, keys: [{ publicKey: rk.publicKey, kid: rk.kid }] }],
      contentType: 'text/plain',
      lang: 'en',
      body: new TextEncoder().encode('big file'),
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
    const base = process.memoryUsage().rss
    let peak = base
    // Buffers (ArrayBuffers) are where an attachment held in memory would show; RSS as a backstop.
    let peakBuffers = 0
    const sampler = setInterval(() => {
      const m = process.memoryUsage()
      peak = Math.max(peak, m.rss)
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers)
    }, 20)
    try {
      // node:http, not fetch: undici keeps a streamed request body alive (see http-upload.ts)
      const up = await httpUpload(`${pair.nodes.eg.url}/v1/sender/attachments/${toHex(sha)}`, {
        method: 'PUT',
        headers: new Headers({
          authorization: `Bearer ${eta.apiKey}`,
          'content-type': 'application/octet-stream',
          'content-length': String(SIZE),
        }),
        body: bytesStream(SIZE),
        signal: new AbortController().signal,
      })
      expect(up.status).toBe(201)
      await eta.client.submit(letter.bytes)
      await eventually(
        async () =>
          expect((await eta.client.status(letter.id)).recipients[0]!.state).toBe('delivered'),
        60_000,
        100,
      )
      const token = await pair.nodes.dk.devIdp!.issue(lars.identifier)
      const down = await fetch(
        `${pair.nodes.dk.url}/v1/citizen/letters/${letter.id}/attachments/0`,
        { headers: { authorization: `Bearer ${token}` } },
      )
      const d = digestingStream()
      await down.body!.pipeThrough(d).pipeTo(new WritableStream())
      expect(toBase64Url((await d.result).sha256)).toBe(toBase64Url(sha))
    } finally {
      clearInterval(sampler)
    }
    expect(peakBuffers).toBeLessThan(SIZE / 2)
    expect(peak - base).toBeLessThan(SIZE * 0.75)
  }, 120_000)
})
