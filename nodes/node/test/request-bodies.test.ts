/**
 * Request bodies on a real socket (http/body.ts reads Node's request stream itself): a body over
 * its limit without a `Content-Length` is refused as soon as the limit is crossed and its
 * connection closed (the rest is never read), and a client that goes away mid-body leaves the
 * node serving.
 */
import { request } from 'node:http'
import { expect, it } from 'vitest'
import { makeAgency, startPair } from './harness.js'

interface Sent {
  status: number
  connection: string | undefined
  body: string
}

/** POSTs `chunks` with chunked transfer encoding (no length given); `abort` stops midway. */
function post(
  url: string,
  apiKey: string,
  chunks: Buffer[],
  o: { abortAfter?: number } = {},
): Promise<Sent | 'aborted'> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    })
    req.once('response', (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          connection: res.headers.connection,
          body: Buffer.concat(parts).toString(),
        }),
      )
    })
    req.once('error', (e) => (o.abortAfter !== undefined ? resolve('aborted') : reject(e)))
    let i = 0
    const next = () => {
      if (o.abortAfter !== undefined && i === o.abortAfter) {
        req.destroy()
        resolve('aborted')
        return
      }
      const c = chunks[i++]
      if (!c) return void req.end()
      if (req.write(c)) setImmediate(next)
      else req.once('drain', next)
    }
    next()
  })
}

it('refuses an unannounced body over its limit with 413, and keeps serving after a client aborts mid-body', async () => {
  await using pair = await startPair({ listen: true, config: { limits: { maxLetterBytes: 4096 } } })
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax', fetch)
  const url = `${pair.nodes.eg.url}/v1/sender/letters`
  const big = Array.from({ length: 64 }, () => Buffer.alloc(1024, 0x61))

  const tooLarge = await post(url, eta.apiKey, [Buffer.from('{"letter":"'), ...big])
  expect(tooLarge).not.toBe('aborted')
  expect((tooLarge as Sent).status).toBe(413)
  expect(JSON.parse((tooLarge as Sent).body).error.code).toBe('ERR_INPUT_TOO_LARGE')
  // The rest of the body is not read: the connection ends with the answer.
  expect((tooLarge as Sent).connection).toBe('close')

  expect(await post(url, eta.apiKey, [Buffer.from('{"letter":"'), ...big], { abortAfter: 2 })).toBe(
    'aborted',
  )

  // A small body in two chunks reaches the handler whole: not a letter, so refused as one.
  const small = await post(url, eta.apiKey, [Buffer.from('{"letter":'), Buffer.from('"AAAA"}')])
  expect((small as Sent).status).toBe(400)
  expect(JSON.parse((small as Sent).body).error.code).not.toBe('ERR_INPUT_TOO_LARGE')
})
