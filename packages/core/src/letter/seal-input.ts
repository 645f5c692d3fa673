/**
 * @module letter/seal-input
 * What a sender passes to {@link sealLetter}, and its checks: every field is checked against the
 * format's rules and limits (`spec/05-sealed-letter.md` sections 5.3, 5.4 and 5.9) before any
 * cryptography runs. Caller mistakes are `ERR_INVALID_ARGUMENT`, `ERR_ADDRESS_INVALID`,
 * `ERR_KEY_INVALID` or `ERR_INPUT_TOO_LARGE`.
 */
import { BaridError } from '../errors.js'
import { toHex } from '../bytes.js'
import { parseMailboxAddress, type MailboxAddress } from '../address/index.js'
import type { SignatureAlgorithm, SignatureAlgorithmId } from '../cose/algorithms.js'
import { agreementCurveOf, type AgreementCurve } from '../cose/cose-key.js'
import { signatureAlgorithmOfKey } from '../cose/signature.js'
import type { AttachmentSecret } from './content.js'
import {
  REGISTERED_CATEGORIES,
  termsProblem,
  type AttachmentRef,
  type LetterKind,
  type RegisteredCategory,
} from './header.js'
import { isLetterId, newLetterId, type LetterId } from './letter-id.js'
import {
  DEFAULT_LIFETIME,
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_BYTES,
  MAX_BODY_BYTES,
  MAX_CERT_BYTES,
  MAX_KEYS_PER_RECIPIENT,
  MAX_RECIPIENTS,
  MAX_TIME,
  MAX_X5CHAIN_CERTS,
} from './limits.js'
import {
  attachmentIdProblem,
  filenameProblem,
  langProblem,
  mediaTypeProblem,
  subjectProblem,
  titleProblem,
} from './syntax.js'

/** A public encryption key (P-256 or X25519 ECDH) and its 32-byte kid. */
export interface RecipientKey {
  publicKey: CryptoKey
  kid: Uint8Array
}

/** The sender of a letter. */
export interface SealSender {
  /** The sender's mailbox address. */
  address: string
  /** Ed25519 or ECDSA P-256 private key. */
  signingKey: CryptoKey
  /** kid of the signing key (32 bytes). */
  kid: Uint8Array
  /** Default: the signing key's algorithm. */
  alg?: SignatureAlgorithm
  /** The sender's certificate chain, leaf first (DER). Opaque here. */
  x5chain?: readonly Uint8Array[]
  /** The sender's own encryption key: the letter is encrypted to it too (the sent copy). */
  encryptionKey: RecipientKey
}

/** A recipient mailbox and the keys its devices hold. */
export interface SealRecipient {
  address: string
  /** 1 to 4 keys. */
  keys: readonly RecipientKey[]
}

/** An attachment already encrypted by the attachment format (`spec/06-attachments.md`). */
export interface SealAttachment extends AttachmentRef, AttachmentSecret {}

/** Randomness, injectable for test vectors only. */
export interface SealRandomness {
  letterId?: string
  /** 32 bytes. */
  cek?: Uint8Array
  /** 12 bytes. */
  iv?: Uint8Array
  /** The ephemeral key pair of COSE recipient `index` (recipients' keys in order, then the sender's). */
  ephemeralKeyPair?: (curve: AgreementCurve, index: number) => Promise<CryptoKeyPair>
}

/** Options for {@link sealLetter}. */
export interface SealLetterOptions {
  sender: SealSender
  recipients: readonly SealRecipient[]
  /** Default `letter`. */
  kind?: LetterKind
  /** Media type of the body. */
  contentType: string
  /** BCP 47 tag of the body's language. */
  lang: string
  /** Carried encrypted. */
  subject?: string
  body: Uint8Array
  attachments?: readonly SealAttachment[]
  threadId?: string
  replyTo?: string
  /** Registered mail: its category (spec 17.1). */
  category?: RegisteredCategory
  /** Seconds since the epoch: not shown to the recipient before then. */
  visibleFrom?: number
  /** A non-sensitive title notifications may show; it is visible to operators. */
  title?: string
  /** Seconds since the epoch: reply requested by then. */
  replyBy?: number
  /** Expiry, seconds since the epoch. Default 30 days after creation. */
  expires?: number
  /** Milliseconds since the epoch. Default `Date.now()`. */
  now?: number
  random?: SealRandomness
}

