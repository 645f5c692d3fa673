/**
 * @module letters/seal
 * Sealing a letter on the sender's own side (spec 05, 12): the content and the attachment keys
 * are encrypted to the recipients' certified keys and the sender's own key, and signed with
 * the sender's signing key. Nothing readable leaves the sender's process.
 */
import {
  BaridError,
  recipientKeys,
  sealLetter,
  toHex,
  utf8,
  type LetterHeader,
} from '../core.js'
import type { Recipient } from '../directory/lookup.js'
import type { PartyKeys } from '../keys/party-keys.js'
import { prepareAttachments, type AttachmentInput, type PreparedAttachment } from './attachments.js'

/** The content of a letter, as the caller writes it. */
export interface LetterContentInput {
  /** Default `letter`; `registered` makes the nodes issue evidence (spec 07). */
  kind?: 'letter' | 'registered'
  subject?: string
  /** Text (sent as UTF-8) or bytes of `contentType`. */
  body: string | Uint8Array
  /** Default `text/plain; charset=utf-8`. */
  contentType?: string
  /** BCP 47 language of the body; default the client's `lang`. */
  lang?: string
  attachments?: readonly AttachmentInput[]
  threadId?: string
  replyTo?: string
  /** When the letter expires; default 30 days after sealing. */
  expires?: Date
}

/** A sealed letter and its encrypted attachments, ready to submit (and to submit again). */
export interface SealedSubmission {
  readonly letterId: string
  /** SHA-256 of the sealed letter, hex. */
  readonly digest: string
  readonly bytes: Uint8Array
  readonly header: LetterHeader
  readonly attachments: readonly PreparedAttachment[]
}

/** An `active` directory answer. */
export type ActiveRecipient = Extract<Recipient, { status: 'active' }>

/**
 * Refuses a recipient that cannot receive: `ERR_RECIPIENT_EXEMPT`, `ERR_RECIPIENT_UNKNOWN`, or
 * `ERR_KEY_NOT_FOUND` when the mailbox has no certified encryption key yet.
 *
 * @example
 * ```ts
 * const r = requireActive(await client.lookup('dk:cpr:0101901234'), 'dk:cpr:0101901234')
 * ```
 */
export function requireActive(r: Recipient, what: string): ActiveRecipient {
  if (r.status === 'exempt')
    throw new BaridError('ERR_RECIPIENT_EXEMPT', 'the recipient is exempt from digital post', {
      details: { recipient: what },
    })
  if (r.status === 'unknown')
    throw new BaridError('ERR_RECIPIENT_UNKNOWN', 'the recipient has no mailbox', {
      details: { recipient: what },
    })
  if (r.encryptionKeys.length === 0)
    throw new BaridError('ERR_KEY_NOT_FOUND', 'the recipient has no encryption key yet', {
      details: { recipient: what },
    })
  return r
}

/** Options for {@link sealOutgoing}. */
export interface SealOutgoingOptions {
  sender: { address: string; keys: PartyKeys }
  recipients: readonly ActiveRecipient[]
  content: LetterContentInput
  lang: string
  now?: number
}

/**
 * Encrypts the attachments and seals the letter.
 *
 * @example
 * ```ts
 * const sealed = await sealOutgoing({ sender: { address: 'tax@post.eg', keys }, recipients: [lars], content: { body: 'Hello' }, lang: 'en' })
 * ```
 */
export async function sealOutgoing(o: SealOutgoingOptions): Promise<SealedSubmission> {
  const c = o.content
  const attachments = await prepareAttachments(c.attachments ?? [])
  const sealed = await sealLetter({
    sender: {
      address: o.sender.address,
      signingKey: o.sender.keys.signing.privateKey,
      kid: o.sender.keys.signing.kid,
      encryptionKey: {
        publicKey: o.sender.keys.encryption.publicKey,
        kid: o.sender.keys.encryption.kid,
      },
    },
    recipients: o.recipients.map((r) => ({
      address: r.address,
      // The newest four, as the directory lists them (spec 13.4).
      keys: recipientKeys(r.encryptionKeys).map((k) => ({
        publicKey: k.handle.publicKey,
        kid: k.handle.kid,
      })),
    })),
    kind: c.kind ?? 'letter',
    contentType: c.contentType ?? 'text/plain; charset=utf-8',
    lang: c.lang ?? o.lang,
    ...(c.subject === undefined ? {} : { subject: c.subject }),
    body: typeof c.body === 'string' ? utf8(c.body) : c.body,
    attachments: attachments.map((a) => a.seal),
    ...(c.threadId === undefined ? {} : { threadId: c.threadId }),
    ...(c.replyTo === undefined ? {} : { replyTo: c.replyTo }),
    ...(c.expires === undefined ? {} : { expires: Math.floor(c.expires.getTime() / 1000) }),
    ...(o.now === undefined ? {} : { now: o.now }),
  })
  return {
    letterId: sealed.id,
    digest: toHex(sealed.digest),
    bytes: sealed.bytes,
    header: sealed.header,
    attachments,
  }
}
