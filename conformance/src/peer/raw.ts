/**
 * @module peer/raw
 * A request whose declared Content-Length is not what is sent: only the raw HTTP client can
 * make one. Used to check that a node refuses an oversized blob from its declared length,
 * before reading (spec 11.5), rather than after buffering it.
 */
import { request } from 'node:http'

/**
 * Sends the headers and `prefix`, waits for an early answer, then drops the connection.
 *
 * @example
 * ```ts
 * const r = await earlyAnswer(url, 'PUT', { 'content-length': String(3 * 2 ** 30) }, new Uint8Array(16))
 * ```
 */
export async function earlyAnswer(
  url: string,
  method: string,
  headers: Record<string, string>,
  prefix: Uint8Array,
  timeoutMs = 5000,
): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers })
    const timer = setTimeout(() => {
      req.destroy()
      resolve(undefined)
    }, timeoutMs)
    req.on('response', (res) => {
      let body = ''
      res.on('data', (d) => (body += String(d)))
      res.on('end', () => {
        clearTimeout(timer)
        req.destroy()
        resolve({ status: res.statusCode ?? 0, body })
      })
      res.on('error', () => undefined)
    })
    req.on('error', () => {
      clearTimeout(timer)
      resolve(undefined)
    })
    req.write(prefix)
  })
}
