/**
 * @module trust/trust-list
 * Issuing and verifying the federation trust list (`spec/20-trust-list.md`). Verification is
 * the whole of what a node may conclude from the bytes alone: the governance signature, the
 * list's shape, and against the list it already holds, that the new one is newer (rollback
 * protection) and signed by a key the held list authorises (governance key rollover).
 */
import { bytesEqual } from '../bytes.js'
import { decodeStrict, encodeCanonical } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import {
  importPublicJwk,
  type KeyPair,
  type PublicJwk,
  type PublicKeyHandle,
} from '../keys/index.js'
import { checkListCertificates, rememberCertificates } from './list-certificates.js'
import { openDocument, signDocument } from '../cose/typed-document.js'
import { DOCUMENT_TYPE } from './document-types.js'
import { readTrustListPayload, TRUST_LIST_LIMITS, trustListPayload } from './trust-list-payload.js'
import type { OperatorEntry, TrustList, TrustListContent, UnixSeconds } from './types.js'

/** Default allowance for clocks running ahead of the verifier's: five minutes. */
import { DEFAULT_CLOCK_SKEW } from '../clock.js'

export { DEFAULT_CLOCK_SKEW }

/** A governance key as a verifier may configure it: a public JWK or an imported key. */
export type GovernanceKeyInput = PublicKeyHandle | PublicJwk | Readonly<Record<string, unknown>>

/** What {@link createTrustList} signs. `governanceKeys` defaults to the signer alone. */
export interface TrustListInput extends Omit<TrustListContent, 'governanceKeys' | 'operators'> {
  readonly governanceKeys?: readonly PublicKeyHandle[]
  /** Operators in any order; they are sorted by id. */
  readonly operators: readonly OperatorEntry[]
}

/**
 * Signs a trust list with a governance key pair and returns the COSE_Sign1 bytes. The content is
 * checked by the same reader verifiers use, so an invalid list is never produced
 * (`ERR_INVALID_ARGUMENT` with the reader's message).
 *
 * @example
 * ```ts
 * const bytes = await createTrustList({
 *   federation: 'barid-eg-dk', sequence: 1, issued: now, nextUpdate: now + 86400,
 *   operators: [],
 * }, governance)
 * ```
 */
export async function createTrustList(input: TrustListInput, signer: KeyPair): Promise<Uint8Array> {
  const governanceKeys = input.governanceKeys ?? [signer]
  if (!governanceKeys.some((k) => bytesEqual(k.kid, signer.kid))) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      "the signer must be one of the list's governance keys",
    )
  }
  const operators = [...input.operators].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const payload = trustListPayload({ ...input, governanceKeys, operators })
  try {
    await checkListCertificates(
      await readTrustListPayload(decodeStrict(encodeCanonical(payload), TRUST_LIST_LIMITS)),
    )
  } catch (e) {
    if (e instanceof BaridError && e.code === 'ERR_TRUST_LIST_MALFORMED') {
      throw new BaridError('ERR_INVALID_ARGUMENT', e.message, {
        cause: e,
        details: e.details ? { ...e.details } : undefined,
      })
    }
    throw e
  }
  return signDocument(payload, DOCUMENT_TYPE.trustList, signer)
}

/** Options for {@link verifyTrustList}. */
export interface VerifyTrustListOptions {
  /**
   * Bootstrap governance keys: the keys a verifier that holds no list trusts (configured out of
   * band). When `current` is given, the keys it authorises take over (see {@link authorisedSigners}).
   */
  governanceKeys: readonly GovernanceKeyInput[]
  /** The list the verifier holds: the new one must be newer and signed by a key it authorises. */
  current?: TrustList
  /** Lowest sequence accepted when no list is held (a re-bootstrap keeps rollback protection). */
  minSequence?: number
  /** The verifier's time. */
  now: UnixSeconds
  /** Allowed clock skew for `issued`, seconds. Default {@link DEFAULT_CLOCK_SKEW}. */
  clockSkew?: number
}

/**
 * The keys that may sign the successor of `list`: its governance keys and the incoming key it
 * announces, if any (spec/20 section 5).
 *
 * @example
 * ```ts
 * await store.saveAnchors(authorisedSigners(list).map((k) => k.publicJwk))
 * ```
 */
export function authorisedSigners(list: TrustListContent): readonly PublicKeyHandle[] {
  return list.rollover === undefined ? list.governanceKeys : [...list.governanceKeys, list.rollover]
}

