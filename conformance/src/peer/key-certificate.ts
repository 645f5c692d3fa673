/**
 * @module peer/key-certificate
 * Verifying a node's certification of a mailbox key (spec 13.4: a compact JWS signed with the
 * operator's evidence key), written here rather than borrowed from a client library so that the
 * suite judges nodes by the spec alone.
 */
import {
  BaridError,
  fromBase64Url,
  importPublicJwk,
  jwkThumbprintBase64Url,
  type PublicKeyHandle,
} from '@barid/core'

export interface EvidenceKeyInfo {
  key: CryptoKey
  operator: string
}

export interface VerifiedKeyCertificate {
  kid: string
  use: 'enc' | 'sig'
  handle: PublicKeyHandle
  claims: { iss: string; sub: string; use: string; kid: string; iat: number; exp: number }
}

type CertCode =
  | 'ERR_CERT_MALFORMED'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_CERT_OPERATOR_MISMATCH'
  | 'ERR_KEY_INVALID'
  | 'ERR_CERT_EXPIRED'

function bad(code: CertCode, m: string): never {
  throw new BaridError(code, `key certificate: ${m}`)
}

const json = (s: string) =>
  JSON.parse(new TextDecoder().decode(fromBase64Url(s))) as Record<string, unknown>

/**
 * Verifies `certificate` for `address` and `use`; throws a BaridError naming what is wrong.
 *
 * @example
 * ```ts
 * const k = await verifyKeyCertificate(cert, { address, use: 'enc', nowMs, evidenceKey: (kid) => keys.get(kid) })
 * ```
 */
export async function verifyKeyCertificate(
  certificate: unknown,
  o: {
    address: string
    use: 'enc' | 'sig'
    nowMs: number
    evidenceKey: (kid: string) => EvidenceKeyInfo | undefined
  },
): Promise<VerifiedKeyCertificate> {
  if (typeof certificate !== 'string' || certificate.length > 8192)
    bad('ERR_CERT_MALFORMED', 'not a compact JWS')
  const parts = (certificate as string).split('.')
  if (parts.length !== 3) bad('ERR_CERT_MALFORMED', 'not a compact JWS')
  const [h, p, s] = parts as [string, string, string]
  let header: Record<string, unknown> = {}
  let claims: Record<string, unknown> = {}
  try {
    header = json(h)
    claims = json(p)
  } catch {
    bad('ERR_CERT_MALFORMED', 'header or payload is not JSON')
  }
  if (
    header.alg !== 'EdDSA' ||
    header.typ !== 'barid-key-cert+jwt' ||
    typeof header.kid !== 'string'
  )
    bad('ERR_CERT_MALFORMED', 'protected header is not the 13.4 profile')
  const issuer = o.evidenceKey(header.kid as string)
  if (!issuer) bad('ERR_KEY_NOT_FOUND', 'signed by a key that is no operator evidence key')
  const ok = await crypto.subtle.verify(
    'Ed25519',
    issuer.key,
    fromBase64Url(s) as Uint8Array<ArrayBuffer>,
    new TextEncoder().encode(`${h}.${p}`),
  )
  if (!ok) bad('ERR_SIGNATURE_INVALID', 'signature does not verify')
  if (claims.v !== 1) bad('ERR_CERT_MALFORMED', 'v is not 1')
  const operator = o.address.slice(o.address.lastIndexOf('@') + 1)
  if (claims.iss !== issuer.operator || claims.iss !== operator)
    bad('ERR_CERT_OPERATOR_MISMATCH', 'not issued by the operator of the mailbox')
  if (claims.sub !== o.address) bad('ERR_CERT_OPERATOR_MISMATCH', 'for another mailbox')
  if (claims.use !== o.use) bad('ERR_KEY_INVALID', `certified for ${String(claims.use)}`)
  const handle = await importPublicJwk(claims.jwk, { use: o.use === 'enc' ? 'encrypt' : 'sign' })
  if ((await jwkThumbprintBase64Url(handle.publicJwk)) !== claims.kid)
    bad('ERR_KEY_INVALID', 'kid is not the thumbprint of jwk')
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= o.nowMs)
    bad('ERR_CERT_EXPIRED', 'expired')
  return {
    kid: claims.kid as string,
    use: o.use,
    handle,
    claims: claims as VerifiedKeyCertificate['claims'],
  }
}
