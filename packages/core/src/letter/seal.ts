/**
 * @module letter/seal
 * Sealing a letter (`spec/05-sealed-letter.md` section 5.5): encrypt the content to every
 * recipient key and the sender's own key under a fresh CEK, with the outer protected header
 * (letter header, key commitment, sender kid) as the AEAD's external AAD; then sign.
 */
import { BaridError } from '../errors.js'
import { sha256 } from '../bytes.js'
import { encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { agreementCurveOf } from '../cose/cose-key.js'
import { importCek } from '../cose/content.js'
import { encryptCose } from '../cose/encrypt.js'
import { HEADER } from '../cose/labels.js'
import type { RecipientOptions } from '../cose/recipient.js'
import { signSign1 } from '../cose/sign1.js'
import { keyCommitment } from './commitment.js'
import { encodeLetterContent } from './content.js'
import { BARID_LETTER_LABEL, encodeLetterHeader, type LetterHeader } from './header.js'
import type { LetterId } from './letter-id.js'
import { MAX_HEADER_BYTES, MAX_LETTER_BYTES } from './limits.js'
import { LETTER_PAYLOAD_CTY, LETTER_TYP } from './read.js'
import { checkSealInput, type SealLetterOptions } from './seal-input.js'

export type {
  RecipientKey,
  SealAttachment,
  SealLetterOptions,
  SealRandomness,
  SealRecipient,
  SealSender,
} from './seal-input.js'

/** A sealed letter. */
export interface SealedLetter {
  readonly bytes: Uint8Array
  readonly id: LetterId
  readonly header: LetterHeader
  /** SHA-256 of `bytes`: the letter's identity in evidence records. */
  readonly digest: Uint8Array
}

/**
 * Seals a letter: encrypts it to every recipient key and the sender's own key, binds the signed
 * header into the encryption, and signs.
 *
 * @example
 * ```ts
 * const { bytes, id, digest } = await sealLetter({
 *   sender: { address: 'skat@digitalpost.dk', signingKey, kid, encryptionKey: { publicKey: ownKey, kid: ownKid } },
 *   recipients: [{ address: 'amina.hassan@post.eg', keys: [{ publicKey, kid: recipientKid }] }],
 *   contentType: 'text/plain; charset=utf-8', lang: 'da', subject: 'Årsopgørelse', body: utf8('Hej'),
 * })
 * ```
 */
export async function sealLetter(o: SealLetterOptions): Promise<SealedLetter> {
  const c = checkSealInput(o)
  const [cekKey, commitment] = await Promise.all([
    importCek(c.cek, ['encrypt'], true),
    keyCommitment(c.cek),
  ])
  const header: LetterHeader = {
    v: 1,
    id: c.id,
    sender: c.sender,
    recipients: c.recipients,
    created: c.created,
    expires: c.expires,
    kind: c.kind,
    contentType: c.contentType,
    lang: c.lang,
    ...(c.threadId === undefined ? {} : { threadId: c.threadId }),
    ...(c.replyTo === undefined ? {} : { replyTo: c.replyTo }),
    ...(c.category === undefined ? {} : { category: c.category }),
    ...(c.visibleFrom === undefined ? {} : { visibleFrom: c.visibleFrom }),
    ...(c.title === undefined ? {} : { title: c.title }),
    ...(c.replyBy === undefined ? {} : { replyBy: c.replyBy }),
    attachments: c.attachments.map((a) => ({ id: a.id, size: a.size, sha256: a.sha256 })),
    keyCommitment: commitment,
  }
  const prot = new Map<CborKey, CborValue>([
    [HEADER.alg, c.alg],
    [HEADER.crit, [BARID_LETTER_LABEL]],
    [HEADER.contentType, LETTER_PAYLOAD_CTY],
    [HEADER.kid, c.senderKid],
    [HEADER.typ, LETTER_TYP],
    [BARID_LETTER_LABEL, encodeLetterHeader(header)],
  ])
  if (c.x5chain !== undefined) {
    prot.set(HEADER.x5chain, c.x5chain.length === 1 ? c.x5chain[0]! : [...c.x5chain])
  }
  const protectedBytes = encodeCanonical(prot)
  if (protectedBytes.length > MAX_HEADER_BYTES) {
    tooLarge(`protected header exceeds ${MAX_HEADER_BYTES} bytes`, MAX_HEADER_BYTES)
  }
  const plaintext = encodeCanonical(
    encodeLetterContent({
      body: o.body,
      ...(c.subject === undefined ? {} : { subject: c.subject }),
      attachments: c.attachments.map((a) => ({
        id: a.id,
        key: a.key,
        filename: a.filename,
        mediaType: a.mediaType,
      })),
    }),
  )
  const ephemeral = o.random?.ephemeralKeyPair
  const recipients: RecipientOptions[] =
    ephemeral === undefined
      ? c.keys.map((k) => ({ publicKey: k.publicKey, kid: k.kid }))
      : await Promise.all(
          c.keys.map(async (k, i) => ({
            publicKey: k.publicKey,
            kid: k.kid,
            ephemeralKeyPair: await ephemeral(agreementCurveOf(k.publicKey), i),
          })),
        )
  const payload = await encryptCose({
    plaintext,
    cek: cekKey,
    iv: o.random?.iv,
    externalAad: protectedBytes,
    recipients,
  })
  const bytes = await signSign1({
    payload,
    key: o.sender.signingKey,
    alg: o.sender.alg,
    protectedHeader: protectedBytes,
  })
  if (bytes.length > MAX_LETTER_BYTES) {
    tooLarge(`sealed letter exceeds ${MAX_LETTER_BYTES} bytes`, MAX_LETTER_BYTES)
  }
  return { bytes, id: c.id, header, digest: await sha256(bytes) }
}

function tooLarge(message: string, limit: number): never {
  throw new BaridError('ERR_INPUT_TOO_LARGE', message, { details: { limit } })
}
