/**
 * @module x509/create
 * Issues certificates that follow the Barid profiles (`spec/08-keys-and-certificates.md` section
 * 4). Every profile rule a validator checks is also enforced here, so a certificate this function
 * returns validates for its role (given a valid issuer and time).
 */
import type { x509 } from './setup.js'
import { BaridError } from '../errors.js'
import { parseMailboxAddress } from '../address/mailbox-address.js'
import { parseOperatorId } from '../address/operator-id.js'
import { exportPublicJwk, jwkThumbprint } from '../keys/index.js'
import { buildCertificate, profileExtensions } from './build.js'
import type { CertificateInput, ParsedCertificate } from './certificate.js'
import { parseCertificate } from './parse.js'
import {
  PROFILES,
  isCertificateRole,
  type CertificateKeyType,
  type CertificateRole,
} from './roles.js'
import { verifyCertificateSignature } from './signature.js'

/** The subject of a Barid certificate (spec section 4.4). */
export interface CertificateSubjectName {
  /** 1-64 characters; a display name, not an identifier. */
  commonName: string
  /** 1-64 characters. */
  organization?: string
  /** ISO 3166-1 alpha-2 code, upper case. */
  country?: string
}

/** The issuing CA: its certificate and private key. */
export interface CertificateIssuer {
  certificate: CertificateInput
  privateKey: CryptoKey
}

/** Parameters of {@link createCertificate}. */
export interface CreateCertificateParams {
  role: CertificateRole
  subjectName: CertificateSubjectName
  /** The subject's public key. */
  publicKey: CryptoKey
  /** The issuing CA, or `'self'` for a federation root. */
  issuer: CertificateIssuer | 'self'
  /** The subject's own private key: required when `issuer` is `'self'`, refused otherwise. */
  privateKey?: CryptoKey
  /** Start of validity; truncated to whole seconds. */
  notBefore: Date
  /** End of validity (inclusive); truncated to whole seconds. */
  notAfter: Date
  /** Serial number, hex, 1-20 octets, positive. Default: 16 random bytes from `random`. */
  serialNumber?: string
  /** Operator id (operator-ca: required; node: defaults to the issuer's). */
  operatorId?: string
  /** Mailbox address (mailbox-encryption and mailbox-signing: required). */
  mailbox?: string
  /** Randomness for the default serial number. Default: `crypto.getRandomValues`. */
  random?: (length: number) => Uint8Array
}

const DAY_MS = 86_400_000

/**
 * Issues a certificate for `role`, enforcing its profile. Throws `ERR_CERT_PROFILE` when the
 * request breaks the profile (lifetime, key type, issuer role, validity outside the issuer's,
 * operator mismatch), `ERR_INVALID_ARGUMENT` / `ERR_ADDRESS_INVALID` for bad inputs, and
 * `ERR_KEY_INVALID` when the signing key does not match the issuer certificate.
 *
 * @example
 * ```ts
 * const root = await createCertificate({
 *   role: 'federation-root', subjectName: { commonName: 'Barid Federation Root' },
 *   publicKey: rootKeys.publicKey, privateKey: rootKeys.privateKey, issuer: 'self',
 *   notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2045-01-01T00:00:00Z'),
 * })
 * const ca = await createCertificate({
 *   role: 'operator-ca', subjectName: { commonName: 'Egypt Post CA', country: 'EG' },
 *   publicKey: caKeys.publicKey, issuer: { certificate: root, privateKey: rootKeys.privateKey },
 *   operatorId: 'post.eg', notBefore, notAfter,
 * })
 * ```
 */
