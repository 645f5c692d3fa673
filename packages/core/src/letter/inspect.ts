/**
 * @module letter/inspect
 * What an operator does with a sealed letter: verify the sender's signature and read the
 * signed header, to route and account for the letter, without being able to read it.
 */
import { sha256 } from '../bytes.js'
import type { LetterHeader } from './header.js'
import type { LetterId } from './letter-id.js'
import { readLetter, type LetterSigner, type ReadLetterOptions } from './read.js'

/** Options for {@link inspectLetter}. */
export interface InspectLetterOptions extends ReadLetterOptions {
  /** Refuse a letter past `expires`. Default true: operators do not accept expired letters. */
  checkExpiry?: boolean
  /**
   * SHA-256 for the letter's digest. Default: WebCrypto's. A server may pass its platform's
   * synchronous hash: WebCrypto hands every digest to a worker thread, which for a letter of a
   * few kilobytes costs several times the hashing itself (measured in the reference node).
   */
  sha256?: (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>
}

/** A letter whose signature verified. */
export interface InspectedLetter {
  readonly id: LetterId
  readonly header: LetterHeader
  readonly signer: LetterSigner
  /** SHA-256 of the whole sealed letter. */
  readonly digest: Uint8Array
  /** Size of the sealed letter in bytes. */
  readonly size: number
  /** The kid of every key the letter is encrypted to, in order (recipients' keys, then the sender's). */
  readonly recipientKids: readonly Uint8Array[]
}

/**
 * Verifies a sealed letter for an operator: checks structure and limits, resolves the sender's
 * key, verifies the signature, then checks times and the encrypted payload's structure. Never
 * decrypts.
 *
 * Errors: `ERR_INPUT_TOO_LARGE`, `ERR_LETTER_MALFORMED`, `ERR_UNSUPPORTED_VERSION`,
 * `ERR_UNSUPPORTED_ALGORITHM`, `ERR_COSE_CRITICAL_UNKNOWN`, `ERR_LETTER_TAMPERED`,
 * `ERR_LETTER_EXPIRED`, `ERR_LETTER_CLOCK_SKEW`, and whatever the resolver throws
 * (`ERR_KEY_NOT_FOUND`, `ERR_SENDER_MISMATCH`).
 *
 * @example
 * ```ts
 * const { header, digest } = await inspectLetter(bytes, {
 *   resolveSenderKey: async (kid, header) => directory.signingKey(header.sender, kid),
 * })
 * for (const to of header.recipients) route(to)
 * ```
 */
export async function inspectLetter(
  bytes: Uint8Array,
  options: InspectLetterOptions,
): Promise<InspectedLetter> {
  const hash = options.sha256
  const v = await readLetter(
    bytes,
    { ...options, checkExpiry: options.checkExpiry ?? true },
    { digest: hash === undefined },
  )
  return {
    id: v.header.id,
    header: v.header,
    signer: v.signer,
    digest: hash === undefined ? v.digest! : await hash(bytes),
    size: bytes.length,
    recipientKids: v.payload.recipients.map((r) => r.kid!),
  }
}

/**
 * SHA-256 of a sealed letter's bytes: how evidence records and APIs name one exact letter.
 *
 * @example
 * ```ts
 * toHex(await letterDigest(bytes))
 * ```
 */
export async function letterDigest(bytes: Uint8Array): Promise<Uint8Array> {
  return sha256(bytes)
}
