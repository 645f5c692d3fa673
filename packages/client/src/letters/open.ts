/**
 * @module letters/open
 * Opening a letter on the recipient's device (spec 05, 06, 13.5): verify the sender's
 * signature with a signing key the sender's operator certified for the sender's address,
 * decrypt with the device's own key, and decrypt each attachment as a stream whose ciphertext
 * is checked against the digest in the signed header.
 */
import {
  BaridError,
  bytesEqual,
  decryptAttachmentStream,
  openLetter,
  toBase64Url,
  verifyCiphertextDigest,
  type LetterHeader,
} from '../core.js'
import type { CertifiedKey } from '../keys/key-certificate.js'
import type { PartyKeys } from '../keys/party-keys.js'

/** An attachment of an opened letter. */
export interface OpenedAttachment {
  readonly index: number
  readonly id: string
  readonly filename: string
  readonly mediaType: string
  /** Ciphertext size (from the signed header). */
  readonly size: number
  /**
   * Downloads and decrypts the attachment as a stream. Its content is provisional until the
   * stream ends without error (a truncated or changed ciphertext fails at the end at the latest).
   */
  stream(): Promise<ReadableStream<Uint8Array>>
  /** Downloads and decrypts the whole attachment into memory. */
  bytes(): Promise<Uint8Array>
}

/** A letter opened on the device. */
export interface OpenedMail {
  readonly letterId: string
  readonly header: LetterHeader
  readonly sender: string
  readonly kind: 'letter' | 'registered'
  readonly subject: string | undefined
  readonly body: Uint8Array
  /** The body as text (UTF-8). */
  text(): string
  readonly attachments: readonly OpenedAttachment[]
}

/** Options for {@link openIncoming}. */
export interface OpenIncomingOptions {
  keys: PartyKeys
  /** The opener's mailbox: the letter must be addressed to it (or sent from it). */
  address: string
  /** Certified signing keys of a sender address (from a directory lookup). */
  signingKeysOf(address: string): Promise<readonly CertifiedKey[]>
  /** The ciphertext of attachment `index`. */
  download(index: number): Promise<ReadableStream<Uint8Array>>
  now?: number
}

async function collect(s: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const out = new Uint8Array(max)
  let at = 0
  const reader = s.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return out.subarray(0, at)
    if (at + value.length > max)
      throw new BaridError(
        'ERR_ATTACHMENT_MISMATCH',
        'attachment plaintext is longer than its ciphertext allows',
      )
    out.set(value, at)
    at += value.length
  }
}

/**
 * Verifies and decrypts a sealed letter with the device's keys.
 *
 * @example
 * ```ts
 * const mail = await openIncoming(bytes, { keys, address: me, signingKeysOf, download })
 * console.log(mail.subject, mail.text())
 * const pdf = await mail.attachments[0]!.bytes()
 * ```
 */
export async function openIncoming(bytes: Uint8Array, o: OpenIncomingOptions): Promise<OpenedMail> {
  const opened = await openLetter(bytes, {
    key: { privateKey: o.keys.encryption.privateKey, kid: o.keys.encryption.kid },
    address: o.address,
    ...(o.now === undefined ? {} : { now: o.now }),
    resolveSenderKey: async (kid, header) => {
      const keys = await o.signingKeysOf(header.sender)
      // verifyKeyCertificate already bound each key to this address; match by kid.
      const k = keys.find((c) => bytesEqual(c.handle.kid, kid))
      if (!k)
        throw new BaridError(
          'ERR_KEY_NOT_FOUND',
          'the sender has no certified signing key with that kid',
          { details: { kid: toBase64Url(kid) } },
        )
      return k.handle.publicKey
    },
  })
  const attachments = opened.attachments.map((a, index): OpenedAttachment => {
    const stream = async () =>
      (await o.download(index))
        .pipeThrough(verifyCiphertextDigest({ size: a.size, sha256: a.sha256 }))
        // decryptAttachmentStream wipes the key it is given: keep ours for the next call.
        .pipeThrough(decryptAttachmentStream({ key: a.key.slice(), attachmentId: a.id }))
    return {
      index,
      id: a.id,
      filename: a.filename,
      mediaType: a.mediaType,
      size: a.size,
      stream,
      bytes: async () => collect(await stream(), a.size),
    }
  })
  const body = opened.body
  return {
    letterId: opened.header.id,
    header: opened.header,
    sender: opened.header.sender,
    kind: opened.header.kind,
    subject: opened.subject,
    body,
    text: () => new TextDecoder().decode(body),
    attachments,
  }
}
