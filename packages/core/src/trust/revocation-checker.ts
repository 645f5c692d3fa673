/**
 * @module trust/revocation-checker
 * The seam between the trust store and wherever revocation status comes from
 * (`spec/21-operator-pki.md` section 6): the store asks about one certificate at one time, with
 * the operator's CA and endpoints; a {@link RevocationChecker} answers `good`, `revoked` or
 * `unknown`. Every failure of a checker counts as `unknown`, which a node refuses (hard-fail).
 */
import { BaridError } from '../errors.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import type { RevocationStatus } from '../x509/validate.js'
import type { UnixSeconds } from './types.js'

/** What a {@link RevocationChecker} is told about the certificate it is asked about. */
export interface RevocationContext {
  readonly operator: string
  /** The listed operator CA that issued the certificate. */
  readonly issuer: ParsedCertificate
  /** The time the certificate's key signed: revocation from a later time does not apply. */
  readonly at: UnixSeconds
  /** The operator's endpoints from the trust list: the only places its lists may be fetched. */
  readonly endpoints: readonly string[]
}

/** Where one operator CA's revocation list comes from: the CA, its operator and endpoints. */
export type RevocationSource = Omit<RevocationContext, 'at'>

/** Answers whether a certificate issued by an operator CA was revoked at a time. */
export interface RevocationChecker {
  status(cert: ParsedCertificate, context: RevocationContext): Promise<RevocationStatus>
}

/**
 * Asks `checker`, turning any failure into `unknown`.
 *
 * @example
 * ```ts
 * const status = await askRevocation(cache, cert, { operator, issuer, at, endpoints })
 * ```
 */
export async function askRevocation(
  checker: RevocationChecker,
  cert: ParsedCertificate,
  context: RevocationContext,
): Promise<RevocationStatus> {
  try {
    const status = await checker.status(cert, context)
    return status === 'good' || status === 'revoked' ? status : 'unknown'
  } catch {
    return 'unknown'
  }
}

/**
 * Throws for a status other than `good`, with the codes `validateChain` uses for the leaf:
 * `ERR_CERT_REVOKED`, `ERR_CERT_REVOCATION_UNAVAILABLE`.
 */
export function assertGood(status: RevocationStatus): void {
  if (status === 'revoked') {
    throw new BaridError('ERR_CERT_REVOKED', 'certificate 0: revoked', { details: { index: 0 } })
  }
  if (status !== 'good') {
    throw new BaridError(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
      'certificate 0: revocation status unknown',
      {
        details: { index: 0 },
      },
    )
  }
}
