/**
 * @module trust/list-certificates
 * The certificates a trust list carries, parsed and checked once when the list is accepted
 * (`spec/20-trust-list.md` section 3.2): each federation root is a valid self-signed root, and
 * each operator CA is a valid operator CA certificate issued by one of those roots that names the
 * operator it is listed under. The checks run at each certificate's own notBefore, because
 * whether it was properly issued does not change with time; whether it is valid now is asked
 * when it is used.
 */
import { BaridError, isBaridError } from '../errors.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import { parseCertificate } from '../x509/parse.js'
import type { CertificateRole } from '../x509/roles.js'
import { validateChain } from '../x509/validate.js'
import type { TrustListContent } from './types.js'

/** Parsed certificates of a list: roots, and each operator's CAs in list order. */
export interface ListCertificates {
  readonly roots: readonly ParsedCertificate[]
  readonly cas: ReadonlyMap<string, readonly ParsedCertificate[]>
}

/**
 * Parses and checks the list's certificates. Throws the certificate's own code (`ERR_CERT_*`)
 * with the operator in `details`, or `ERR_CERT_OPERATOR_MISMATCH` for a CA listed under another
 * operator than the one it names.
 *
 * @example
 * ```ts
 * const { roots, cas } = await checkListCertificates(content)
 * ```
 */
export async function checkListCertificates(content: TrustListContent): Promise<ListCertificates> {
  const roots: ParsedCertificate[] = []
  for (const der of content.roots) {
    const root = await withContext('federation root', () => parseCertificate(der))
    requireRole(root, 'federation-root', 'federation root')
    await withContext('federation root', () =>
      validateChain({ leaf: root, anchors: [root], role: 'federation-root', at: root.notBefore }),
    )
    roots.push(root)
  }
  const cas = new Map<string, ParsedCertificate[]>()
  for (const op of content.operators) {
    const parsed: ParsedCertificate[] = []
    for (const entry of op.cas) {
      const what = `operator ${op.id} CA`
      const ca = await withContext(what, () => parseCertificate(entry.cert), op.id)
      requireRole(ca, 'operator-ca', what, op.id)
      if (ca.operatorId !== op.id) {
        throw new BaridError(
          'ERR_CERT_OPERATOR_MISMATCH',
          `${what}: the certificate names another operator`,
          {
            details: { operator: op.id },
          },
        )
      }
      await withContext(
        what,
        () => validateChain({ leaf: ca, anchors: roots, role: 'operator-ca', at: ca.notBefore }),
        op.id,
      )
      parsed.push(ca)
    }
    cas.set(op.id, parsed)
  }
  return { roots, cas }
}

// The role a certificate claims is checked first, so a certificate in the wrong slot is reported
// as such rather than as whatever path-building failure it would cause.
function requireRole(
  cert: ParsedCertificate,
  role: CertificateRole,
  what: string,
  operator?: string,
): void {
  if (cert.role !== role) {
    throw new BaridError('ERR_CERT_PROFILE', `${what}: not a ${role} certificate`, {
      details: { rule: 'role', ...(operator === undefined ? {} : { operator }) },
    })
  }
}

async function withContext<T>(what: string, f: () => Promise<T>, operator?: string): Promise<T> {
  try {
    return await f()
  } catch (e) {
    if (!isBaridError(e)) throw e
    throw new BaridError(e.code, `${what}: ${e.message}`, {
      cause: e,
      details: { ...(e.details ?? {}), ...(operator === undefined ? {} : { operator }) },
    })
  }
}

// Lists verified in this process, with their certificates already checked: a store opened on a
// list straight from verifyTrustList does not check the same signatures twice.
const checked = new WeakMap<object, ListCertificates>()

/** Records that `list`'s certificates were checked (called by `verifyTrustList`). */
export function rememberCertificates(list: object, certs: ListCertificates): void {
  checked.set(list, certs)
}

/**
 * The checked certificates of `list`: remembered from its verification, or checked now.
 *
 * @example
 * ```ts
 * const { roots } = await certificatesOf(list)
 * ```
 */
export async function certificatesOf(list: TrustListContent): Promise<ListCertificates> {
  const known = checked.get(list)
  if (known !== undefined) return known
  const certs = await checkListCertificates(list)
  checked.set(list, certs)
  return certs
}
