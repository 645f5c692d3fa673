/**
 * @module trust/evidence-bundle
 * The evidence bundle (`spec/21-operator-pki.md` section 7.2): a letter's evidence records with
 * the node certificates and revocation lists needed to verify them offline, years later,
 * against a trust list. The bundle itself is not signed: every record and every revocation list
 * in it is, and certificates are checked against the trust list, so nothing in the bundle is
 * trusted for being there.
 */
import {
  decodeStrict,
  encodeCanonical,
  MapReader,
  type CborKey,
  type CborValue,
} from '../cbor/index.js'
import { BaridError } from '../errors.js'

/** Limits of the bundle format. */
export const EVIDENCE_BUNDLE_LIMITS = {
  maxBytes: 1 << 20,
  maxItems: 1000,
  maxDepth: 4,
  maxRecords: 64,
  maxCertificates: 32,
  maxRevocationLists: 16,
} as const

const CODE = 'ERR_EVIDENCE_BUNDLE_MALFORMED'

/** What a bundle holds. */
export interface EvidenceBundle {
  /** Evidence records (COSE_Sign1), oldest first: one chain. */
  readonly records: readonly Uint8Array[]
  /** Node certificates (DER) of the keys that signed the records. */
  readonly certificates: readonly Uint8Array[]
  /** Revocation lists of the issuing operators, as published around the records' times. */
  readonly revocationLists: readonly Uint8Array[]
}

/**
 * Encodes a bundle (canonical CBOR).
 *
 * @example
 * ```ts
 * const bytes = createEvidenceBundle({ records: trail.map((r) => r.bytes), certificates: [egNode.der, dkNode.der], revocationLists: [] })
 * ```
 */
export function createEvidenceBundle(bundle: EvidenceBundle): Uint8Array {
  const m = new Map<CborKey, CborValue>([
    ['v', 1],
    ['records', [...bundle.records]],
    ['certs', [...bundle.certificates]],
    ['revocations', [...bundle.revocationLists]],
  ])
  const bytes = encodeCanonical(m)
  readEvidenceBundle(bytes)
  return bytes
}

/**
 * Decodes a bundle, enforcing its limits. Throws `ERR_EVIDENCE_BUNDLE_MALFORMED`,
 * `ERR_UNSUPPORTED_VERSION`, `ERR_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const { records, certificates } = readEvidenceBundle(fileBytes)
 * ```
 */
export function readEvidenceBundle(bytes: Uint8Array): EvidenceBundle {
  let value: CborValue
  try {
    value = decodeStrict(bytes, EVIDENCE_BUNDLE_LIMITS)
  } catch (e) {
    if (e instanceof BaridError && e.code.startsWith('ERR_CBOR_')) {
      throw new BaridError(CODE, `evidence bundle is not canonical CBOR: ${e.message}`, {
        cause: e,
        details: { cbor: e.code },
      })
    }
    throw e
  }
  const r = MapReader.of(value, CODE, 'evidence bundle').only([
    'v',
    'records',
    'certs',
    'revocations',
  ])
  if (r.raw('v') !== 1)
    throw new BaridError('ERR_UNSUPPORTED_VERSION', 'evidence bundle version is not supported')
  const list = (key: string, max: number, maxBytes: number) =>
    r
      .array(key, max)
      .map((v) =>
        v instanceof Uint8Array && v.length > 0 && v.length <= maxBytes
          ? v
          : r.fail(key, `byte strings of 1 to ${maxBytes} bytes`),
      )
  const records = list('records', EVIDENCE_BUNDLE_LIMITS.maxRecords, 8192)
  if (records.length === 0) r.fail('records', 'at least one record')
  return {
    records,
    certificates: list('certs', EVIDENCE_BUNDLE_LIMITS.maxCertificates, 16 * 1024),
    revocationLists: list('revocations', EVIDENCE_BUNDLE_LIMITS.maxRevocationLists, 1 << 19),
  }
}
