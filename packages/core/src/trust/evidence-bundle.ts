/**
 * @module trust/evidence-bundle
 * The evidence bundle (`spec/21-operator-pki.md` section 7): a letter's evidence records with
 * the node certificates and revocation lists needed to verify them offline, years later,
 * against a trust list, and the retirement times of the retired node keys among them (spec
 * 21.4), so that an offline verifier refuses what a key signed after its retirement. The bundle
 * itself is not signed: every record and every revocation list in it is, and certificates are
 * checked against the trust list, so nothing in the bundle is trusted for being there; a
 * retirement time can only make a verifier refuse more.
 */
import {
  decodeStrict,
  encodeCanonical,
  MapReader,
  type CborKey,
  type CborValue,
} from '../cbor/index.js'
import { bytesEqual } from '../bytes.js'
import { BaridError } from '../errors.js'
import type { InclusionProof } from '../transparency/log.js'
import { inclusionProofValue, readInclusionProof } from '../transparency/proof-codec.js'
import { REVOCATION_LIST_LIMITS } from './revocation-list.js'
import { MAX_TIME } from './trust-list-payload.js'
import type { UnixSeconds } from './types.js'

const MAX_REVOCATION_LISTS = 16

/**
 * Limits of the bundle format (spec 21.7). A revocation list in a bundle may be as large as a
 * revocation list may be (21.6.1), and the bundle holds its 16 lists at that size and 4 MiB for
 * the rest (its records, certificates and log proofs take at most about 2.2 MiB): a bundle whose
 * parts are each within their own limits is never refused for its size.
 */
export const EVIDENCE_BUNDLE_LIMITS = {
  maxBytes: MAX_REVOCATION_LISTS * REVOCATION_LIST_LIMITS.maxBytes + (4 << 20),
  maxItems: 8192,
  // bundle > log > logged record > proof > path
  maxDepth: 6,
  maxRecords: 64,
  maxCosignatures: 16,
  maxCertificates: 32,
  maxRevocationLists: MAX_REVOCATION_LISTS,
  /** Bytes of one revocation list: its own limit. */
  maxRevocationListBytes: REVOCATION_LIST_LIMITS.maxBytes,
  maxRetiredKeys: 32,
} as const

const mib = (n: number) => `${n / (1 << 20)} MiB`

const CODE = 'ERR_EVIDENCE_BUNDLE_MALFORMED'

/** A record's place in its issuer's transparency log (spec 16.8, 21.7). */
export interface LoggedRecord {
  /** Index of the record in {@link EvidenceBundle.records}. */
  readonly record: number
  /** The issuer's signed checkpoint the proof leads to. */
  readonly checkpoint: Uint8Array
  /** Inclusion proof of the record's leaf in that checkpoint's tree. */
  readonly proof: InclusionProof
  /** Witnesses' cosignatures of the checkpoint, one per witness (spec 21.7). */
  readonly cosignatures: readonly Uint8Array[]
}

/** The retirement time of a node key (spec 21.4), as its operator's discovery document gives it. */
export interface KeyRetirement {
  /** The key's id (RFC 7638 SHA-256 thumbprint). */
  readonly kid: Uint8Array
  /** Unix seconds: what the key signed at or after this time is refused (`ERR_KEY_RETIRED`). */
  readonly retired: UnixSeconds
}

