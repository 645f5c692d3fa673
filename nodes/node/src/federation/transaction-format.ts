/**
 * @module federation/transaction-format
 * The JSON body of `PUT /v1/federation/transactions/{txid}` and of its response (spec 11.4),
 * with a strict parser for the request (a peer is authenticated, not trusted to be well formed).
 */
import { BaridError, fromBase64Url, parseSenderDisplay, type SenderDisplay } from '../core.js'
import { mutant } from '../test-control/mutants.js'

/** At most this many letters plus evidence items in one transaction. */
export const MAX_TRANSACTION_ITEMS = 100

export interface TxLetter {
  /** The sealed letter. */
  letter: Uint8Array
  /** The recipients, served by the receiving node, this transaction delivers the letter to. */
  recipients: string[]
  /** After this time the receiving node must not deliver it (ms). */
  deliverBefore: number
  /** The sending node's certification of the sender's signing key (spec 13.4). */
  senderCertificate: string
  /** Evidence so far (registered mail: the submission record), oldest first. */
  evidence: Uint8Array[]
  /** The sender's display names as its operator registered them (spec 11.4), or null. */
  senderDisplay: SenderDisplay | null
}

export interface TxEvidence {
  record: Uint8Array
}

export interface Transaction {
  letters: TxLetter[]
  evidence: TxEvidence[]
}

export type RecipientOutcome = 'delivered' | 'not-delivered' | 'retry'

export interface TxRecipientResult {
  address: string
  status: RecipientOutcome
  code?: string
  /** base64url evidence records issued for this recipient (registered mail). */
  evidence: string[]
}

export interface TxLetterResult {
  index: number
  id: string | null
  recipients: TxRecipientResult[]
  /** Set when the entry as a whole was refused (then every recipient has this status). */
  code?: string
}

export interface TxEvidenceResult {
  index: number
  status: 'accepted' | 'rejected'
  code?: string
}

export interface TransactionResponse {
  letters: TxLetterResult[]
  evidence: TxEvidenceResult[]
}

const LETTER_MEMBERS = [
  'letter',
  'recipients',
  'deliverBefore',
  'senderCertificate',
  'evidence',
  'senderDisplay',
]

function fail(what: string): never {
  throw new BaridError('ERR_INVALID_ARGUMENT', `transaction: ${what}`)
}

function b64(v: unknown, what: string, max: number): Uint8Array {
  if (typeof v !== 'string' || v.length > Math.ceil((max * 4) / 3) + 4)
    fail(`${what} must be base64url of at most ${max} bytes`)
  return fromBase64Url(v)
}

function time(v: unknown, what: string): number {
  if (typeof v !== 'string' || v.length > 40) fail(`${what} must be an RFC 3339 time`)
  const t = Date.parse(v)
  if (!Number.isFinite(t)) fail(`${what} must be an RFC 3339 time`)
  return t
}

/**
 * Parses a transaction body.
 *
 * @example
 * ```ts
 * const tx = parseTransaction(JSON.parse(text), { maxLetterBytes: 1 << 20 })
 * ```
 */
export function parseTransaction(json: unknown, limits: { maxLetterBytes: number }): Transaction {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('must be an object')
  const o = json as Record<string, unknown>
  for (const k of Object.keys(o))
    if (k !== 'letters' && k !== 'evidence') fail(`unknown member ${k}`)
  const letters = o.letters ?? []
  const evidence = o.evidence ?? []
  if (!Array.isArray(letters) || !Array.isArray(evidence))
    fail('letters and evidence must be arrays')
  if (letters.length + evidence.length === 0) fail('is empty')
  if (letters.length + evidence.length > MAX_TRANSACTION_ITEMS && !mutant('accept-oversized-batch')) {
    throw new BaridError(
      'ERR_INPUT_TOO_LARGE',
      `a transaction holds at most ${MAX_TRANSACTION_ITEMS} items`,
      { details: { limit: MAX_TRANSACTION_ITEMS } },
    )
  }
  return {
    letters: letters.map((raw, i): TxLetter => {
      if (typeof raw !== 'object' || raw === null) fail(`letters[${i}] must be an object`)
      const l = raw as Record<string, unknown>
      for (const k of Object.keys(l))
        if (!LETTER_MEMBERS.includes(k))
          fail(`letters[${i}] has unknown member ${k}`)
      const rec = l.recipients
      if (
        !Array.isArray(rec) ||
        rec.length === 0 ||
        rec.length > 1000 ||
        !rec.every((r) => typeof r === 'string' && r.length <= 320)
      )
        fail(`letters[${i}].recipients must be addresses`)
      const ev = l.evidence ?? []
      if (!Array.isArray(ev) || ev.length > 16)
        fail(`letters[${i}].evidence must be an array of at most 16 records`)
      if (typeof l.senderCertificate !== 'string' || l.senderCertificate.length > 8192)
        fail(`letters[${i}].senderCertificate must be a string`)
      return {
        letter: b64(l.letter, `letters[${i}].letter`, limits.maxLetterBytes),
        recipients: rec as string[],
        deliverBefore: time(l.deliverBefore, `letters[${i}].deliverBefore`),
        senderCertificate: l.senderCertificate,
        evidence: ev.map((e, j) => b64(e, `letters[${i}].evidence[${j}]`, 64 * 1024)),
        senderDisplay:
          l.senderDisplay === undefined
            ? null
            : parseSenderDisplay(l.senderDisplay, `transaction: letters[${i}].senderDisplay`),
      }
    }),
    evidence: evidence.map((raw, i): TxEvidence => {
      if (typeof raw !== 'object' || raw === null) fail(`evidence[${i}] must be an object`)
      const e = raw as Record<string, unknown>
      for (const k of Object.keys(e))
        if (k !== 'record') fail(`evidence[${i}] has unknown member ${k}`)
      return { record: b64(e.record, `evidence[${i}].record`, 64 * 1024) }
    }),
  }
}

