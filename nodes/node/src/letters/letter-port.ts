/**
 * @module letters/letter-port
 * What the node needs to know about a sealed letter, and the one function that tells it:
 * {@link LetterInspector} verifies the sender's signature and returns the routing header and the
 * letter digest, without decrypting anything (an operator cannot). The implementation is
 * core's `inspectLetter` (see `core-letters.ts`).
 */
import type { AttachmentRef, LetterKind } from '../storage/types.js'

/** The verified, routable facts of a letter (from its signed protected header). */
export interface LetterHeaderView {
  /** Canonical text of the letter id. */
  id: string
  /** Sender mailbox address. */
  sender: string
  /** Key id (base64url thumbprint) of the key that signed the letter. */
  senderKid: string
  recipients: string[]
  kind: LetterKind
  /** Milliseconds since the epoch. */
  created: number
  expires: number | null
  threadId: string | null
  replyTo: string | null
  /** BCP 47 tag of the body. */
  lang: string
  attachments: AttachmentRef[]
  /** Delivery terms (spec 05, 5.3), when the header has any; times in ms. */
  terms?: {
    category?: 'registered' | 'proof-of-receipt' | 'service-of-process'
    visibleFrom?: number
    title?: string
    replyBy?: number
  }
}

export interface InspectedLetter {
  header: LetterHeaderView
  /** Lower-case hex of the letter digest (what evidence records name). */
  digest: string
}

/**
 * Finds the public key that signed a letter: the key registered for `sender` with id `kid`.
 * Returns undefined when there is none (the letter is then refused).
 */
export type SenderKeyResolver = (sender: string, kid: string) => Promise<CryptoKey | undefined>

export interface LetterInspector {
  /**
   * Verifies and reads a sealed letter. Throws `ERR_LETTER_*`, `ERR_SIGNATURE_INVALID`,
   * `ERR_SENDER_MISMATCH`, `ERR_CBOR_*` or `ERR_KEY_NOT_FOUND`.
   */
  inspect(bytes: Uint8Array, resolveSenderKey: SenderKeyResolver): Promise<InspectedLetter>
}