/** What a bundle holds. */
export interface EvidenceBundle {
  /** Evidence records (COSE_Sign1), oldest first: one chain. */
  readonly records: readonly Uint8Array[]
  /** Node certificates (DER) of the keys that signed the records. */
  readonly certificates: readonly Uint8Array[]
  /** Revocation lists of the issuing operators, as published around the records' times. */
  readonly revocationLists: readonly Uint8Array[]
  /** Where records are in their issuers' logs, one entry per record; absent or empty if none. */
  readonly log?: readonly LoggedRecord[]
  /**
   * Retirement times of the retired keys among the signers, unique by kid. Absent or empty: no
   * key is known to be retired (as in bundles made before this field, spec 21.7).
   */
  readonly retiredKeys?: readonly KeyRetirement[]
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
  if (bundle.log !== undefined && bundle.log.length > 0)
    m.set(
      'log',
      bundle.log.map(
        (l) =>
          new Map<CborKey, CborValue>([
            ['record', l.record],
            ['checkpoint', l.checkpoint],
            ['proof', inclusionProofValue(l.proof)],
            ['cosignatures', [...l.cosignatures]],
          ]),
      ),
    )
  if (bundle.retiredKeys !== undefined && bundle.retiredKeys.length > 0)
    m.set(
      'retired-keys',
      bundle.retiredKeys.map(
        (k) =>
          new Map<CborKey, CborValue>([
            ['kid', k.kid],
            ['retired', k.retired],
          ]),
      ),
    )
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
  const { maxBytes } = EVIDENCE_BUNDLE_LIMITS
  if (bytes.length > maxBytes)
    throw new BaridError(
      'ERR_INPUT_TOO_LARGE',
      `evidence bundle of ${bytes.length} bytes is over the evidence bundle limit of ${mib(maxBytes)}`,
      { details: { limit: 'evidence-bundle', bytes: bytes.length, maxBytes } },
    )
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
    'log',
    'retired-keys',
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
  const log = r.has('log')
    ? r.array('log', EVIDENCE_BUNDLE_LIMITS.maxRecords).map((v) => readLogged(v, records.length))
    : undefined
  // One place per record in its issuer's log: a second entry would give a record two answers.
  log?.forEach((l, i) => {
    if (log.findIndex((x) => x.record === l.record) !== i) r.fail('log', 'one entry per record')
  })
  const retiredKeys = r.has('retired-keys')
    ? r.array('retired-keys', EVIDENCE_BUNDLE_LIMITS.maxRetiredKeys).map(readRetirement)
    : undefined
  retiredKeys?.forEach((k, i) => {
    if (retiredKeys.findIndex((x) => bytesEqual(x.kid, k.kid)) !== i)
      r.fail('retired-keys', 'one entry per key id')
  })
  return {
    records,
    certificates: list('certs', EVIDENCE_BUNDLE_LIMITS.maxCertificates, 16 * 1024),
    revocationLists: revocationLists(r),
    ...(log === undefined ? {} : { log }),
    ...(retiredKeys === undefined ? {} : { retiredKeys }),
  }
}

/** The bundle's revocation lists: one over a list's own limit is named, with that limit. */
function revocationLists(r: MapReader): Uint8Array[] {
  const max = EVIDENCE_BUNDLE_LIMITS.maxRevocationListBytes
  return r.array('revocations', EVIDENCE_BUNDLE_LIMITS.maxRevocationLists).map((v, item) => {
    if (!(v instanceof Uint8Array) || v.length === 0)
      return r.fail('revocations', 'non-empty byte strings')
    if (v.length > max)
      throw new BaridError(
        'ERR_INPUT_TOO_LARGE',
        `revocation list ${item} of the evidence bundle is ${v.length} bytes, over the revocation list limit of ${mib(max)}`,
        { details: { limit: 'revocation-list', item, bytes: v.length, maxBytes: max } },
      )
    return v
  })
}

function readRetirement(value: CborValue): KeyRetirement {
  const r = MapReader.of(value, CODE, 'retired key').only(['kid', 'retired'])
  return { kid: r.bytes('kid', { exact: 32 }), retired: r.int('retired', 0, MAX_TIME) }
}

function readLogged(value: CborValue, records: number): LoggedRecord {
  const r = MapReader.of(value, CODE, 'logged record').only([
    'record',
    'checkpoint',
    'proof',
    'cosignatures',
  ])
  const bytes = (v: CborValue, max: number): Uint8Array =>
    v instanceof Uint8Array && v.length > 0 && v.length <= max
      ? v
      : r.fail('checkpoint', `byte strings of 1 to ${max} bytes`)
  let proof: InclusionProof
  try {
    proof = readInclusionProof(r.raw('proof') ?? null)
  } catch (e) {
    throw new BaridError(CODE, 'a logged record has a malformed inclusion proof', { cause: e })
  }
  return {
    record: r.int('record', 0, records - 1),
    checkpoint: bytes(r.raw('checkpoint') ?? null, 1024),
    proof,
    cosignatures: r
      .array('cosignatures', EVIDENCE_BUNDLE_LIMITS.maxCosignatures)
      .map((v) => bytes(v, 1024)),
  }
}
