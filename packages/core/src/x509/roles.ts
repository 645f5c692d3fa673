/**
 * @module x509/roles
 * The five certificate roles of Barid and their profiles (`spec/08-keys-and-certificates.md`
 * section 4.3, table 2). This file is data only; {@link checkProfile} in `profiles.ts` enforces it.
 */
import { BARID_EKU } from './oids.js'

/** The role a certificate plays in the federation. */
export type CertificateRole =
  'federation-root' | 'operator-ca' | 'node' | 'mailbox-encryption' | 'mailbox-signing'

/** Every role, from the top of the hierarchy down. */
export const CERTIFICATE_ROLES: readonly CertificateRole[] = [
  'federation-root',
  'operator-ca',
  'node',
  'mailbox-encryption',
  'mailbox-signing',
]

/** Key usage bits (RFC 5280 section 4.2.1.3), by name. */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly'

/** Key usage names in bit order (bit 0 first). */
export const KEY_USAGE_NAMES: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
]

/** Subject public key types a certificate can carry. P-256 serves ECDSA or ECDH by role. */
export type CertificateKeyType = 'Ed25519' | 'X25519' | 'P-256'

/** How a role's subject is tied to an operator or a mailbox (a `barid:` URI in subjectAltName). */
export type BaridUriKind = 'none' | 'operator' | 'mailbox'

/** One row of the profile table. */
export interface CertificateProfile {
  readonly role: CertificateRole
  /** basicConstraints cA; CA profiles also fix pathLenConstraint. */
  readonly ca: boolean
  readonly pathLength: number | undefined
  /** The exact keyUsage bits (the extension is always present and critical). */
  readonly keyUsage: readonly KeyUsageName[]
  /** The exact extendedKeyUsage purposes; empty means the extension is absent. */
  readonly extKeyUsage: readonly string[]
  /** Longest allowed notAfter - notBefore, in days. */
  readonly maxLifetimeDays: number
  readonly subjectKeyTypes: readonly CertificateKeyType[]
  /** The role of the issuer; `self` for the self-signed root. */
  readonly issuerRole: CertificateRole | 'self'
  /** Number of certificates in a complete path from this role to the anchor, anchor included. */
  readonly pathCertificates: number
  readonly baridUri: BaridUriKind
}

const SIGNING_KEYS: readonly CertificateKeyType[] = ['Ed25519', 'P-256']

/** The profile table (spec section 4.3). Years are counted as 365.25 days, rounded up. */
export const PROFILES: Readonly<Record<CertificateRole, CertificateProfile>> = {
  'federation-root': {
    role: 'federation-root',
    ca: true,
    pathLength: 1,
    keyUsage: ['keyCertSign', 'cRLSign'],
    extKeyUsage: [],
    maxLifetimeDays: 7305,
    subjectKeyTypes: SIGNING_KEYS,
    issuerRole: 'self',
    pathCertificates: 1,
    baridUri: 'none',
  },
  'operator-ca': {
    role: 'operator-ca',
    ca: true,
    pathLength: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
    extKeyUsage: [],
    maxLifetimeDays: 3653,
    subjectKeyTypes: SIGNING_KEYS,
    issuerRole: 'federation-root',
    pathCertificates: 2,
    baridUri: 'operator',
  },
  node: {
    role: 'node',
    ca: false,
    pathLength: undefined,
    keyUsage: ['digitalSignature'],
    extKeyUsage: [BARID_EKU.requestSigning, BARID_EKU.evidenceSigning],
    maxLifetimeDays: 731,
    subjectKeyTypes: SIGNING_KEYS,
    issuerRole: 'operator-ca',
    pathCertificates: 3,
    baridUri: 'operator',
  },
  'mailbox-encryption': {
    role: 'mailbox-encryption',
    ca: false,
    pathLength: undefined,
    keyUsage: ['keyAgreement'],
    extKeyUsage: [BARID_EKU.mailbox],
    maxLifetimeDays: 731,
    subjectKeyTypes: ['X25519', 'P-256'],
    issuerRole: 'operator-ca',
    pathCertificates: 3,
    baridUri: 'mailbox',
  },
  'mailbox-signing': {
    role: 'mailbox-signing',
    ca: false,
    pathLength: undefined,
    keyUsage: ['digitalSignature'],
    extKeyUsage: [BARID_EKU.sender],
    maxLifetimeDays: 731,
    subjectKeyTypes: SIGNING_KEYS,
    issuerRole: 'operator-ca',
    pathCertificates: 3,
    baridUri: 'mailbox',
  },
}

/**
 * True when `value` names a certificate role.
 *
 * @example
 * ```ts
 * isCertificateRole('node') // true
 * ```
 */
export function isCertificateRole(value: unknown): value is CertificateRole {
  return typeof value === 'string' && (CERTIFICATE_ROLES as readonly string[]).includes(value)
}

/**
 * The role a certificate's extensions claim: CA certificates are the root when self-issued and an
 * operator CA otherwise; end entities are told apart by their Barid EKU. `undefined` when the
 * extensions claim no role or more than one.
 *
 * @example
 * ```ts
 * inferRole({ ca: false, selfIssued: false, extKeyUsage: [BARID_EKU.mailbox] })
 * // 'mailbox-encryption'
 * ```
 */
export function inferRole(facts: {
  ca: boolean
  selfIssued: boolean
  extKeyUsage: readonly string[] | undefined
}): CertificateRole | undefined {
  if (facts.ca) return facts.selfIssued ? 'federation-root' : 'operator-ca'
  const eku = facts.extKeyUsage ?? []
  const claimed = new Set<CertificateRole>()
  if (eku.includes(BARID_EKU.requestSigning) || eku.includes(BARID_EKU.evidenceSigning)) {
    claimed.add('node')
  }
  if (eku.includes(BARID_EKU.mailbox)) claimed.add('mailbox-encryption')
  if (eku.includes(BARID_EKU.sender)) claimed.add('mailbox-signing')
  return claimed.size === 1 ? [...claimed][0] : undefined
}
