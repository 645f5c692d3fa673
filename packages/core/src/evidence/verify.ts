/**
 * @module evidence/verify
 * Verifying one evidence record (`spec/07-evidence.md` section 7.4): the key is found by kid
 * alone, the signature checked, and only then is the payload parsed; the issuer it names must be
 * the operator the key belongs to.
 */
import { BaridError } from '../errors.js'
import { sha256 as webCryptoSha256 } from '../bytes.js'
import { decodeStrict } from '../cbor/index.js'
import { SIGNATURE_ALG, type SignatureAlgorithm } from '../cose/algorithms.js'
import { HEADER } from '../cose/labels.js'
import { decodeSign1, verifyKnownSigner, type DecodedSign1 } from '../cose/sign1.js'
import type { Sha256 } from '../transparency/hash.js'
import { EVIDENCE_TYP } from './create.js'
import { parseEvidenceRecord } from './record.js'
import type { EvidenceRecord } from './types.js'

/** Largest evidence record accepted, in bytes. */
export const MAX_EVIDENCE_BYTES = 8192

/** A node evidence key and the operator it belongs to (from the trust list). */
export interface EvidenceKey {
  key: CryptoKey
  /** The operator id the key is bound to; the record's issuer must equal it. */
  issuer: string
}

/** Finds a node's evidence key by kid; throws `ERR_KEY_NOT_FOUND` when unknown. */
export type ResolveEvidenceKey = (kid: Uint8Array) => Promise<EvidenceKey>

/** A verified evidence record. */
export interface VerifiedEvidence {
  readonly record: EvidenceRecord
  /** SHA-256 of the record's bytes. */
  readonly digest: Uint8Array
  readonly kid: Uint8Array
  readonly alg: SignatureAlgorithm
}

function malformed(message: string, cause?: unknown): never {
  throw new BaridError('ERR_EVIDENCE_MALFORMED', `evidence record: ${message}`, { cause })
}

function readStructure(bytes: Uint8Array): DecodedSign1 {
  let d: DecodedSign1
  try {
    d = decodeSign1(bytes, { maxBytes: MAX_EVIDENCE_BYTES, maxItems: 64 })
  } catch (e) {
    if (
      e instanceof BaridError &&
      (e.code === 'ERR_COSE_MALFORMED' || e.code.startsWith('ERR_CBOR_'))
    )
      malformed(e.message, e)
    throw e
  }
  if (d.unprotectedHeader.size !== 0) malformed('the unprotected header must be empty')
  const p = d.protectedHeader
  if (p.size !== 3 || p.get(HEADER.typ) !== EVIDENCE_TYP)
    malformed(`the protected header is exactly alg, kid and typ ${EVIDENCE_TYP}`)
  const kid = p.get(HEADER.kid)
  if (!(kid instanceof Uint8Array) || kid.length !== 32) malformed('kid must be 32 bytes')
  return d
}

/**
 * Verifies one evidence record.
 *
 * Errors: `ERR_INPUT_TOO_LARGE`, `ERR_EVIDENCE_MALFORMED`, `ERR_UNSUPPORTED_ALGORITHM`,
 * `ERR_UNSUPPORTED_VERSION`, `ERR_SIGNATURE_INVALID`, `ERR_EVIDENCE_ISSUER_MISMATCH`, and what
 * the resolver throws (`ERR_KEY_NOT_FOUND`).
 *
 * @example
 * ```ts
 * const { record } = await verifyEvidence(bytes, { resolveKey: async (kid) => trustList.evidenceKey(kid) })
 * ```
 */
export async function verifyEvidence(
  bytes: Uint8Array,
  options: {
    resolveKey: ResolveEvidenceKey
    /** SHA-256 for the record's digest (default WebCrypto; see `createEvidence`). */
    sha256?: Sha256
  },
): Promise<VerifiedEvidence> {
  if (!(bytes instanceof Uint8Array))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'an evidence record is a Uint8Array')
  const d = readStructure(bytes)
  const kid = d.protectedHeader.get(HEADER.kid) as Uint8Array
  let resolved: EvidenceKey
  try {
    resolved = await options.resolveKey(kid)
  } catch (e) {
    if (e instanceof BaridError) throw e
    throw new BaridError('ERR_INTERNAL', 'the evidence key resolver failed', { cause: e })
  }
  await verifyKnownSigner(d, resolved.key, 'evidence record')
  let record: EvidenceRecord
  try {
    record = parseEvidenceRecord(
      decodeStrict(d.payload, { maxBytes: MAX_EVIDENCE_BYTES, maxItems: 64 }),
    )
  } catch (e) {
    if (e instanceof BaridError && e.code.startsWith('ERR_CBOR_')) malformed(e.message, e)
    throw e
  }
  if (record.issuer !== resolved.issuer) {
    throw new BaridError(
      'ERR_EVIDENCE_ISSUER_MISMATCH',
      "the record names an issuer other than its key's operator",
      {
        details: { issuer: record.issuer },
      },
    )
  }
  return {
    record,
    digest: await (options.sha256 ?? webCryptoSha256)(bytes),
    kid,
    alg: d.alg === SIGNATURE_ALG.EdDSA ? 'EdDSA' : 'ES256',
  }
}

/**
 * SHA-256 of an evidence record's bytes: what the next record's `prev` holds.
 *
 * @example
 * ```ts
 * await evidenceDigest(bytes)
 * ```
 */
export async function evidenceDigest(bytes: Uint8Array): Promise<Uint8Array> {
  return webCryptoSha256(bytes)
}