export async function createCertificate(
  params: CreateCertificateParams,
): Promise<ParsedCertificate> {
  if (!isCertificateRole(params.role)) throw argument('role is not a certificate role')
  const profile = PROFILES[params.role]
  const notBefore = wholeSeconds(params.notBefore, 'notBefore')
  const notAfter = wholeSeconds(params.notAfter, 'notAfter')
  const lifetime = notAfter.getTime() - notBefore.getTime()
  if (lifetime <= 0 || lifetime > profile.maxLifetimeDays * DAY_MS) {
    throw profileError(`a ${params.role} certificate lives at most ${profile.maxLifetimeDays} days`)
  }
  const keyType = subjectKeyType(params.publicKey, params.role)
  if (!profile.subjectKeyTypes.includes(keyType)) {
    throw profileError(`a ${params.role} certificate cannot certify ${keyType} keys`)
  }
  const subjectJwk = await exportPublicJwk(params.publicKey)
  const kid = await jwkThumbprint(subjectJwk)

  let issuer: ParsedCertificate | undefined
  let signingKey: CryptoKey
  if (params.issuer === 'self') {
    if (profile.issuerRole !== 'self')
      throw profileError(`a ${params.role} certificate cannot be self-signed`)
    if (params.privateKey === undefined)
      throw argument('a self-signed certificate needs privateKey')
    signingKey = params.privateKey
  } else {
    if (profile.issuerRole === 'self') throw profileError('a federation root must be self-signed')
    if (params.privateKey !== undefined) throw argument('privateKey is only for self-signed roots')
    issuer = await parseCertificate(params.issuer.certificate)
    if (issuer.role !== profile.issuerRole) {
      throw profileError(
        `the issuer of a ${params.role} certificate must have role ${profile.issuerRole}`,
      )
    }
    if (notBefore < issuer.notBefore || notAfter > issuer.notAfter) {
      throw profileError("validity must lie within the issuer's validity")
    }
    signingKey = params.issuer.privateKey
  }
  checkSigningKey(signingKey)

  const baridUri = baridUriFor(params, issuer)
  const subject = subjectJson(params.subjectName)
  const der = await buildCertificate({
    subject,
    issuer: issuer === undefined ? subject : issuer.subject.der,
    publicKey: params.publicKey,
    signingKey,
    serialNumber: serialHex(params.serialNumber, params.random),
    notBefore,
    notAfter,
    extensions: profileExtensions({
      role: params.role,
      kid,
      ...(issuer?.kid === undefined ? {} : { issuerKid: issuer.kid }),
      ...(baridUri === undefined ? {} : { baridUri }),
    }),
  })
  const cert = await parseCertificate(der)
  if (!(await verifyCertificateSignature(cert, issuer ?? cert))) {
    throw new BaridError(
      'ERR_KEY_INVALID',
      "the signing key does not match the issuer's certificate",
    )
  }
  return cert
}

function baridUriFor(
  p: CreateCertificateParams,
  issuer: ParsedCertificate | undefined,
): string | undefined {
  const kind = PROFILES[p.role].baridUri
  if (kind === 'none') {
    if (p.operatorId !== undefined || p.mailbox !== undefined) {
      throw argument('a federation root names no operator or mailbox')
    }
    return undefined
  }
  const issuerOperator = issuer?.role === 'operator-ca' ? issuer.operatorId : undefined
  const operator =
    p.operatorId === undefined ? issuerOperator : parseOperatorId(p.operatorId, { canonical: true })
  if (kind === 'operator') {
    if (p.mailbox !== undefined) throw argument(`a ${p.role} certificate names no mailbox`)
    if (operator === undefined) throw argument(`a ${p.role} certificate needs operatorId`)
    if (issuerOperator !== undefined && operator !== issuerOperator) {
      throw profileError("operatorId must be the issuing operator CA's")
    }
    return `barid:operator:${operator}`
  }
  if (p.mailbox === undefined) throw argument(`a ${p.role} certificate needs mailbox`)
  const mailbox = parseMailboxAddress(p.mailbox, { canonical: true })
  if (
    mailbox.operator !== issuerOperator ||
    (operator !== undefined && operator !== issuerOperator)
  ) {
    throw profileError("the mailbox must belong to the issuing operator CA's operator")
  }
  return `barid:mailbox:${mailbox.address}`
}

