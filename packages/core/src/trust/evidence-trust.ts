/**
 * @module trust/evidence-trust
 * Verifying evidence records against the trust list at the time they were signed
 * (`spec/21-operator-pki.md` section 7). Signature first: the key is found by kid (from node
 * certificates a bundle carries, or from the issuer's discovery document), the record verifies
 * and is parsed; only then is its signing time known, which may not lie ahead of the verification
 * time by more than the clock skew, and the key's certificate is validated for
 * the record's issuer at that time: operator status, CA retirement, chain, revocation, and key
 * retirement (from a discovery document, or offline from a bundle's retirement times). Evidence
 * an operator signed while a member therefore still verifies after it is withdrawn, and nothing
 * it signs afterwards does.
 */
import { bytesEqual, toHex } from '../bytes.js'
import { DEFAULT_CLOCK_SKEW } from '../clock.js'
import { BaridError } from '../errors.js'
import { verifyEvidenceChain } from '../evidence/chain.js'
import {
  verifyEvidence,
  type ResolveEvidenceKey,
  type VerifiedEvidence,
} from '../evidence/verify.js'
import { importPublicJwk } from '../keys/index.js'
import type { CertificateInput, ParsedCertificate } from '../x509/certificate.js'
import { parseCertificate } from '../x509/parse.js'
import type { DiscoveryClient } from './discovery-client.js'
import type { KeyRetirement } from './evidence-bundle.js'
import type { TrustStore, ValidatedPeer } from './trust-store.js'
import type { UnixSeconds } from './types.js'

/** Where the keys that signed the records come from. */
export type EvidenceKeySource =
  /**
   * Node certificates, e.g. from an evidence bundle (offline verification), with the retirement
   * times of the retired keys among them (a bundle's `retiredKeys`; a key not listed there is
   * taken as not retired, spec 21.7).
   */
  | {
      readonly certificates: readonly CertificateInput[]
      readonly retiredKeys?: readonly KeyRetirement[]
    }
  /** The issuing operator's discovery document (online, by a node). */
  | { readonly discovery: DiscoveryClient; readonly operator: string }

/** Options of {@link verifyEvidenceWithTrust}. */
export interface VerifyEvidenceWithTrustOptions {
  readonly store: TrustStore
  readonly keys: EvidenceKeySource
  /** Offline (audit): the trust list's freshness is not required. Default true for certificates. */
  readonly offline?: boolean
  /** Seconds a record may be dated ahead of the store's clock. Default `DEFAULT_CLOCK_SKEW`. */
  readonly clockSkew?: number
}

/** An evidence record verified against the trust list at its signing time. */
export interface TrustedEvidence extends VerifiedEvidence {
  /** The record's time in Unix seconds (the record carries milliseconds). */
  readonly signedAt: UnixSeconds
  readonly peer: ValidatedPeer
}

/**
 * Verifies one record, or a chain of records oldest first (`spec/07-evidence.md` section 7.5),
 * and each signer against the trust list at the record's time. Throws the evidence codes, the
 * trust store's codes (`ERR_OPERATOR_WITHDRAWN`, `ERR_CERT_REVOKED`, ...), `ERR_KEY_NOT_FOUND`,
 * `ERR_KEY_RETIRED`, and `ERR_EVIDENCE_TIME_INVALID` for a record dated more than the clock skew
 * after the store's clock (the verification time), with its 0-based `index` in the details.
 *
 * @example
 * ```ts
 * const keys = { certificates: bundle.certificates, retiredKeys: bundle.retiredKeys }
 * const trail = await verifyEvidenceWithTrust(bundle.records, { store, keys })
 * trail.at(-1)!.record.type // 'delivered'
 * ```
 */
export async function verifyEvidenceWithTrust(
  records: readonly Uint8Array[],
  options: VerifyEvidenceWithTrustOptions,
): Promise<TrustedEvidence[]> {
  const source = options.keys
  const certificates =
    'certificates' in source
      ? await Promise.all(source.certificates.map((c) => parseCertificate(c)))
      : []
  const used = new Map<
    string,
    { certificate: ParsedCertificate; retired: UnixSeconds | undefined }
  >()
  const resolveKey: ResolveEvidenceKey = async (kid) => {
    let certificate: ParsedCertificate | undefined
    let retired: UnixSeconds | undefined
    if ('discovery' in source) {
      const key = await source.discovery.findKey(source.operator, kid)
      certificate = key.certificate
      retired = key.retired
    } else {
      certificate = certificates.find((c) => c.kid !== undefined && bytesEqual(c.kid, kid))
      retired = source.retiredKeys?.find((k) => bytesEqual(k.kid, kid))?.retired
    }
    if (
      certificate === undefined ||
      certificate.publicJwk === undefined ||
      certificate.operatorId === undefined
    ) {
      throw new BaridError(
        'ERR_KEY_NOT_FOUND',
        'no node certificate for the key that signed the record',
      )
    }
    used.set(toHex(kid), { certificate, retired })
    const { publicKey } = await importPublicJwk(certificate.publicJwk, { use: 'sign' })
    return { key: publicKey, issuer: certificate.operatorId }
  }
  const verified =
    records.length === 1
      ? [await verifyEvidence(records[0] as Uint8Array, { resolveKey })]
      : await verifyEvidenceChain(records, resolveKey)
  const offline = options.offline ?? 'certificates' in source
  const now = options.store.now()
  const out: TrustedEvidence[] = []
  for (const [index, v] of verified.entries()) {
    const signedAt = Math.floor(v.record.time / 1000)
    // Spec 21.7 step 5: a record is judged at its own time, which cannot be one still to come.
    if (signedAt > now + (options.clockSkew ?? DEFAULT_CLOCK_SKEW)) {
      throw new BaridError(
        'ERR_EVIDENCE_TIME_INVALID',
        'the record is dated after the verification time: it cannot have been made yet',
        { details: { index, time: signedAt, now } },
      )
    }
    const { certificate, retired } = used.get(toHex(v.kid)) as {
      certificate: ParsedCertificate
      retired: UnixSeconds | undefined
    }
    if (retired !== undefined && signedAt >= retired) {
      throw new BaridError('ERR_KEY_RETIRED', 'the record is dated after its key was retired', {
        details: { retired },
      })
    }
    const peer = await options.store.validatePeerChain(certificate, {
      operator: v.record.issuer,
      at: signedAt,
      role: 'node',
      offline,
    })
    out.push({ ...v, signedAt, peer })
  }
  return out
}
