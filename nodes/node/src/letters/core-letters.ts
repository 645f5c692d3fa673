/**
 * @module letters/core-letters
 * The {@link LetterInspector} over core's `inspectLetter` (spec 05). Expiry is not checked here:
 * the node applies its own delivery deadline, so that a retry of a letter delivered before its
 * expiry is still recognised as a duplicate afterwards (spec 14.4).
 */
import { createHash, KeyObject, verify } from 'node:crypto'
import { BaridError, inspectLetter, toBase64Url, toHex, type SignatureAlgorithm } from '../core.js'
import type { LetterInspector } from './letter-port.js'

// The sender-key resolvers cache their imported CryptoKeys, so one KeyObject per CryptoKey is
// made once per key; a WeakMap lets it go with the CryptoKey.
const keyObjects = new WeakMap<CryptoKey, KeyObject>()

/**
 * Signature verification through Node's synchronous one-shot `crypto.verify` (the same OpenSSL
 * RFC 8032 and ECDSA P-256 verification as WebCrypto's), avoiding WebCrypto's hop to the thread
 * pool per letter. Core calls it after checking that the key fits `alg`, that the signature is
 * 64 bytes and, for ES256, that its S is low.
 */
export function verifySignatureSync(
  alg: SignatureAlgorithm,
  publicKey: CryptoKey,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  let k = keyObjects.get(publicKey)
  if (k === undefined) {
    k = KeyObject.from(publicKey)
    keyObjects.set(publicKey, k)
  }
  return alg === 'EdDSA'
    ? verify(null, data, k, signature)
    : verify('sha256', data, { key: k, dsaEncoding: 'ieee-p1363' }, signature)
}

/**
 * @example
 * ```ts
 * const letters = createCoreLetterInspector({ now: Date.now, maxBytes: 1 << 20 })
 * const { header, digest } = await letters.inspect(bytes, resolveSenderKey)
 * ```
 */
export function createCoreLetterInspector(o: {
  now: () => number
  maxBytes: number
}): LetterInspector {
  return {
    async inspect(bytes, resolve) {
      const r = await inspectLetter(bytes, {
        now: o.now(),
        maxBytes: o.maxBytes,
        checkExpiry: false,
        // Node's hash in place of WebCrypto's: same SHA-256, without a hop to the thread pool
        // per letter (it showed as ~10% of a node's time in the throughput benchmark).
        sha256: (b) => createHash('sha256').update(b).digest(),
        verifier: verifySignatureSync,
        resolveSenderKey: async (kid, header) => {
          const key = await resolve(header.sender, toBase64Url(kid))
          if (!key) throw new BaridError('ERR_KEY_NOT_FOUND', 'the sender has no such signing key')
          return key
        },
      })
      const h = r.header
      return {
        digest: toHex(r.digest),
        header: {
          id: r.id,
          sender: h.sender,
          senderKid: toBase64Url(r.signer.kid),
          recipients: [...h.recipients],
          kind: h.kind,
          created: h.created * 1000,
          expires: h.expires * 1000,
          threadId: h.threadId ?? null,
          replyTo: h.replyTo ?? null,
          lang: h.lang,
          attachments: h.attachments.map((a) => ({ digest: toHex(a.sha256), size: a.size })),
          ...(h.category !== undefined ||
          h.visibleFrom !== undefined ||
          h.title !== undefined ||
          h.replyBy !== undefined
            ? {
                terms: {
                  ...(h.category === undefined ? {} : { category: h.category }),
                  ...(h.visibleFrom === undefined ? {} : { visibleFrom: h.visibleFrom * 1000 }),
                  ...(h.title === undefined ? {} : { title: h.title }),
                  ...(h.replyBy === undefined ? {} : { replyBy: h.replyBy * 1000 }),
                },
              }
            : {}),
        },
      }
    },
  }
}
