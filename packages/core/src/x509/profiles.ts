/**
 * @module x509/profiles
 * Checks one certificate against the profile of a role (`spec/08-keys-and-certificates.md`
 * section 4.3 and section 5 step 6). The order of the checks, and the code each failure carries,
 * is normative: implementations report the same code for the same certificate.
 */
import { bytesEqual } from '../bytes.js'
import { BaridError, type BaridErrorCode } from '../errors.js'
import type { ParsedCertificate } from './certificate.js'
import { EXTENSION_OID, IGNORED_EXTENSIONS, KNOWN_EXTENSIONS } from './oids.js'
import { PROFILES, type CertificateRole } from './roles.js'

const DAY_MS = 86_400_000

/**
 * Throws the first profile rule `cert` breaks for `role`, in the order of spec section 5 step 6:
 * `ERR_CERT_PROFILE` (version, algorithms, key, unique ids, unknown critical extensions),
 * `ERR_CERT_NOT_CA` / `ERR_CERT_PROFILE` (basicConstraints), `ERR_CERT_KEY_USAGE`,
 * `ERR_CERT_EXT_KEY_USAGE`, then `ERR_CERT_PROFILE` (lifetime, serial, key identifiers, names,
 * `barid:` URI). `index` is the certificate's position in the path, for error details.
 *
 * @example
 * ```ts
 * checkProfile(cert, 'node') // throws BaridError or returns
 * ```
 */
export function checkProfile(cert: ParsedCertificate, role: CertificateRole, index = 0): void {
  const p = PROFILES[role]
  const fail = (code: BaridErrorCode, rule: string): never => {
    throw new BaridError(code, `certificate ${index} breaks the ${role} profile: ${rule}`, {
      details: { index, role, rule },
    })
  }

  if (cert.version !== 3) fail('ERR_CERT_PROFILE', 'version must be 3')
  if (cert.signatureAlgorithm === undefined)
    fail('ERR_CERT_PROFILE', 'signature algorithm must be Ed25519 or ES256')
  if (cert.keyType === undefined || !p.subjectKeyTypes.includes(cert.keyType)) {
    fail('ERR_CERT_PROFILE', `subject key must be one of ${p.subjectKeyTypes.join(', ')}`)
  }
  if (cert.hasUniqueIds) fail('ERR_CERT_PROFILE', 'unique identifiers are not allowed')
  for (const ext of cert.extensions) {
    if (KNOWN_EXTENSIONS.has(ext.oid)) {
      // RFC 5280 4.2.1.3 and 4.2.1.9: keyUsage and basicConstraints critical; Barid: others not.
      const mustBeCritical =
        ext.oid === EXTENSION_OID.keyUsage || ext.oid === EXTENSION_OID.basicConstraints
      if (ext.critical !== mustBeCritical) {
        fail(
          'ERR_CERT_PROFILE',
          `${extensionName(ext.oid)} must ${mustBeCritical ? '' : 'not '}be critical`,
        )
      }
    } else if (ext.critical || !IGNORED_EXTENSIONS.has(ext.oid)) {
      // RFC 5280 section 4.2 for critical ones; spec section 0.4 (no unknown fields) for the rest.
      fail('ERR_CERT_PROFILE', `unknown ${ext.critical ? 'critical ' : ''}extension ${ext.oid}`)
    }
  }

  const bc = cert.basicConstraints
  if (p.ca) {
    if (bc === undefined || !bc.ca) fail('ERR_CERT_NOT_CA', 'basicConstraints cA must be true')
    if (bc!.pathLength !== p.pathLength)
      fail('ERR_CERT_PROFILE', `pathLenConstraint must be ${p.pathLength}`)
  } else if (bc?.ca === true) {
    fail('ERR_CERT_PROFILE', 'an end-entity certificate must not be a CA')
  }

  const ku = cert.keyUsage
  if (ku === undefined || !sameSet(ku.usages, p.keyUsage)) {
    fail('ERR_CERT_KEY_USAGE', `keyUsage must be exactly ${p.keyUsage.join(', ')}`)
  }

  if (p.extKeyUsage.length === 0) {
    if (cert.extKeyUsage !== undefined)
      fail('ERR_CERT_EXT_KEY_USAGE', 'a CA must not carry extendedKeyUsage')
  } else if (cert.extKeyUsage === undefined || !sameSet(cert.extKeyUsage, p.extKeyUsage)) {
    fail('ERR_CERT_EXT_KEY_USAGE', `extendedKeyUsage must be exactly ${p.extKeyUsage.join(', ')}`)
  }

  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime()
  if (lifetime <= 0 || lifetime > p.maxLifetimeDays * DAY_MS) {
    fail('ERR_CERT_PROFILE', `lifetime must be positive and at most ${p.maxLifetimeDays} days`)
  }
  // RFC 5280 section 4.1.2.2: positive, at most 20 octets (hex of the DER contents: 40 digits).
  if (
    cert.serialNumber.length > 40 ||
    /^(00)*$/.test(cert.serialNumber) ||
    parseInt(cert.serialNumber.slice(0, 2), 16) >= 0x80
  ) {
    fail('ERR_CERT_PROFILE', 'serial number must be positive and at most 20 octets')
  }
  if (
    cert.subjectKeyId === undefined ||
    cert.kid === undefined ||
    !bytesEqual(cert.subjectKeyId, cert.kid)
  ) {
    fail('ERR_CERT_PROFILE', 'subjectKeyIdentifier must be the key id of the subject key')
  }
  if (cert.authorityKeyIdHasIssuer)
    fail('ERR_CERT_PROFILE', 'authorityKeyIdentifier must carry only keyIdentifier')
  if (p.issuerRole === 'self') {
    if (!cert.selfIssued) fail('ERR_CERT_PROFILE', 'a federation root must be self-issued')
    if (cert.authorityKeyId !== undefined && !bytesEqual(cert.authorityKeyId, cert.kid!)) {
      fail('ERR_CERT_PROFILE', 'authorityKeyIdentifier of a root must be its own key id')
    }
  } else if (cert.authorityKeyId === undefined) {
    fail('ERR_CERT_PROFILE', 'authorityKeyIdentifier is required')
  }
  if (cert.subject.commonName === undefined)
    fail('ERR_CERT_PROFILE', 'subject must have a commonName')

  const barid = cert.uris.filter((u) => u.startsWith('barid:'))
  if (p.baridUri === 'none') {
    if (barid.length > 0) fail('ERR_CERT_PROFILE', 'a federation root names no operator or mailbox')
  } else {
    const named =
      p.baridUri === 'operator'
        ? cert.operatorId !== undefined && cert.mailbox === undefined
        : cert.mailbox !== undefined
    if (barid.length !== 1 || !named) {
      fail('ERR_CERT_PROFILE', `subjectAltName must carry exactly one barid:${p.baridUri}: URI`)
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a)
  return sa.size === a.length && sa.size === b.length && b.every((x) => sa.has(x))
}

function extensionName(oid: string): string {
  const entry = Object.entries(EXTENSION_OID).find(([, v]) => v === oid)
  return entry === undefined ? oid : entry[0]
}
