/**
 * @module federation/http-upload
 * Streamed uploads over node:http(s). Node's fetch (undici) keeps the chunks of a streamed
 * request body alive (measured: a 128 MiB upload retained 128 MiB), which would make relaying a
 * large attachment cost its size in memory; node:http with `pipeline` holds only its socket
 * buffers, so blob uploads between nodes use it (spec 14.6).
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export type StreamUpload = (
  url: string,
  init: { method: string; headers: Headers; body: ReadableStream<Uint8Array>; signal: AbortSignal },
) => Promise<Response>

const NULL_BODY = new Set([101, 204, 205, 304])

/**
 * @example
 * ```ts
 * const res = await httpUpload(url, { method: 'PUT', headers, body: stream, signal })
 * ```
 */
export const httpUpload: StreamUpload = (url, init) => {
  const u = new URL(url)
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest
  const headers: Record<string, string> = {}
  init.headers.forEach((v, k) => (headers[k] = v))
  return new Promise((resolve, reject) => {
    const req = request(u, { method: init.method, headers, signal: init.signal }, (res) => {
      const headers = new Headers()
      for (let i = 0; i < res.rawHeaders.length; i += 2)
        headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
      const status = res.statusCode ?? 502
      const body = NULL_BODY.has(status)
        ? null
        : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>)
      if (body === null) res.resume()
      resolve(new Response(body, { status, headers }))
    })
    req.on('error', reject)
    pipeline(
      Readable.fromWeb(init.body as import('node:stream/web').ReadableStream<Uint8Array>),
      req,
    ).catch(reject)
  })
}
