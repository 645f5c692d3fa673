/**
 * @module letter/commitment
 * The key commitment (`spec/05-sealed-letter.md` section 5.6). AES-GCM is not key-committing:
 * one ciphertext and tag can be made to decrypt validly under two different keys to two
 * different plaintexts ("invisible salamanders"). The signed header therefore carries
 * SHA-256("barid-cek-commit-v1" || CEK); a reader accepts only the CEK that matches it, so every
 * recipient, and a court given the CEK, decrypts the one plaintext the sender signed.
 */
import { concatBytes, sha256, utf8 } from '../bytes.js'

const PREFIX = utf8('barid-cek-commit-v1')

/**
 * The commitment to a content encryption key.
 *
 * @example
 * ```ts
 * timingSafeEqual(await keyCommitment(cek), header.keyCommitment)
 * ```
 */
export async function keyCommitment(cek: Uint8Array): Promise<Uint8Array> {
  return sha256(concatBytes(PREFIX, cek))
}
