/**
 * @module evidence/create
 * Issuing an evidence record: a COSE_Sign1 by the node's evidence key over the canonical record
 * (`spec/07-evidence.md` section 7.1).
 */
import { BaridError } from '../errors.js'
import { sha256 } from '../bytes.js'
import { encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { parseMailboxAddress, parseOperatorId } from '../address/index.js'
import type { SignatureAlgorithm } from '../cose/algorithms.js'
import { HEADER } from '../cose/labels.js'
import { signatureAlgorithmOfKey } from '../cose/signature.js'
import { signSign1 } from '../cose/sign1.js'
import { isLetterId } from '../letter/letter-id.js'
import { encodeEvidenceRecord, isEvidenceReason, recordProblem } from './record.js'
import {
  EVIDENCE_TYPES,
  type EvidenceReason,
  type EvidenceRecord,
  type EvidenceType,
} from './types.js'

/** `typ` (RFC 9596) of an evidence record, so it can never pass for a letter or another object. */
export const EVIDENCE_TYP = 'application/barid-evidence+cose'

/** Options for {@link createEvidence}. */
export interface CreateEvidenceOptions {
  type: EvidenceType
  letterId: string
  letterDigest: Uint8Array
  /** The issuing operator's id. */
  issuer: string
  recipient?: string
  reason?: EvidenceReason
  /** Digest of the previous record of this chain; null or absent for the first. */
  prev?: Uint8Array | null
  detail?: string
  /** Time of the event, ms since the epoch. Default `Date.now()`. */
  time?: number
  /** The node's evidence signing key (Ed25519 or ECDSA P-256) and its 32-byte kid. */
  key: { privateKey: CryptoKey; kid: Uint8Array; alg?: SignatureAlgorithm }
}

/** A signed evidence record. */
export interface SignedEvidence {
  readonly bytes: Uint8Array
  /** SHA-256 of `bytes`: what the next record's `prev` holds. */
  readonly digest: Uint8Array
  readonly record: EvidenceRecord
}

function invalid(message: string, field: string): never {
  throw new BaridError('ERR_INVALID_ARGUMENT', `evidence: ${message}`, { details: { field } })
}

/**
 * Signs an evidence record.
 *
 * @example
 * ```ts
 * const first = await createEvidence({ type: 'submission-accepted', letterId: id, letterDigest: digest,
 *   issuer: 'post.eg', key: { privateKey, kid } })
 * const next = await createEvidence({ type: 'delivered', letterId: id, letterDigest: digest,
 *   issuer: 'digitalpost.dk', recipient: 'lars.jensen@digitalpost.dk', prev: first.digest, key: dkKey })
 * ```
 */
export async function createEvidence(o: CreateEvidenceOptions): Promise<SignedEvidence> {
  const alg = signatureAlgorithmOfKey(o.key.privateKey, o.key.alg)
  if (!(o.key.kid instanceof Uint8Array) || o.key.kid.length !== 32)
    invalid('kid must be 32 bytes', 'key.kid')
  if (!EVIDENCE_TYPES.includes(o.type)) invalid('unknown type', 'type')
  if (!isLetterId(o.letterId)) invalid('letterId must be a UUIDv7 letter id', 'letterId')
  if (!(o.letterDigest instanceof Uint8Array) || o.letterDigest.length !== 32)
    invalid('letterDigest must be 32 bytes', 'letterDigest')
  const prev = o.prev ?? null
  if (prev !== null && !(prev instanceof Uint8Array && prev.length === 32))
    invalid('prev must be 32 bytes', 'prev')
  if (o.reason !== undefined && !isEvidenceReason(o.reason)) invalid('unknown reason', 'reason')
  const time = o.time ?? Date.now()
  if (!Number.isSafeInteger(time) || time < 0)
    invalid('time must be milliseconds since the epoch', 'time')
  const record: EvidenceRecord = {
    v: 1,
    type: o.type,
    letterId: o.letterId,
    letterDigest: o.letterDigest,
    issuer: parseOperatorId(o.issuer),
    time,
    prev,
    ...(o.recipient === undefined ? {} : { recipient: parseMailboxAddress(o.recipient).address }),
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    ...(o.detail === undefined ? {} : { detail: o.detail }),
  }
  const problem = recordProblem(record)
  if (problem !== undefined) invalid(problem[1], problem[0])
  const prot = new Map<CborKey, CborValue>([
    [HEADER.kid, o.key.kid],
    [HEADER.typ, EVIDENCE_TYP],
  ])
  const bytes = await signSign1({
    payload: encodeCanonical(encodeEvidenceRecord(record)),
    key: o.key.privateKey,
    alg: alg === -8 ? 'EdDSA' : 'ES256',
    protectedHeader: prot,
  })
  return { bytes, digest: await sha256(bytes), record }
}
