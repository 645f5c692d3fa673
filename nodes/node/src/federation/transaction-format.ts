/**
 * @module federation/transaction-format
 * The JSON body of `PUT /v1/federation/transactions/{txid}` and of its response (spec 11.4),
 * with a strict parser for the request (a peer is authenticated, not trusted to be well formed).
 */
import { BaridError, fromBase64Url } from '../core.js'
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
        if (!['letter', 'recipients', 'deliverBefore', 'senderCertificate', 'evidence'].includes(k))
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
