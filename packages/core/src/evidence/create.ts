/**
 * @module evidence/create
 * Issuing an evidence record: a COSE_Sign1 by the node's evidence key over the canonical record
 * (`spec/07-evidence.md` section 7.1).
 */
import { BaridError } from '../errors.js'
import { bytesEqual, concatBytes, sha256 as webCryptoSha256 } from '../bytes.js'
import { encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import {
  parseMailboxAddress,
  parseOperatorId,
  type MailboxAddress,
  type OperatorId,
} from '../address/index.js'
import type { SignatureAlgorithm, SignatureAlgorithmId } from '../cose/algorithms.js'
import { cborHead } from '../cose/headers.js'
import { COSE_TAG, HEADER } from '../cose/labels.js'
import { signatureAlgorithmOfKey, signBytes } from '../cose/signature.js'
import { sigStructure } from '../cose/structures.js'
import { isLetterId } from '../letter/letter-id.js'
import type { Sha256 } from '../transparency/hash.js'
import { encodeEvidencePayload, isEvidenceReason, recordProblem } from './record.js'
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
  /**
   * The SHA-256 that computes the record's digest. Default WebCrypto; a Node service may inject
   * a synchronous one, which saves a thread-pool round trip per record. It MUST be SHA-256.
   */
  sha256?: Sha256
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
 * What every record signed with one key shares: the protected header `{1: alg, 4: kid, 16: typ}`
 * (canonical, as `signSign1` encodes it), and the bytes that precede the payload in the
 * Sig_structure (RFC 9052 4.4) and in the tagged COSE_Sign1 (4.2). Built once per key and kid.
 */
interface KeyFrame {
  readonly kid: Uint8Array
  readonly toBeSigned: Uint8Array
  readonly message: Uint8Array
}
const frames = new WeakMap<CryptoKey, KeyFrame>()

function frameOf(key: CryptoKey, kid: Uint8Array, alg: SignatureAlgorithmId): KeyFrame {
  const hit = frames.get(key)
  if (hit && bytesEqual(hit.kid, kid)) return hit
  const prot = encodeCanonical(
    new Map<CborKey, CborValue>([
      [HEADER.alg, alg],
      [HEADER.kid, kid],
      [HEADER.typ, EVIDENCE_TYP],
    ]),
  )
  const frame: KeyFrame = {
    kid: kid.slice(),
    // ["Signature1", protected, h'', payload]: over an empty payload the structure ends in that
    // payload's one-byte head (0x40), which the real payload's head replaces.
    toBeSigned: sigStructure(prot, undefined, new Uint8Array(0)).subarray(0, -1),
    // 18([protected, {}, payload, signature])
    message: concatBytes(
      Uint8Array.of(0xc0 | COSE_TAG.sign1, 0x84),
      cborHead(2, prot.length),
      prot,
      Uint8Array.of(0xa0),
    ),
  }
  frames.set(key, frame)
  return frame
}

/**
 * Operator ids and addresses checked recently, with their canonical forms: the check (syntax,
 * IDNA, length rules) costs more than the rest of a record but for the signature, and a node
 * names the same issuer, and often the same recipient, in record after record.
 */
const operators = new Map<string, OperatorId>()
const addresses = new Map<string, MailboxAddress>()

function checked<T>(cache: Map<string, T>, s: string, parse: (s: string) => T): T {
  const hit = cache.get(s)
  if (hit !== undefined) return hit
  const v = parse(s)
  if (cache.size >= 1024) cache.clear()
  cache.set(s, v)
  return v
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
    issuer: checked(operators, o.issuer, (x) => parseOperatorId(x)),
    time,
    prev,
    ...(o.recipient === undefined
      ? {}
      : { recipient: checked(addresses, o.recipient, (x) => parseMailboxAddress(x).address) }),
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    ...(o.detail === undefined ? {} : { detail: o.detail }),
  }
  const problem = recordProblem(record)
  if (problem !== undefined) invalid(problem[1], problem[0])
  // The same bytes signSign1 produces (the tests hold them equal), without re-encoding the
  // key's constant header or re-sorting the payload's keys for every record.
  const frame = frameOf(o.key.privateKey, o.key.kid, alg)
  const payload = encodeEvidencePayload(record)
  const payloadHead = cborHead(2, payload.length)
  const sig = await signBytes(
    alg,
    o.key.privateKey,
    concatBytes(frame.toBeSigned, payloadHead, payload),
  )
  const bytes = concatBytes(frame.message, payloadHead, payload, cborHead(2, sig.length), sig)
  return { bytes, digest: await (o.sha256 ?? webCryptoSha256)(bytes), record }
}