/**
 * Verifies a trust list and returns it typed: signature, shape, sequence against `current`, and
 * the certificates it carries (see `list-certificates.ts`). With `current`, a list with the same
 * sequence and the same bytes returns `current` itself (a re-fetch is not an error).
 *
 * Throws `ERR_TRUST_LIST_SIGNER_UNKNOWN`, `ERR_TRUST_LIST_SIGNER_RETIRED`, `ERR_SIGNATURE_INVALID`,
 * `ERR_TRUST_LIST_MALFORMED`, `ERR_TRUST_LIST_ROLLBACK`, `ERR_TRUST_LIST_CONFLICT`,
 * `ERR_TRUST_LIST_NOT_YET_VALID`, `ERR_COSE_MALFORMED`, `ERR_UNSUPPORTED_VERSION`,
 * `ERR_UNSUPPORTED_ALGORITHM`, `ERR_INPUT_TOO_LARGE`, `ERR_INVALID_ARGUMENT` for governance keys
 * that are not an array of JWKs or key handles, and for a bad certificate in the list its
 * `ERR_CERT_*` code (`ERR_CERT_OPERATOR_MISMATCH` for a CA listed under the wrong operator).
 *
 * @example
 * ```ts
 * const list = await verifyTrustList(bytes, { governanceKeys: [governanceJwk], current: held, now })
 * ```
 */
export async function verifyTrustList(
  bytes: Uint8Array,
  options: VerifyTrustListOptions,
): Promise<TrustList> {
  const { current, now } = options
  const doc = openDocument(
    bytes,
    DOCUMENT_TYPE.trustList,
    'ERR_TRUST_LIST_MALFORMED',
    TRUST_LIST_LIMITS.maxBytes,
  )
  if (!Array.isArray(options.governanceKeys))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'governanceKeys must be an array', {
      details: { field: 'governanceKeys' },
    })
  const configured = await Promise.all(options.governanceKeys.map(toHandle))
  const acceptable = current === undefined ? configured : authorisedSigners(current)
  const signer = acceptable.find((k) => bytesEqual(k.kid, doc.kid))
  if (signer === undefined) {
    if (current !== undefined && configured.some((k) => bytesEqual(k.kid, doc.kid))) {
      throw new BaridError(
        'ERR_TRUST_LIST_SIGNER_RETIRED',
        'trust list is signed by a governance key the held list no longer authorises',
      )
    }
    throw new BaridError(
      'ERR_TRUST_LIST_SIGNER_UNKNOWN',
      'trust list is not signed by a trusted governance key',
    )
  }
  const content = await readTrustListPayload(await doc.verify(signer.publicKey, TRUST_LIST_LIMITS))
  if (!content.governanceKeys.some((k) => bytesEqual(k.kid, signer.kid))) {
    throw new BaridError(
      'ERR_TRUST_LIST_SIGNER_UNKNOWN',
      'trust list does not name its signer among its governance keys',
    )
  }
  if (content.issued > now + (options.clockSkew ?? DEFAULT_CLOCK_SKEW)) {
    throw new BaridError('ERR_TRUST_LIST_NOT_YET_VALID', 'trust list is issued in the future', {
      details: { issued: content.issued },
    })
  }
  const list: TrustList = { ...content, bytes, signer }
  if (options.minSequence !== undefined && content.sequence < options.minSequence) {
    throw rollback(content.sequence, options.minSequence)
  }
  if (current === undefined) {
    rememberCertificates(list, await checkListCertificates(content))
    return list
  }
  if (content.federation !== current.federation) {
    throw new BaridError('ERR_TRUST_LIST_CONFLICT', 'trust list belongs to another federation', {
      details: { reason: 'federation' },
    })
  }
  if (content.sequence < current.sequence) throw rollback(content.sequence, current.sequence)
  if (content.sequence === current.sequence) {
    if (bytesEqual(bytes, current.bytes)) return current
    throw new BaridError(
      'ERR_TRUST_LIST_CONFLICT',
      'two different trust lists carry the same sequence number',
      {
        details: { sequence: content.sequence },
      },
    )
  }
  if (content.issued < current.issued) {
    throw new BaridError('ERR_TRUST_LIST_ROLLBACK', 'trust list is issued before the held list', {
      details: { reason: 'issued' },
    })
  }
  rememberCertificates(list, await checkListCertificates(content))
  return list
}

function rollback(got: number, held: number): BaridError {
  return new BaridError('ERR_TRUST_LIST_ROLLBACK', 'trust list is older than the list held', {
    details: { sequence: got, held },
  })
}

async function toHandle(k: GovernanceKeyInput): Promise<PublicKeyHandle> {
  // Configuration reaches here from files and plain JavaScript: a string or null must be
  // refused as the caller's mistake, not crash the `in` below.
  if (typeof k !== 'object' || k === null || Array.isArray(k))
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'a governance key must be a public JWK or a public key handle',
      { details: { field: 'governanceKeys' } },
    )
  if ('publicKey' in k && k.publicKey instanceof CryptoKey && 'kid' in k)
    return k as PublicKeyHandle
  return importPublicJwk(k, { use: 'sign' })
}
