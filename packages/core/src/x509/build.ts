/**
 * @module x509/build
 * Low-level certificate assembly: writes exactly the fields and extensions it is given and signs
 * them. `createCertificate` is the public, profile-enforcing way in; this module exists for it and
 * for tests and vectors that must produce certificates breaking one rule at a time. Not exported
 * from the package.
 */
import { x509 } from './setup.js'
import { toHex } from '../bytes.js'
import { KEY_USAGE_NAMES, PROFILES, type CertificateRole, type KeyUsageName } from './roles.js'

/** Exactly what goes into a certificate. */
export interface BuildCertificateParams {
  /** Subject name as @peculiar/x509 JSON, or DER. */
  subject: x509.JsonNameParams | Uint8Array
  /** Issuer name as JSON, or DER (copy the issuer's subject DER for exact name chaining). */
  issuer: x509.JsonNameParams | Uint8Array
  /** The subject key: a public CryptoKey or SPKI DER. */
  publicKey: CryptoKey | Uint8Array
  signingKey: CryptoKey
  /** Serial number, hex. */
  serialNumber: string
  notBefore: Date
  notAfter: Date
  extensions: x509.Extension[]
}

/**
 * Assembles and signs a certificate; returns its DER. Signs with Ed25519 or ECDSA P-256 + SHA-256
 * according to `signingKey`.
 *
 * @example
 * ```ts
 * const der = await buildCertificate({ subject, issuer: subject, publicKey, signingKey, ... })
 * ```
 */
export async function buildCertificate(p: BuildCertificateParams): Promise<Uint8Array> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: p.serialNumber,
    subject: toName(p.subject),
    issuer: toName(p.issuer),
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey:
      p.publicKey instanceof Uint8Array
        ? (p.publicKey.slice() as Uint8Array<ArrayBuffer>)
        : p.publicKey,
    signingKey: p.signingKey,
    extensions: p.extensions,
  })
  return new Uint8Array(cert.rawData)
}

function toName(name: x509.JsonNameParams | Uint8Array): x509.Name {
  return new x509.Name(
    name instanceof Uint8Array ? (name.slice() as Uint8Array<ArrayBuffer>) : name,
  )
}

/** Inputs for the standard extensions of a role. */
export interface ProfileExtensionParams {
  role: CertificateRole
  /** Key id of the subject key (becomes subjectKeyIdentifier). */
  kid: Uint8Array
  /** Key id of the issuer's key (becomes authorityKeyIdentifier); absent for the root. */
  issuerKid?: Uint8Array
  /** The `barid:` URI for subjectAltName; absent for the root. */
  baridUri?: string
}

/**
 * The extensions a role's profile prescribes, in a fixed order: basicConstraints (CA only,
 * critical), keyUsage (critical), extendedKeyUsage (end entities), subjectAltName,
 * subjectKeyIdentifier, authorityKeyIdentifier.
 *
 * @example
 * ```ts
 * const baridUri = 'barid:operator:post.eg'
 * const exts = profileExtensions({ role: 'node', kid, issuerKid, baridUri })
 * ```
 */
export function profileExtensions(p: ProfileExtensionParams): x509.Extension[] {
  const profile = PROFILES[p.role]
  const exts: x509.Extension[] = []
  if (profile.ca) exts.push(new x509.BasicConstraintsExtension(true, profile.pathLength, true))
  exts.push(new x509.KeyUsagesExtension(keyUsageFlags(profile.keyUsage), true))
  if (profile.extKeyUsage.length > 0) {
    exts.push(new x509.ExtendedKeyUsageExtension([...profile.extKeyUsage], false))
  }
  if (p.baridUri !== undefined) {
    exts.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: p.baridUri }], false))
  }
  exts.push(new x509.SubjectKeyIdentifierExtension(toHex(p.kid), false))
  if (p.issuerKid !== undefined) {
    exts.push(new x509.AuthorityKeyIdentifierExtension(toHex(p.issuerKid), false))
  }
  return exts
}

/** The @peculiar/x509 flag value of a set of key usage names. */
export function keyUsageFlags(names: readonly KeyUsageName[]): x509.KeyUsageFlags {
  let flags = 0
  for (const n of names) flags |= 1 << KEY_USAGE_NAMES.indexOf(n)
  return flags as x509.KeyUsageFlags
}
