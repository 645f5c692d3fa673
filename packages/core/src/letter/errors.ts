/**
 * @module letter/errors
 * Maps errors of the layers below (CBOR, COSE, addresses) to the letter's codes, so a caller
 * handling a sealed letter sees `ERR_LETTER_MALFORMED` or `ERR_LETTER_TAMPERED` rather than the
 * name of whichever layer noticed (`spec/05-sealed-letter.md` 5.7, codes of the layers below).
 */
import { BaridError, type BaridErrorCode } from '../errors.js'

/** Which step failed: reading the structure, checking the signature, or decrypting. */
export type LetterPhase = 'structure' | 'signature' | 'decrypt'

const MALFORMED: ReadonlySet<BaridErrorCode> = new Set<BaridErrorCode>([
  'ERR_COSE_MALFORMED',
  'ERR_ADDRESS_INVALID',
  'ERR_INVALID_ARGUMENT',
])

/** The letter-level error for `e` thrown during `phase`. */
export function letterError(e: unknown, phase: LetterPhase): BaridError {
  if (!(e instanceof BaridError)) {
    return new BaridError('ERR_INTERNAL', 'unexpected failure while reading a letter', { cause: e })
  }
  const code = e.code
  const details = { ...e.details, cause: code }
  if (code.startsWith('ERR_CBOR_') || MALFORMED.has(code)) {
    return new BaridError('ERR_LETTER_MALFORMED', `sealed letter is malformed: ${e.message}`, {
      cause: e,
      details,
    })
  }
  if (code === 'ERR_SIGNATURE_INVALID' || code === 'ERR_DECRYPT_FAILED') {
    return new BaridError(
      'ERR_LETTER_TAMPERED',
      'sealed letter does not verify or decrypt: it was changed after sealing',
      {
        cause: e,
        details,
      },
    )
  }
  if (code === 'ERR_KEY_INVALID') {
    // Structure: the letter's own ephemeral key is unusable (5.7 step 6). Signature: the
    // protected alg does not fit the sender's key, i.e. the alg was changed (5.7 step 4).
    // Decrypt: the key agreement failed, which for a well-formed ephemeral key means an all-zero
    // shared secret (a small-order X25519 point), a failure of 5.8 step 4 like any other there.
    // Callers' own keys are checked before any of these.
    return phase === 'structure'
      ? new BaridError('ERR_LETTER_MALFORMED', `sealed letter is malformed: ${e.message}`, {
          cause: e,
          details,
        })
      : new BaridError(
          'ERR_LETTER_TAMPERED',
          phase === 'signature'
            ? "the letter's algorithm does not fit the sender's key"
            : "the letter's ephemeral key gives no usable shared secret",
          { cause: e, details },
        )
  }
  return e
}
