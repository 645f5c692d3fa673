/**
 * @module trust/revocation-list
 * An operator CA's signed list of revoked certificate serials (`spec/21-operator-pki.md`
 * section 6). Each entry carries the time from which the certificate is revoked, so that a
 * signature made before that time still verifies when it is checked at its own time (a retired
 * key is not a compromised key; a compromised key is revoked from the estimated compromise time).
 * The list is signed by the operator CA key whose certificates it covers, and that CA is found in
 * the trust list: nobody else can revoke, or un-revoke, a certificate it issued.
 */
import { bytesEqual, fromHex, toHex } from '../bytes.js'
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { isOperatorId } from '../address/operator-id.js'
import { importPublicJwk, type KeyPair } from '../keys/index.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import { openDocument, signDocument } from '../cose/typed-document.js'
import { DOCUMENT_TYPE } from './document-types.js'
import { MAX_TIME } from './trust-list-payload.js'
import type { UnixSeconds } from './types.js'

/** Why a certificate was revoked (RFC 5280 section 5.3.1, the three reasons Barid uses). */
export type RevocationReason = 'key-compromise' | 'superseded' | 'cessation'

/** One revoked certificate. */
export interface RevokedEntry {
  /** Serial number as lower-case hex of the DER INTEGER contents (as `ParsedCertificate`). */
  readonly serial: string
  /** Signatures dated at or after this time by the certificate's key are refused. */
  readonly at: UnixSeconds
  readonly reason: RevocationReason
}

/** The signed content of a revocation list. */
export interface RevocationListContent {
  readonly operator: string
  readonly sequence: number
  readonly issued: UnixSeconds
  readonly nextUpdate: UnixSeconds
  /** Sorted by serial, unique. */
  readonly revoked: readonly RevokedEntry[]
}

/** A verified revocation list. */
export interface RevocationList extends RevocationListContent {
  readonly bytes: Uint8Array
  /** Key id of the operator CA that signed it; the list covers that CA's certificates only. */
  readonly caKid: Uint8Array
}

/** Format limits (spec/21 section 6.2). */
export const REVOCATION_LIST_LIMITS = {
  maxBytes: 4 << 20,
  maxItems: 400_000,
  maxDepth: 4,
  maxEntries: 50_000,
} as const

const CODE = 'ERR_REVOCATION_LIST_MALFORMED'
const REASONS: readonly RevocationReason[] = ['key-compromise', 'superseded', 'cessation']

/**
 * Signs a revocation list with an operator CA key pair.
 *
 * @example
 * ```ts
 * const bytes = await createRevocationList({
 *   operator: 'post.eg', sequence: 7, issued: now, nextUpdate: now + 7 * 86400,
 *   revoked: [{ serial: nodeCert.serialNumber, at: compromisedAt, reason: 'key-compromise' }],
 * }, operatorCaKeyPair)
 * ```
 */
export async function createRevocationList(
  input: RevocationListContent,
  signer: KeyPair,
): Promise<Uint8Array> {
  const revoked = [...input.revoked].sort((a, b) => compareSerials(a.serial, b.serial))
  const payload = new Map<CborKey, CborValue>([
    ['v', 1],
    ['operator', input.operator],
    ['seq', input.sequence],
    ['issued', input.issued],
    ['next-update', input.nextUpdate],
    [
      'revoked',
      revoked.map(
        (e) =>
          new Map<CborKey, CborValue>([
            ['serial', fromHex(e.serial)],
            ['at', e.at],
            ['reason', e.reason],
          ]),
      ),
    ],
  ])
  try {
    readPayload(payload)
  } catch (e) {
    if (e instanceof BaridError && e.code === CODE)
      throw new BaridError('ERR_INVALID_ARGUMENT', e.message, { cause: e })
    throw e
  }
  return signDocument(payload, DOCUMENT_TYPE.revocationList, signer)
}

