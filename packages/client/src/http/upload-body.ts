/**
 * @module http/upload-body
 * Request bodies that stream. Node 18+ and Chromium over HTTP/2 send a `ReadableStream` body
 * (Fetch standard, `duplex: 'half'`); other browsers do not yet, and there the body is
 * collected first, up to a bound. Feature detection follows the Fetch standard's own test:
 * a runtime that supports request streams reads the `duplex` member and does not turn the
 * stream into a string body.
 */
import { BaridError } from '../core.js'

let detected: boolean | undefined

/**
 * True when `fetch` can send a `ReadableStream` body.
 *
 * @example
 * ```ts
 * if (!supportsRequestStreams()) console.warn('attachments are buffered before upload')
 * ```
 */
export function supportsRequestStreams(): boolean {
  if (detected !== undefined) return detected
  try {
    let duplexRead = false
    const hasContentType = new Request('http://localhost/', {
      method: 'POST',
      body: new ReadableStream(),
      get duplex() {
        duplexRead = true
        return 'half'
      },
    } as RequestInit).headers.has('content-type')
    detected = duplexRead && !hasContentType
  } catch {
    detected = false
  }
  return detected
}

/**
 * The body to send: the stream itself where supported, else its bytes (at most `maxBytes`).
 *
 * @example
 * ```ts
 * const body = await uploadBody(prepared.body(), 256 * 1024 * 1024)
 * ```
 */
export async function uploadBody(
  body: Uint8Array | ReadableStream<Uint8Array>,
  maxBytes: number,
  streams = supportsRequestStreams(),
): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  if (body instanceof Uint8Array || streams) return body
  const parts: Uint8Array[] = []
  let total = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new BaridError(
        'ERR_INPUT_TOO_LARGE',
        'this runtime cannot stream uploads and the attachment is too large to buffer',
        { details: { limit: maxBytes } },
      )
    }
    parts.push(value)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
