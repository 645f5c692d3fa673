/**
 * @module x509/certificate
 * The typed view of a parsed certificate. Everything a validator or an application needs is read
 * once, at parse time, into plain fields; nothing is decoded lazily later, so no later access can
 * throw. Views are frozen and remembered, so `validateChain` can tell a real view from a look-alike
 * object.
 */
import type { KeyAlgorithm, PublicJwk } from '../keys/index.js'
import type { CertificateKeyType, CertificateRole, KeyUsageName } from './roles.js'

/** Parts of a distinguished name Barid uses (RFC 5280 section 4.1.2.4). */
export interface CertificateName {
  /** RFC 4514-style text, for display and logs. */
  readonly text: string
  /** The exact DER, for name chaining (compared byte for byte). */
  readonly der: Uint8Array
  readonly commonName: string | undefined
  readonly organization: string | undefined
  readonly country: string | undefined
  /** Number of attributes in the name. */
  readonly attributeCount: number
}

/** One extension as it appears in the certificate. */
export interface CertificateExtension {
  readonly oid: string
  readonly critical: boolean
}

/** A parsed certificate. Obtain one from `parseCertificate` or `createCertificate`. */
export interface ParsedCertificate {
  /** The certificate, DER. */
  readonly der: Uint8Array
  /** The role its extensions claim, or `undefined` if none or several. */
  readonly role: CertificateRole | undefined
  /** X.509 version (1, 2 or 3; Barid requires 3). */
  readonly version: number
  /** Serial number, lower-case hex of the DER INTEGER contents (sign octet kept). */
  readonly serialNumber: string
  readonly subject: CertificateName
  readonly issuer: CertificateName
  /** Subject and issuer names are byte-identical (RFC 5280 section 6.1: self-issued). */
  readonly selfIssued: boolean
  readonly notBefore: Date
  readonly notAfter: Date
  /** Signature algorithm, or `undefined` when it is not one Barid allows. */
  readonly signatureAlgorithm: 'Ed25519' | 'ES256' | undefined
  /** Subject key type, or `undefined` when it is not one Barid allows. */
  readonly keyType: CertificateKeyType | undefined
  /** Subject key algorithm as used by the role (P-256 is ES256 or ECDH-P256). */
  readonly keyAlgorithm: KeyAlgorithm | undefined
  /** Subject public key as a JWK, when {@link keyType} is known. */
  readonly publicJwk: PublicJwk | undefined
  /** Barid key id of the subject key (RFC 7638 thumbprint), when {@link keyType} is known. */
  readonly kid: Uint8Array | undefined
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Uint8Array
  /** tbsCertificate as received, DER: what the signature covers. */
  readonly tbs: Uint8Array
  /** The signature value (for ES256 still the DER ECDSA-Sig-Value). */
  readonly signature: Uint8Array
  /** True when the issuer and subject unique identifiers (RFC 5280 section 4.1.2.8) are present. */
  readonly hasUniqueIds: boolean
  readonly extensions: readonly CertificateExtension[]
  readonly basicConstraints:
    | { readonly ca: boolean; readonly pathLength: number | undefined; readonly critical: boolean }
    | undefined
  readonly keyUsage:
    { readonly usages: readonly KeyUsageName[]; readonly critical: boolean } | undefined
  /** extendedKeyUsage purposes (OIDs), or `undefined` when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined
  readonly subjectKeyId: Uint8Array | undefined
  /** keyIdentifier of authorityKeyIdentifier, when present. */
  readonly authorityKeyId: Uint8Array | undefined
  /** True when authorityKeyIdentifier carries an issuer name or serial (Barid forbids both). */
  readonly authorityKeyIdHasIssuer: boolean
  /** subjectAltName URIs. */
  readonly uris: readonly string[]
  /** Number of subjectAltName entries that are not URIs. */
  readonly otherAltNames: number
  /** Operator id from `barid:operator:` or the operator part of the mailbox address. */
  readonly operatorId: string | undefined
  /** Mailbox address from `barid:mailbox:`. */
  readonly mailbox: string | undefined
}

/** A certificate as accepted by the API: a parsed view, DER bytes, or PEM text. */
export type CertificateInput = ParsedCertificate | Uint8Array | string

const issued = new WeakSet<ParsedCertificate>()

/** Freezes a view and remembers it as produced by this module. */
export function sealView(view: ParsedCertificate): ParsedCertificate {
  Object.freeze(view)
  issued.add(view)
  return view
}

/** True when `value` is a view made by `parseCertificate` (not a look-alike object). */
export function isParsedCertificate(value: unknown): value is ParsedCertificate {
  return typeof value === 'object' && value !== null && issued.has(value as ParsedCertificate)
}