function invalid(message: string, field?: string): never {
  throw new BaridError(
    'ERR_INVALID_ARGUMENT',
    message,
    field === undefined ? undefined : { details: { field } },
  )
}

function tooLarge(message: string, limit: number): never {
  throw new BaridError('ERR_INPUT_TOO_LARGE', message, { details: { limit } })
}

function checkText(v: unknown, field: string, problem: (s: string) => string | undefined): string {
  if (typeof v !== 'string') invalid(`${field} must be a string`, field)
  const p = problem(v)
  if (p !== undefined) invalid(`${field} ${p}`, field)
  return v
}

function checkKid(kid: unknown, field: string): Uint8Array {
  if (!(kid instanceof Uint8Array) || kid.length !== 32)
    invalid(`${field} must be a 32-byte key id`, field)
  return kid
}

function checkId(v: string | undefined, field: string): LetterId | undefined {
  if (v !== undefined && !isLetterId(v)) invalid(`${field} must be a UUIDv7 letter id`, field)
  return v as LetterId | undefined
}

function checkAttachments(list: readonly SealAttachment[]): readonly SealAttachment[] {
  if (list.length > MAX_ATTACHMENTS)
    tooLarge(`more than ${MAX_ATTACHMENTS} attachments`, MAX_ATTACHMENTS)
  const ids = new Set<string>()
  for (const a of list) {
    checkText(a.id, 'attachments.id', attachmentIdProblem)
    if (ids.has(a.id)) invalid('attachment ids must be unique', 'attachments.id')
    ids.add(a.id)
    if (!(a.key instanceof Uint8Array) || a.key.length !== 32)
      invalid('attachment key must be 32 bytes', 'attachments.key')
    checkText(a.filename, 'attachments.filename', filenameProblem)
    checkText(a.mediaType, 'attachments.mediaType', mediaTypeProblem)
    if (!Number.isSafeInteger(a.size) || a.size < 0 || a.size > MAX_ATTACHMENT_BYTES)
      invalid('attachment size out of range', 'attachments.size')
    if (!(a.sha256 instanceof Uint8Array) || a.sha256.length !== 32)
      invalid('attachment sha256 must be 32 bytes', 'attachments.sha256')
  }
  return list
}

/** Every COSE recipient in order (recipients' keys, then the sender's own), with unique kids. */
function coseRecipientKeys(o: SealLetterOptions, addresses: MailboxAddress[]): RecipientKey[] {
  if (o.recipients.length === 0) invalid('a letter needs at least one recipient', 'recipients')
  if (o.recipients.length > MAX_RECIPIENTS)
    tooLarge(`more than ${MAX_RECIPIENTS} recipients`, MAX_RECIPIENTS)
  const keys: RecipientKey[] = []
  for (const r of o.recipients) {
    const a = parseMailboxAddress(r.address).address
    if (addresses.includes(a)) invalid('a recipient mailbox is listed twice', 'recipients')
    addresses.push(a)
    if (r.keys.length === 0) invalid('each recipient needs at least one key', 'recipients.keys')
    if (r.keys.length > MAX_KEYS_PER_RECIPIENT)
      tooLarge(`more than ${MAX_KEYS_PER_RECIPIENT} keys for one recipient`, MAX_KEYS_PER_RECIPIENT)
    keys.push(...r.keys)
  }
  keys.push(o.sender.encryptionKey)
  const seen = new Set<string>()
  for (const k of keys) {
    const kid = checkKid(k.kid, 'recipients.keys.kid')
    agreementCurveOf(k.publicKey)
    const s = toHex(kid)
    if (seen.has(s)) invalid('two encryption keys have the same kid', 'recipients.keys.kid')
    seen.add(s)
  }
  return keys
}

/** The input, checked and normalised. */
export interface CheckedSealInput {
  readonly alg: SignatureAlgorithmId
  readonly senderKid: Uint8Array
  readonly sender: MailboxAddress
  readonly recipients: MailboxAddress[]
  /** Every COSE recipient key in order: recipients' keys, then the sender's own. */
  readonly keys: RecipientKey[]
  readonly attachments: readonly SealAttachment[]
  readonly x5chain: readonly Uint8Array[] | undefined
  readonly id: LetterId
  readonly created: number
  readonly expires: number
  readonly kind: LetterKind
  readonly contentType: string
  readonly lang: string
  readonly subject: string | undefined
  readonly threadId: LetterId | undefined
  readonly replyTo: LetterId | undefined
  readonly category: RegisteredCategory | undefined
  readonly visibleFrom: number | undefined
  readonly title: string | undefined
  readonly replyBy: number | undefined
  readonly cek: Uint8Array
}

