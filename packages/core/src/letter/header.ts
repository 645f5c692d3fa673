/**
 * @module letter/header
 * The letter header (`spec/05-sealed-letter.md` section 5.3): what an operator needs to route
 * and account for a letter, signed by the sender and bound into the encryption. It travels in
 * the outer COSE_Sign1's protected header under the private-use label -65537 (`barid_letter`).
 * Sensitive metadata (subject, file names) is not here but inside the encrypted content.
 */
import { BaridError } from '../errors.js'
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { parseMailboxAddress, type MailboxAddress } from '../address/index.js'
import { letterIdFromBytes, letterIdToBytes, type LetterId } from './letter-id.js'
import { MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES, MAX_RECIPIENTS, MAX_TIME } from './limits.js'
import { attachmentIdProblem, langProblem, mediaTypeProblem, titleProblem } from './syntax.js'

/** The COSE header label of the letter header (private use, RFC 9052 section 16.2). */
export const BARID_LETTER_LABEL = -65537

/** `letter` is ordinary mail; `registered` asks every node for evidence records (section 07). */
export type LetterKind = 'letter' | 'registered'
export const LETTER_KINDS: readonly LetterKind[] = ['letter', 'registered']

/**
 * The category of registered mail (`spec/17-registered-mail.md` 17.1): what the sender must be
 * able to prove, and what happens when the recipient does not open the letter in time.
 */
export type RegisteredCategory = 'registered' | 'proof-of-receipt' | 'service-of-process'
export const REGISTERED_CATEGORIES: readonly RegisteredCategory[] = [
  'registered',
  'proof-of-receipt',
  'service-of-process',
]

/** One attachment as the header lists it: what an operator can check without decrypting. */
export interface AttachmentRef {
  /** Unique within the letter. */
  readonly id: string
  /** Size of the attachment's ciphertext stream, in bytes (`spec/06-attachments.md` 6.3). */
  readonly size: number
  /** Digest of the attachment's ciphertext stream as `spec/06-attachments.md` 6.8 defines it. */
  readonly sha256: Uint8Array
}

/** The letter header, as signed. */
export interface LetterHeader {
  /** Protocol version; this document defines 1. */
  readonly v: 1
  readonly id: LetterId
  readonly sender: MailboxAddress
  /** 1 to 1,000 distinct mailboxes, in the sender's order. */
  readonly recipients: readonly MailboxAddress[]
  /** Seconds since the epoch. */
  readonly created: number
  /** Seconds since the epoch; later than `created`. */
  readonly expires: number
  readonly kind: LetterKind
  /** Media type of the body, e.g. `application/pdf`. */
  readonly contentType: string
  /** BCP 47 language tag of the body, e.g. `ar`. */
  readonly lang: string
  readonly threadId?: LetterId
  readonly replyTo?: LetterId
  /** Registered mail only: its category (absent means `registered`). */
  readonly category?: RegisteredCategory
  /** Seconds since the epoch: the recipient's node shows the letter from then on, not before. */
  readonly visibleFrom?: number
  /** A non-sensitive title that notifications may show (never personal data). */
  readonly title?: string
  /** Seconds since the epoch: the date by which the sender asks for a reply. */
  readonly replyBy?: number
  readonly attachments: readonly AttachmentRef[]
  /** SHA-256("barid-cek-commit-v1" || CEK): commits the letter to one content key (section 5.6). */
  readonly keyCommitment: Uint8Array
}

// Wire keys (section 5.3).
const K = {
  v: 'v',
  id: 'id',
  sender: 'from',
  recipients: 'to',
  created: 'created',
  expires: 'expires',
  kind: 'kind',
  contentType: 'ct',
  lang: 'lang',
  threadId: 'thread',
  replyTo: 're',
  attachments: 'att',
  keyCommitment: 'commit',
  category: 'cat',
  visibleFrom: 'nbf',
  title: 'title',
  replyBy: 'reply',
} as const
const HEADER_KEYS: readonly CborKey[] = Object.values(K)
const ATT_KEYS: readonly CborKey[] = ['id', 'size', 'sha256']

/** The header as the CBOR map that is signed (the caller encodes it canonically). */
export function encodeLetterHeader(h: LetterHeader): Map<CborKey, CborValue> {
  const m = new Map<CborKey, CborValue>([
    [K.v, h.v],
    [K.id, letterIdToBytes(h.id)],
    [K.sender, h.sender],
    [K.recipients, [...h.recipients]],
    [K.created, h.created],
    [K.expires, h.expires],
    [K.kind, h.kind],
    [K.contentType, h.contentType],
    [K.lang, h.lang],
    [
      K.attachments,
      h.attachments.map(
        (a) =>
          new Map<CborKey, CborValue>([
            ['id', a.id],
            ['size', a.size],
            ['sha256', a.sha256],
          ]),
      ),
    ],
    [K.keyCommitment, h.keyCommitment],
  ])
  if (h.threadId !== undefined) m.set(K.threadId, letterIdToBytes(h.threadId))
  if (h.replyTo !== undefined) m.set(K.replyTo, letterIdToBytes(h.replyTo))
  if (h.category !== undefined) m.set(K.category, h.category)
  if (h.visibleFrom !== undefined) m.set(K.visibleFrom, h.visibleFrom)
  if (h.title !== undefined) m.set(K.title, h.title)
  if (h.replyBy !== undefined) m.set(K.replyBy, h.replyBy)
  return m
}

function malformed(message: string, field: string, cause?: unknown): never {
  throw new BaridError('ERR_LETTER_MALFORMED', `letter header: ${message}`, {
    cause,
    details: { field },
  })
}

