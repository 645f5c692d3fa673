/**
 * @module keys/key-certificate
 * Checking a mailbox key certificate (spec 13.4) before encrypting to the key or trusting a
 * signature made with it: an X.509 certificate (DER, base64url on the wire) issued by the
 * operator CA of the mailbox's operator, role `mailbox-encryption` for an `enc` key and
 * `mailbox-signing` for a `sig` key (spec 08.4), naming the mailbox in a `barid:mailbox:` URI.
 * It must speak for that operator now under the trust list (spec 21.3): the operator active,
 * the chain valid to a listed root through one of the operator's listed CAs, not revoked.
 */
import {
  BaridError,
  fromBase64Url,
  importPublicJwk,
  parseCertificate,
  parseMailboxAddress,
  type ParsedCertificate,
  type PublicKeyHandle,
} from '../core.js'
import { check } from '../args/check.js'
import { verifyKeyCertificateOptions } from '../args/shapes.js'
import type { KeyTrust } from '../trust/key-trust.js'

/** Longest certificate text accepted (16 KiB of DER). */
const MAX_CERT_CHARS = Math.ceil((16 * 1024 * 4) / 3)

/** A key whose certificate verified. */
export interface CertifiedKey {
  kid: string
  use: 'enc' | 'sig'
  /** The imported public key. */
  handle: PublicKeyHandle
  /** The certificate as the node gave it (base64url DER). */
  certificate: string
  /** The parsed certificate. */
  parsed: ParsedCertificate
  /** Milliseconds: the certificate's notBefore (not an order of keys: spec 13.4). */
  issuedAt: number
  /** Milliseconds: its notAfter. */
  expiresAt: number
}

/** Options for {@link verifyKeyCertificate}. */
export interface VerifyKeyCertificateOptions {
  trust: KeyTrust
  /** The mailbox the key must belong to. */
  address: string
  use: 'enc' | 'sig'
  /** Milliseconds since the epoch; default now. */
  now?: number
}

/**
 * Verifies a mailbox key certificate and returns the certified key. Throws
 * `ERR_CERT_MALFORMED`, `ERR_KEY_INVALID` (a certificate for the other use),
 * `ERR_CERT_OPERATOR_MISMATCH` (another mailbox, or a CA of another operator), and every code
 * of the trust list checks: `ERR_OPERATOR_SUSPENDED`, `ERR_OPERATOR_WITHDRAWN`,
 * `ERR_CERT_UNTRUSTED`, `ERR_CERT_EXPIRED`, `ERR_CERT_NOT_YET_VALID`, `ERR_CERT_REVOKED`,
 * `ERR_CERT_SIGNATURE_INVALID`, `ERR_TRUST_LIST_EXPIRED`, ...
 *
 * @example
 * ```ts
 * const k = await verifyKeyCertificate(entry.certificate, { trust, address: 'lars.jensen@digitalpost.dk', use: 'enc' })
 * k.handle.publicKey // encrypt to it
 * ```
 */
export async function verifyKeyCertificate(
  certificate: unknown,
  o: VerifyKeyCertificateOptions,
): Promise<CertifiedKey> {
  check(o, verifyKeyCertificateOptions, 'options')
  const now = o.now ?? Date.now()
  const mailbox = parseMailboxAddress(o.address)
  if (
    typeof certificate !== 'string' ||
    certificate.length === 0 ||
    certificate.length > MAX_CERT_CHARS
  )
    throw new BaridError('ERR_CERT_MALFORMED', 'a key certificate must be base64url DER')
  let der: Uint8Array
  try {
    der = fromBase64Url(certificate)
  } catch (cause) {
    throw new BaridError('ERR_CERT_MALFORMED', 'a key certificate must be base64url DER', {
      cause,
    })
  }
  const cert = await parseCertificate(der)
  const role = o.use === 'enc' ? 'mailbox-encryption' : 'mailbox-signing'
  if (cert.role !== role && (cert.role === 'mailbox-encryption' || cert.role === 'mailbox-signing'))
    throw new BaridError('ERR_KEY_INVALID', `the key is certified for the other use, not ${o.use}`)
  if (cert.mailbox !== mailbox.address)
    throw new BaridError('ERR_CERT_OPERATOR_MISMATCH', 'the key certificate is for another mailbox')
  // The mailbox's operator is what the address says, never what the certificate says (21.3).
  const store = await o.trust.store()
  const { certificate: valid } = await store.validatePeerChain(cert, {
    operator: mailbox.operator,
    role,
    at: Math.floor(now / 1000),
  })
  if (valid.publicJwk === undefined)
    throw new BaridError('ERR_CERT_PROFILE', 'the certificate carries no usable key')
  const handle = await importPublicJwk(valid.publicJwk, {
    use: o.use === 'enc' ? 'encrypt' : 'sign',
  })
  return {
    kid: handle.kidBase64Url,
    use: o.use,
    handle,
    certificate,
    parsed: valid,
    issuedAt: valid.notBefore.getTime(),
    expiresAt: valid.notAfter.getTime(),
  }
}
