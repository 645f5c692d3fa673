/**
 * @module keys/key-certificate
 * Checking an operator's certification of a mailbox key (spec 13.4) before encrypting to the
 * key or trusting a signature made with it: a compact JWS, `typ` `barid-key-cert+jwt`, signed
 * with the evidence key of the operator that hosts the mailbox. The checks are the ones 13.4
 * lists: signature with a trusted key of operator `iss`, `typ`, `kid` equal to the thumbprint of
 * `jwk`, `use`, `exp` not past, and `sub` the address meant, at operator `iss`.
 */
import {
  BaridError,
  importPublicJwk,
  jwkThumbprintBase64Url,
  parseMailboxAddress,
  type PublicJwk,
  type PublicKeyHandle,
} from '../core.js'
import { splitJws, verifyJwsParts } from '../trust/jws.js'
import type { KeyTrust } from '../trust/key-trust.js'

export const KEY_CERT_TYP = 'barid-key-cert+jwt'

/** Seconds an `iat` may be ahead of the verifier's clock. */
const CLOCK_SKEW_SECONDS = 300

/** The claims of a key certification. */
export interface KeyCertificateClaims {
  v: 1
  /** The operator that certified the key. */
  iss: string
  /** The mailbox address the key belongs to. */
  sub: string
  use: 'enc' | 'sig'
  kid: string
  jwk: PublicJwk
  /** Seconds since the epoch. */
  iat: number
  exp: number
}

/** A key whose certification verified. */
export interface CertifiedKey {
  kid: string
  use: 'enc' | 'sig'
  /** The imported public key. */
  handle: PublicKeyHandle
  certificate: string
  claims: KeyCertificateClaims
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

function malformed(message: string): never {
  throw new BaridError('ERR_CERT_MALFORMED', `key certificate: ${message}`)
}

function readClaims(p: Record<string, unknown>): KeyCertificateClaims {
  if (p.v !== 1) throw new BaridError('ERR_UNSUPPORTED_VERSION', 'key certificate version is not 1')
  for (const k of ['iss', 'sub', 'kid'] as const)
    if (typeof p[k] !== 'string') malformed(`${k} must be a string`)
  if (p.use !== 'enc' && p.use !== 'sig') malformed('use must be enc or sig')
  for (const k of ['iat', 'exp'] as const)
    if (!Number.isSafeInteger(p[k])) malformed(`${k} must be an integer`)
  if (typeof p.jwk !== 'object' || p.jwk === null) malformed('jwk must be an object')
  return p as unknown as KeyCertificateClaims
}

/**
 * Verifies a key certification and returns the certified key. Throws `ERR_CERT_MALFORMED`,
 * `ERR_UNSUPPORTED_ALGORITHM`, `ERR_KEY_NOT_FOUND` (issuer key unknown to `trust`),
 * `ERR_SIGNATURE_INVALID`, `ERR_KEY_RETIRED`, `ERR_CERT_OPERATOR_MISMATCH` (signed by another
 * operator than the mailbox's), `ERR_KEY_INVALID` (wrong use, kid not the key's thumbprint),
 * `ERR_CERT_EXPIRED` or `ERR_CERT_NOT_YET_VALID`.
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
  const now = o.now ?? Date.now()
  const mailbox = parseMailboxAddress(o.address)
  const parts = splitJws(certificate, KEY_CERT_TYP)
  const issuer = await o.trust.evidenceKey(parts.header.kid)
  if (!issuer)
    throw new BaridError(
      'ERR_KEY_NOT_FOUND',
      'the key certificate is signed by a key this client does not trust',
      { details: { operator: mailbox.operator } },
    )
  const claims = readClaims(await verifyJwsParts(parts, issuer.key))
  if (issuer.retiredAt !== null && claims.iat * 1000 >= issuer.retiredAt) {
    throw new BaridError(
      'ERR_KEY_RETIRED',
      'the key certificate was issued after its issuer key was retired',
    )
  }
  // The certifying key must be an evidence key of the operator that hosts the mailbox.
  if (claims.iss !== issuer.operator || claims.iss !== mailbox.operator) {
    throw new BaridError(
      'ERR_CERT_OPERATOR_MISMATCH',
      'the key certificate is not from the operator of the mailbox',
    )
  }
  if (claims.sub !== mailbox.address)
    throw new BaridError('ERR_CERT_OPERATOR_MISMATCH', 'the key certificate is for another mailbox')
  if (claims.use !== o.use)
    throw new BaridError('ERR_KEY_INVALID', `the key is certified for ${claims.use}, not ${o.use}`)
  const handle = await importPublicJwk(claims.jwk, { use: o.use === 'enc' ? 'encrypt' : 'sign' })
  if ((await jwkThumbprintBase64Url(handle.publicJwk)) !== claims.kid)
    throw new BaridError('ERR_KEY_INVALID', "the key certificate kid is not its key's thumbprint")
  if (claims.exp * 1000 <= now)
    throw new BaridError('ERR_CERT_EXPIRED', 'the key certificate has expired')
  if (claims.iat > Math.floor(now / 1000) + CLOCK_SKEW_SECONDS)
    throw new BaridError('ERR_CERT_NOT_YET_VALID', 'the key certificate is issued in the future')
  return { kid: claims.kid, use: claims.use, handle, certificate: certificate as string, claims }
}
