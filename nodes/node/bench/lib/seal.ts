/**
 * @module bench/lib/seal
 * Pre-sealing letters on the sender's side, before anything is timed: sealing is the sender's
 * cost (its own machines), not the node's, so the benchmark seals first and reports the
 * sealing rate on its own.
 */
import { sealLetter } from '../../src/core.js'
import type { BenchAgency, BenchCitizen } from './federation.js'

/** A sealed letter ready to submit. */
export interface SealedForBench {
  id: string
  bytes: Uint8Array
  to: string
}

/**
 * Seals `n` distinct letters from `from`, round-robin over `to`; `onProgress` is called now and
 * then with the count so far.
 *
 * @example
 * ```ts
 * const { letters, seconds } = await sealLetters(eta, people, 1000)
 * ```
 */
export async function sealLetters(
  from: BenchAgency,
  to: readonly BenchCitizen[],
  n: number,
  opts: { kind?: 'letter' | 'registered'; bodyBytes?: number } = {},
): Promise<{ letters: SealedForBench[]; seconds: number }> {
  const body = new TextEncoder().encode('x'.repeat(opts.bodyBytes ?? 600))
  const t0 = performance.now()
  const letters: SealedForBench[] = []
  // A few in flight: WebCrypto work runs on libuv's thread pool.
  const parallel = 8
  for (let i = 0; i < n; i += parallel) {
    const part = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, async (_, j) => {
        const r = to[(i + j) % to.length]!
        const sealed = await sealLetter({
          sender: {
            address: from.address,
            signingKey: from.keys.sign.privateKey,
            kid: from.keys.sign.kid,
            encryptionKey: { publicKey: from.keys.enc.publicKey, kid: from.keys.enc.kid },
          },
          recipients: [
            {
              address: r.address,
              keys: [{ publicKey: r.keys.enc.publicKey, kid: r.keys.enc.kid }],
            },
          ],
          kind: opts.kind ?? 'letter',
          contentType: 'text/plain; charset=utf-8',
          lang: 'en',
          subject: `Notice ${i + j}`,
          body,
        })
        return { id: sealed.id, bytes: sealed.bytes, to: r.address }
      }),
    )
    letters.push(...part)
  }
  return { letters, seconds: (performance.now() - t0) / 1000 }
}