const OUTCOMES: readonly string[] = ['delivered', 'not-delivered', 'retry']

function str(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) fail(`${what} must be a string of at most ${max}`)
  return v
}

function optStr(v: unknown, what: string, max: number): string | undefined {
  return v === undefined ? undefined : str(v, what, max)
}

function index(v: unknown, what: string, count: number): number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= count)
    fail(`${what} must be the index of an item sent (0 to ${count - 1})`)
  return v as number
}

function list(v: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length > max) fail(`${what} must be an array of at most ${max}`)
  return v
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be an object`)
  return v as Record<string, unknown>
}

/**
 * Checks a peer's `200` answer to a transaction of `sent` letters and evidence items (spec
 * 11.4) before the sending node acts on it: an answer is only as trustworthy as its shape.
 * Members it does not know are ignored; everything it reads is bounded and typed.
 *
 * @example
 * ```ts
 * const answer = parseTransactionResponse(res.json(), { letters: 2, evidence: 0 })
 * ```
 */
export function parseTransactionResponse(
  json: unknown,
  sent: { letters: number; evidence: number },
): TransactionResponse {
  const o = obj(json, 'answer')
  const letters = list(o.letters ?? [], 'letters', MAX_TRANSACTION_ITEMS).map((raw, i) => {
    const l = obj(raw, `letters[${i}]`)
    const code = optStr(l.code, `letters[${i}].code`, 64)
    const id = l.id === null || l.id === undefined ? null : str(l.id, `letters[${i}].id`, 128)
    const recipients = list(l.recipients, `letters[${i}].recipients`, 1000).map((rr, j) => {
      const at = `letters[${i}].recipients[${j}]`
      const r = obj(rr, at)
      if (typeof r.status !== 'string' || !OUTCOMES.includes(r.status))
        fail(`${at}.status must be one of ${OUTCOMES.join(', ')}`)
      const evidence = list(r.evidence ?? [], `${at}.evidence`, 16).map((e, k) =>
        str(e, `${at}.evidence[${k}]`, 90_000),
      )
      const rcode = optStr(r.code, `${at}.code`, 64)
      return {
        address: str(r.address, `${at}.address`, 320),
        status: r.status as RecipientOutcome,
        evidence,
        ...(rcode === undefined ? {} : { code: rcode }),
      }
    })
    return {
      index: index(l.index, `letters[${i}].index`, sent.letters),
      id,
      recipients,
      ...(code === undefined ? {} : { code }),
    }
  })
  const evidence = list(o.evidence ?? [], 'evidence', MAX_TRANSACTION_ITEMS).map((raw, i) => {
    const e = obj(raw, `evidence[${i}]`)
    if (e.status !== 'accepted' && e.status !== 'rejected')
      fail(`evidence[${i}].status must be accepted or rejected`)
    const code = optStr(e.code, `evidence[${i}].code`, 64)
    return {
      index: index(e.index, `evidence[${i}].index`, sent.evidence),
      status: e.status,
      ...(code === undefined ? {} : { code }),
    } satisfies TxEvidenceResult
  })
  return { letters, evidence }
}