function subjectKeyType(key: CryptoKey, role: CertificateRole): CertificateKeyType {
  if (key.type !== 'public') throw argument('publicKey must be a public key')
  const alg = key.algorithm as EcKeyAlgorithm
  const agreement = role === 'mailbox-encryption'
  if (alg.name === 'Ed25519') return 'Ed25519'
  if (alg.name === 'X25519') return 'X25519'
  if ((alg.name === 'ECDSA' || alg.name === 'ECDH') && alg.namedCurve === 'P-256') {
    // A P-256 key's WebCrypto name records its use; it must fit the role.
    if ((alg.name === 'ECDH') !== agreement) {
      throw profileError(`a ${role} certificate cannot certify ${alg.name} keys`)
    }
    return 'P-256'
  }
  throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'publicKey is not a key type Barid allows')
}

function checkSigningKey(key: CryptoKey): void {
  const alg = key.algorithm as EcKeyAlgorithm
  const ok = alg.name === 'Ed25519' || (alg.name === 'ECDSA' && alg.namedCurve === 'P-256')
  if (key.type !== 'private' || !ok || !key.usages.includes('sign')) {
    throw new BaridError(
      'ERR_UNSUPPORTED_ALGORITHM',
      'certificates are signed with Ed25519 or ECDSA P-256 private keys',
    )
  }
}

function subjectJson(name: CertificateSubjectName): x509.JsonNameParams {
  if (typeof name !== 'object' || name === null) throw argument('subjectName must be an object')
  const text = (v: unknown, field: string) => {
    // X.520 upper bound ub-common-name / ub-organization-name: 64 characters.
    if (typeof v !== 'string' || v.length < 1 || v.length > 64 || /[\u0000-\u001f\u007f]/.test(v)) {
      throw argument(`subjectName.${field} must be 1-64 characters without control characters`)
    }
    return v
  }
  const out: x509.JsonNameParams = []
  if (name.country !== undefined) {
    if (typeof name.country !== 'string' || !/^[A-Z]{2}$/.test(name.country)) {
      throw argument('subjectName.country must be an ISO 3166-1 alpha-2 code')
    }
    out.push({ C: [name.country] })
  }
  if (name.organization !== undefined) {
    out.push({ O: [{ utf8String: text(name.organization, 'organization') }] })
  }
  out.push({ CN: [{ utf8String: text(name.commonName, 'commonName') }] })
  return out
}

function serialHex(serial: string | undefined, random?: (n: number) => Uint8Array): string {
  if (serial === undefined) {
    const bytes = random ? random(16) : crypto.getRandomValues(new Uint8Array(16))
    if (!(bytes instanceof Uint8Array) || bytes.length !== 16)
      throw argument('random must return 16 bytes')
    const b = bytes.slice()
    b[0] = (b[0]! & 0x7f) | 0x40 // positive and exactly 16 octets (RFC 5280 section 4.1.2.2)
    return [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  }
  const s = typeof serial === 'string' ? serial.toLowerCase() : ''
  // RFC 5280 section 4.1.2.2: positive, at most 20 octets; DER: no leading zero octet.
  const first = parseInt(s.slice(0, 2), 16)
  if (!/^([0-9a-f]{2}){1,20}$/.test(s) || first === 0 || first >= 0x80) {
    throw argument('serialNumber must be 1-20 octets of hex, the first in 01-7f')
  }
  return s
}

function wholeSeconds(d: Date, field: string): Date {
  if (!(d instanceof Date) || !Number.isFinite(d.getTime()))
    throw argument(`${field} must be a valid Date`)
  const t = Math.floor(d.getTime() / 1000) * 1000
  const year = new Date(t).getUTCFullYear()
  if (year < 1950 || year > 9999) throw argument(`${field} must lie in the years 1950-9999`)
  return new Date(t)
}

function argument(message: string): BaridError {
  return new BaridError('ERR_INVALID_ARGUMENT', message)
}

function profileError(message: string): BaridError {
  return new BaridError('ERR_CERT_PROFILE', message)
}
