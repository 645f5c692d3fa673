/**
 * @module letter/open
 * What a recipient's device (or the sender, for its sent copy) does: verify the letter as an
 * operator would, find its own entry by kid, recover the CEK, check it against the signed key
 * commitment, and decrypt with the protected header as external AAD.
 */
import { BaridError } from '../errors.js'
import { bytesEqual, timingSafeEqual } from '../bytes.js'
import { parseMailboxAddress } from '../address/index.js'
import { agreementCurveOf, parseCoseKey } from '../cose/cose-key.js'
import { decryptContent } from '../cose/decrypt.js'
import { ECDH_HEADER } from '../cose/labels.js'
import { recoverCek } from '../cose/recipient.js'
import { keyCommitment } from './commitment.js'
import { parseLetterContent, type LetterAttachment } from './content.js'
import { letterError } from './errors.js'
import type { LetterHeader } from './header.js'
import { readLetter, type LetterSigner, type ReadLetterOptions } from './read.js'

/** Options for {@link openLetter}. */
export interface OpenLetterOptions extends ReadLetterOptions {
  /** The opener's private key (ECDH P-256 or X25519, usage `deriveBits` or `deriveKey`) and its kid. */
  key: { privateKey: CryptoKey; kid: Uint8Array }
  /**
   * The opener's mailbox. When given, the letter must name it as a recipient or as the sender,
   * so a letter forwarded to someone it was not addressed to is refused.
   */
  address?: string
  /** Refuse a letter past `expires`. Default false: a letter stays readable after delivery. */
  checkExpiry?: boolean
  /**
   * Seconds `created` may be ahead of `now`. Default: no limit, since the node checked it on
   * acceptance and a device's clock is not evidence of anything.
   */
  clockSkew?: number
}

/** An opened letter. */
export interface OpenedLetter {
  readonly header: LetterHeader
  readonly signer: LetterSigner
  readonly subject?: string
  readonly body: Uint8Array
  readonly attachments: readonly LetterAttachment[]
}

function notARecipient(message: string): BaridError {
  return new BaridError('ERR_NOT_A_RECIPIENT', message)
}

/**
 * Verifies and decrypts a sealed letter.
 *
 * Errors: those of {@link inspectLetter}, and `ERR_NOT_A_RECIPIENT` (no entry for the key, or
 * `address` not among the letter's parties), `ERR_KEY_INVALID` (the key does not fit its entry),
 * `ERR_LETTER_TAMPERED` (wrapped key, commitment or ciphertext fails).
 *
 * @example
 * ```ts
 * const letter = await openLetter(bytes, { key: { privateKey, kid }, address: 'amina.hassan@post.eg', resolveSenderKey })
 * new TextDecoder().decode(letter.body)
 * ```
 */
export async function openLetter(
  bytes: Uint8Array,
  options: OpenLetterOptions,
): Promise<OpenedLetter> {
  const { privateKey, kid } = options.key
  const curve = agreementCurveOf(privateKey)
  if (!privateKey.usages.includes('deriveBits') && !privateKey.usages.includes('deriveKey')) {
    throw new BaridError('ERR_KEY_INVALID', 'the private key must allow deriveBits or deriveKey')
  }
  const v = await readLetter(
    bytes,
    {
      ...options,
      checkExpiry: options.checkExpiry ?? false,
      clockSkew: options.clockSkew ?? Number.POSITIVE_INFINITY,
    },
    { digest: false },
  )
  if (options.address !== undefined) {
    const me = parseMailboxAddress(options.address).address
    if (me !== v.header.sender && !v.header.recipients.includes(me)) {
      throw notARecipient('the letter is not addressed to this mailbox')
    }
  }
  const entry = v.payload.recipients.find((r) => r.kid !== undefined && bytesEqual(r.kid, kid))
  if (entry === undefined) throw notARecipient('the letter is not encrypted to this key')
  // The entry's ephemeral key was checked by readLetter; a curve mismatch is the caller's key.
  if (parseCoseKey(entry.headers.unprotected.get(ECDH_HEADER.ephemeralKey)).curve !== curve) {
    throw new BaridError(
      'ERR_KEY_INVALID',
      "the key is on a different curve than the letter's entry for its kid",
    )
  }
  try {
    const { cek, key } = await recoverCek(entry, { privateKey }, { alg: 3, bits: 256 })
    // Both need only the CEK; nothing decrypted is used unless the commitment matches.
    const [commitment, plaintext] = await Promise.all([
      keyCommitment(cek),
      decryptContent(v.payload, key ?? cek, v.protectedBytes),
    ])
    if (!timingSafeEqual(commitment, v.header.keyCommitment)) {
      throw new BaridError(
        'ERR_LETTER_TAMPERED',
        "the content key does not match the letter's key commitment",
      )
    }
    const content = parseLetterContent(plaintext, v.header.attachments)
    const attachments = v.header.attachments.map((ref, i) => ({
      ...ref,
      ...content.attachments[i]!,
    }))
    return {
      header: v.header,
      signer: v.signer,
      ...(content.subject === undefined ? {} : { subject: content.subject }),
      body: content.body,
      attachments,
    }
  } catch (e) {
    throw letterError(e, 'decrypt')
  }
}
