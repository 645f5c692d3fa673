/**
 * @module x509/signature
 * Certificate signature verification over the exact tbsCertificate bytes (RFC 5280 section
 * 6.1.3 (a)(1)), and import of a certificate's subject key as a WebCrypto key. Imported keys are
 * cached per parsed certificate, so validating many chains through the same CA imports its key
 * once.
 */
import { BaridError } from '../errors.js'
import { keyAlgorithmInfo } from '../keys/index.js'
import type { ParsedCertificate } from './certificate.js'
import { ecdsaSignatureToRaw } from './der.js'

const verifyKeys = new WeakMap<ParsedCertificate, Promise<CryptoKey>>()
const subjectKeys = new WeakMap<ParsedCertificate, Promise<CryptoKey>>()

/**
 * The certificate's subject key as a CryptoKey for the use its role gives it: `verify` for
 * signing roles, key agreement (`ECDH`/`X25519`, no usages on a public key) for
 * mailbox-encryption. Throws `ERR_UNSUPPORTED_ALGORITHM` for other key types and `ERR_KEY_INVALID`
 * when the key does not import (for example a P-256 point off the curve).
 *
 * @example
 * ```ts
 * const recipientKey = await certificatePublicKey(mailboxEncryptionCert) // X25519 CryptoKey
 * ```
 */
export function certificatePublicKey(cert: ParsedCertificate): Promise<CryptoKey> {
  let key = subjectKeys.get(cert)
  if (key === undefined) {
    const info = keyAlgorithmInfo(cert.keyAlgorithm)
    key = importSpki(cert.spki, info.webCrypto, [...info.publicUsages])
    subjectKeys.set(cert, key)
  }
  return key
}

/**
 * True when `cert`'s signature verifies under `issuer`'s subject key with the algorithm `cert`
 * names, and that algorithm fits the issuer's key type. False for any mismatch or bad signature
 * encoding; throws `ERR_KEY_INVALID` only when the issuer key itself cannot be imported.
 *
 * @example
 * ```ts
 * if (!(await verifyCertificateSignature(leaf, operatorCa))) throw ...
 * ```
 */
export async function verifyCertificateSignature(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
): Promise<boolean> {
  if (cert.signatureAlgorithm === 'Ed25519' && issuer.keyType === 'Ed25519') {
    const key = await verifyKey(issuer, { name: 'Ed25519' })
    return crypto.subtle.verify('Ed25519', key, bs(cert.signature), bs(cert.tbs))
  }
  if (cert.signatureAlgorithm === 'ES256' && issuer.keyType === 'P-256') {
    let raw: Uint8Array
    try {
      raw = ecdsaSignatureToRaw(cert.signature)
    } catch {
      return false
    }
    const key = await verifyKey(issuer, { name: 'ECDSA', namedCurve: 'P-256' })
    return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, bs(raw), bs(cert.tbs))
  }
  return false
}

function verifyKey(
  issuer: ParsedCertificate,
  alg: Algorithm | EcKeyImportParams,
): Promise<CryptoKey> {
  let key = verifyKeys.get(issuer)
  if (key === undefined) {
    key = importSpki(issuer.spki, alg, ['verify'])
    verifyKeys.set(issuer, key)
  }
  return key
}

async function importSpki(
  spki: Uint8Array,
  alg: Algorithm | EcKeyImportParams,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('spki', bs(spki), alg, true, usages)
  } catch (cause) {
    throw new BaridError('ERR_KEY_INVALID', 'certificate public key cannot be imported', { cause })
  }
}

function bs(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>
}
