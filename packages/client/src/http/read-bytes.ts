/**
 * @module http/read-bytes
 * Reading a binary answer of a node into memory, at most a known number of bytes: a node that
 * sends more is refused before the excess is held.
 */
import { BaridError } from '../core.js'

/**
 * The body's bytes; `ERR_INPUT_TOO_LARGE` (details `limit`, `maxBytes`) past `maxBytes`.
 *
 * @example
 * ```ts
 * const bytes = await readBytes(res, 'evidence-bundle', EVIDENCE_BUNDLE_LIMITS.maxBytes)
 * ```
 */
export async function readBytes(
  res: Response,
  limit: string,
  maxBytes: number,
): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new BaridError('ERR_INPUT_TOO_LARGE', `the node answered more than ${maxBytes} bytes`, {
        details: { limit, maxBytes },
      })
    }
    parts.push(value)
  }
  const all = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    all.set(p, at)
    at += p.length
  }
  return all
}