/**
 * Verifies a revocation list for `operator` against that operator's CA certificates (from the
 * trust list). Throws `ERR_REVOCATION_LIST_UNTRUSTED` when no listed CA signed it,
 * `ERR_SIGNATURE_INVALID`, `ERR_REVOCATION_LIST_MALFORMED`, `ERR_COSE_MALFORMED`,
 * `ERR_UNSUPPORTED_VERSION`, `ERR_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const crl = await verifyRevocationList(bytes, { operator: 'post.eg', cas: parsedCas })
 * ```
 */
export async function verifyRevocationList(
  bytes: Uint8Array,
  options: { operator: string; cas: readonly ParsedCertificate[] },
): Promise<RevocationList> {
  const doc = openDocument(
    bytes,
    DOCUMENT_TYPE.revocationList,
    CODE,
    REVOCATION_LIST_LIMITS.maxBytes,
  )
  const ca = options.cas.find(
    (c) => c.kid !== undefined && c.publicJwk !== undefined && bytesEqual(c.kid, doc.kid),
  )
  if (ca === undefined || ca.publicJwk === undefined) {
    throw new BaridError(
      'ERR_REVOCATION_LIST_UNTRUSTED',
      'revocation list is not signed by a CA of its operator',
      {
        details: { operator: options.operator },
      },
    )
  }
  const key = await importPublicJwk(ca.publicJwk, { use: 'sign' })
  const content = readPayload(await doc.verify(key.publicKey, REVOCATION_LIST_LIMITS))
  if (content.operator !== options.operator) {
    throw new BaridError(
      'ERR_REVOCATION_LIST_UNTRUSTED',
      'revocation list names another operator',
      { details: { operator: options.operator } },
    )
  }
  return { ...content, bytes, caKid: doc.kid }
}

/**
 * The revocation entry of `serial` (hex, as `ParsedCertificate.serialNumber`), if any; binary search.
 *
 * @example
 * ```ts
 * const entry = findRevoked(crl, cert.serialNumber)
 * if (entry !== undefined && at >= entry.at) refuse()
 * ```
 */
export function findRevoked(list: RevocationListContent, serial: string): RevokedEntry | undefined {
  let lo = 0
  let hi = list.revoked.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const e = list.revoked[mid] as RevokedEntry
    const c = compareSerials(e.serial, serial)
    if (c === 0) return e
    if (c < 0) lo = mid + 1
    else hi = mid - 1
  }
  return undefined
}

function readPayload(value: CborValue): RevocationListContent {
  const r = MapReader.of(value, CODE, 'revocation list')
  r.only(['v', 'operator', 'seq', 'issued', 'next-update', 'revoked'])
  if (r.raw('v') !== 1)
    throw new BaridError('ERR_UNSUPPORTED_VERSION', 'revocation list version is not supported')
  const operator = r.text('operator', 253)
  if (!isOperatorId(operator)) r.fail('operator', 'a canonical operator id')
  const sequence = r.int('seq', 1)
  const issued = r.int('issued', 0, MAX_TIME)
  const nextUpdate = r.int('next-update', 0, MAX_TIME)
  if (nextUpdate <= issued) r.fail('next-update', 'later than issued')
  const revoked = r
    .array('revoked', REVOCATION_LIST_LIMITS.maxEntries)
    .map((v, i): RevokedEntry => {
      const e = MapReader.of(v, CODE, `revoked[${i}]`).only(['serial', 'at', 'reason'])
      return {
        serial: toHex(e.bytes('serial', { min: 1, max: 21 })),
        at: e.int('at', 0, MAX_TIME),
        reason: e.oneOf('reason', REASONS),
      }
    })
  for (let i = 1; i < revoked.length; i++) {
    if (
      compareSerials(
        (revoked[i - 1] as RevokedEntry).serial,
        (revoked[i] as RevokedEntry).serial,
      ) >= 0
    ) {
      r.fail('revoked', 'sorted by serial without repeats')
    }
  }
  return { operator, sequence, issued, nextUpdate, revoked }
}

/**
 * The order of serials in a list: shorter first, then bytewise (the order of their CBOR
 * encodings, RFC 8949 section 4.2.1). On lower-case hex this is length, then string order.
 */
function compareSerials(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}
