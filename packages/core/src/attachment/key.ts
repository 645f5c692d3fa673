/**
 * @module attachment/key
 * Attachment keys: a fresh random 256-bit key per attachment, carried inside the encrypted
 * letter body, and the payload key derived from it with HKDF-SHA256 (RFC 5869) so that the
 * AES-GCM key is bound to one attachment id and one header even if a key were ever reused.
 */
import { ATTACHMENT_KEY_BYTES, checkAttachmentKey } from './format.js'

/** A source of random bytes; injectable so tests and vectors can pin it. */
export type RandomBytes = (length: number) => Uint8Array

/** WebCrypto's CSPRNG, filled in 64 KiB steps (getRandomValues' limit). */
export function webCryptoRandom(length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i += 65_536) crypto.getRandomValues(out.subarray(i, i + 65_536))
  return out
}

/** Options for {@link generateAttachmentKey}. */
export interface GenerateAttachmentKeyOptions {
  /** Random source; defaults to `crypto.getRandomValues`. */
  random?: RandomBytes
}

/**
 * A new random 32-byte attachment key. Use one key per attachment, never twice.
 *
 * @example
 * ```ts
 * const key = generateAttachmentKey()
 * const enc = encryptAttachmentStream({ key, attachmentId: 'a1' })
 * ```
 */
export function generateAttachmentKey(options: GenerateAttachmentKeyOptions = {}): Uint8Array {
  return checkAttachmentKey((options.random ?? webCryptoRandom)(ATTACHMENT_KEY_BYTES))
}

/**
 * The AES-256-GCM key for one attachment: HKDF-SHA256 with an empty salt (RFC 5869 section
 * 2.2: HashLen zero bytes), IKM = the attachment key, info = the attachment context.
 */
export async function derivePayloadKey(
  key: Uint8Array,
  context: Uint8Array,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'HKDF', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: context as Uint8Array<ArrayBuffer>,
    },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  )
}