/** Checks a sealing request; see the module comment for the errors. */
export function checkSealInput(o: SealLetterOptions): CheckedSealInput {
  const alg = signatureAlgorithmOfKey(o.sender.signingKey, o.sender.alg)
  const senderKid = checkKid(o.sender.kid, 'sender.kid')
  if (!(o.body instanceof Uint8Array)) invalid('body must be a Uint8Array', 'body')
  if (o.body.length > MAX_BODY_BYTES)
    tooLarge(`body exceeds ${MAX_BODY_BYTES} bytes`, MAX_BODY_BYTES)
  const recipients: MailboxAddress[] = []
  const keys = coseRecipientKeys(o, recipients)
  const x5chain = o.sender.x5chain
  if (x5chain !== undefined) {
    if (x5chain.length === 0 || x5chain.length > MAX_X5CHAIN_CERTS) {
      invalid(`x5chain must hold 1 to ${MAX_X5CHAIN_CERTS} certificates`, 'sender.x5chain')
    }
    if (
      x5chain.some((c) => !(c instanceof Uint8Array) || c.length === 0 || c.length > MAX_CERT_BYTES)
    ) {
      invalid('x5chain certificates must be 1 byte to 16 KiB', 'sender.x5chain')
    }
  }
  const now = o.now ?? Date.now()
  const created = Math.floor(now / 1000)
  const expires = o.expires ?? created + DEFAULT_LIFETIME
  if (!Number.isSafeInteger(expires) || expires <= created || expires > MAX_TIME) {
    invalid('expires must be a time in seconds after now', 'expires')
  }
  const kind = o.kind ?? 'letter'
  if (kind !== 'letter' && kind !== 'registered')
    invalid('kind must be letter or registered', 'kind')
  const terms = checkTerms(o, kind, created, expires)
  const cek = o.random?.cek ?? crypto.getRandomValues(new Uint8Array(32))
  if (!(cek instanceof Uint8Array) || cek.length !== 32)
    invalid('the CEK must be 32 bytes', 'random.cek')
  return {
    alg,
    senderKid,
    sender: parseMailboxAddress(o.sender.address).address,
    recipients,
    keys,
    attachments: checkAttachments(o.attachments ?? []),
    x5chain,
    id: checkId(o.random?.letterId, 'random.letterId') ?? newLetterId(now),
    created,
    expires,
    kind,
    contentType: checkText(o.contentType, 'contentType', mediaTypeProblem),
    lang: checkText(o.lang, 'lang', langProblem),
    subject: o.subject === undefined ? undefined : checkText(o.subject, 'subject', subjectProblem),
    threadId: checkId(o.threadId, 'threadId'),
    replyTo: checkId(o.replyTo, 'replyTo'),
    ...terms,
    cek,
  }
}

function checkTerms(o: SealLetterOptions, kind: LetterKind, created: number, expires: number) {
  const time = (v: unknown, field: string): number | undefined => {
    if (v === undefined) return undefined
    if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > MAX_TIME)
      invalid(`${field} must be a time in seconds`, field)
    return v as number
  }
  if (o.category !== undefined && !REGISTERED_CATEGORIES.includes(o.category))
    invalid('category must be registered, proof-of-receipt or service-of-process', 'category')
  const terms = {
    category: o.category,
    visibleFrom: time(o.visibleFrom, 'visibleFrom'),
    title: o.title === undefined ? undefined : checkText(o.title, 'title', titleProblem),
    replyBy: time(o.replyBy, 'replyBy'),
  }
  const problem = termsProblem({ kind, created, expires, ...terms })
  if (problem !== undefined) invalid(problem[1], TERM_FIELDS[problem[0]] ?? problem[0])
  return terms
}

const TERM_FIELDS: Record<string, string> = {
  cat: 'category',
  nbf: 'visibleFrom',
  reply: 'replyBy',
}