function address(v: CborValue | undefined, field: string): MailboxAddress {
  try {
    return parseMailboxAddress(v, { canonical: true }).address
  } catch (cause) {
    return malformed(`${field} must be a canonical mailbox address`, field, cause)
  }
}

function letterId(r: MapReader, key: string): LetterId {
  const b = r.bytes(key, { exact: 16 })
  try {
    return letterIdFromBytes(b)
  } catch (cause) {
    return malformed(`${key} must be a UUIDv7`, key, cause)
  }
}

function checkText(
  r: MapReader,
  key: string,
  problem: (v: string) => string | undefined,
  max: number,
): string {
  const v = r.text(key, max)
  const p = problem(v)
  if (p !== undefined) malformed(`${key} ${p}`, key)
  return v
}

/**
 * Parses a letter header from its decoded CBOR map, checking every field and bound. Unknown
 * fields are refused. `ERR_UNSUPPORTED_VERSION` for a version other than 1, else
 * `ERR_LETTER_MALFORMED`.
 *
 * @example
 * ```ts
 * const header = parseLetterHeader(protectedHeader.get(BARID_LETTER_LABEL))
 * ```
 */
export function parseLetterHeader(value: CborValue | undefined): LetterHeader {
  const r = MapReader.of(value ?? null, 'ERR_LETTER_MALFORMED', 'letter header')
  const v = r.raw(K.v)
  if (v !== 1) {
    throw new BaridError(
      'ERR_UNSUPPORTED_VERSION',
      `letter header version ${String(v)} is not supported`,
      {
        details: { field: 'v' },
      },
    )
  }
  r.only(HEADER_KEYS)
  const to = r.array(K.recipients, MAX_RECIPIENTS)
  if (to.length === 0) malformed('to must list at least one recipient', K.recipients)
  const recipients = to.map((a) => address(a, K.recipients))
  if (new Set(recipients).size !== recipients.length)
    malformed('to must not repeat a mailbox', K.recipients)
  const created = r.int(K.created, 0, MAX_TIME)
  const expires = r.int(K.expires, 0, MAX_TIME)
  if (expires <= created) malformed('expires must be later than created', K.expires)
  const attachments = r.array(K.attachments, MAX_ATTACHMENTS).map((a) => {
    const ar = MapReader.of(a, 'ERR_LETTER_MALFORMED', 'letter header attachment').only(ATT_KEYS)
    return {
      id: checkText(ar, 'id', attachmentIdProblem, 64),
      size: ar.int('size', 0, MAX_ATTACHMENT_BYTES),
      sha256: ar.bytes('sha256', { exact: 32 }),
    }
  })
  if (new Set(attachments.map((a) => a.id)).size !== attachments.length)
    malformed('attachment ids must be unique', K.attachments)
  const header: LetterHeader = {
    v: 1,
    id: letterId(r, K.id),
    sender: address(r.raw(K.sender), K.sender),
    recipients,
    created,
    expires,
    kind: r.oneOf(K.kind, LETTER_KINDS),
    contentType: checkText(r, K.contentType, mediaTypeProblem, 255),
    lang: checkText(r, K.lang, langProblem, 35),
    attachments,
    keyCommitment: r.bytes(K.keyCommitment, { exact: 32 }),
  }
  const threadId = r.has(K.threadId) ? letterId(r, K.threadId) : undefined
  const replyTo = r.has(K.replyTo) ? letterId(r, K.replyTo) : undefined
  const category = r.has(K.category) ? r.oneOf(K.category, REGISTERED_CATEGORIES) : undefined
  const visibleFrom = r.has(K.visibleFrom) ? r.int(K.visibleFrom, 0, MAX_TIME) : undefined
  const title = r.has(K.title) ? checkText(r, K.title, titleProblem, 4 * 120) : undefined
  const replyBy = r.has(K.replyBy) ? r.int(K.replyBy, 0, MAX_TIME) : undefined
  const kind = header.kind
  const problem = termsProblem({ kind, created, expires, category, visibleFrom, replyBy })
  if (problem !== undefined) malformed(problem[1], problem[0])
  // Optional fields are absent, not undefined, when the letter leaves them out (same key order
  // as before: the required fields, then these).
  const out: { -readonly [K in keyof LetterHeader]: LetterHeader[K] } = header
  if (threadId !== undefined) out.threadId = threadId
  if (replyTo !== undefined) out.replyTo = replyTo
  if (category !== undefined) out.category = category
  if (visibleFrom !== undefined) out.visibleFrom = visibleFrom
  if (title !== undefined) out.title = title
  if (replyBy !== undefined) out.replyBy = replyBy
  return out
}

/**
 * Why the delivery terms (category, visibility, reply date) break a rule of 5.3, as
 * `[wire key, reason]`, or undefined. Shared by the sealer and the reader.
 */
export function termsProblem(h: {
  kind: LetterKind
  created: number
  expires: number
  category?: RegisteredCategory | undefined
  visibleFrom?: number | undefined
  replyBy?: number | undefined
}): [string, string] | undefined {
  if (h.category !== undefined && h.kind !== 'registered')
    return [K.category, 'a category is given only for registered mail']
  if (h.visibleFrom !== undefined && (h.visibleFrom < h.created || h.visibleFrom >= h.expires))
    return [K.visibleFrom, 'nbf must be from created and before expires']
  if (h.replyBy !== undefined && h.replyBy <= h.created)
    return [K.replyBy, 'reply must be later than created']
  if (h.replyBy !== undefined && h.visibleFrom !== undefined && h.replyBy <= h.visibleFrom)
    return [K.replyBy, 'reply must be later than nbf']
  return undefined
}
