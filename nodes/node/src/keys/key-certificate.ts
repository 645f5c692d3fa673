/**
 * @module keys/key-certificate
 * The node's certification of a mailbox key (spec 13.4): a compact JWS (RFC 7515), signed with
 * the node's evidence-signing key (EdDSA), whose payload binds the key to a mailbox address:
 * `{v: 1, iss: operator, sub: address, use: 'enc'|'sig', kid, jwk, iat, exp}` with header
 * `typ: 'barid-key-cert+jwt'`. Anyone holding the operator's evidence key (from the trust
 * list or the discovery document) verifies it offline.
 *
 * This is the interim profile the issue allows until the operator PKI issues X.509
 * mailbox certificates (spec 08); {@link KeyCertifier} is the seam for that change.
 */
import { CompactSign, compactVerify } from 'jose'
import {
  BaridError,
  jwkThumbprintBase64Url,
  parsePublicJwk,
  type KeyPair,
  type PublicJwk,
} from '../core.js'

export const KEY_CERT_TYP = 'barid-key-cert+jwt'

export interface KeyCertClaims {
  v: 1
  iss: string
  sub: string
  use: 'enc' | 'sig'
  kid: string
  jwk: PublicJwk
  /** Seconds since the epoch. */
  iat: number
  exp: number
}

/** Issues and checks certifications of mailbox keys. */
export interface KeyCertifier {
  certify(
    claims: Omit<KeyCertClaims, 'v' | 'iss' | 'kid' | 'iat' | 'exp'> & {
      now: number
      lifetimeSeconds?: number
    },
  ): Promise<{ kid: string; certificate: string }>
}

/**
 * A {@link KeyCertifier} signing with the node's evidence key.
 *
 * @example
 * ```ts
 * const certifier = createJwsCertifier({ operator: 'digitalpost.dk', key: nodeKeys.evidence })
 * const { kid, certificate } = await certifier.certify({ sub: 'lars@digitalpost.dk', use: 'enc', jwk, now: Date.now() })
 * ```
 */
export function createJwsCertifier(opts: { operator: string; key: KeyPair }): KeyCertifier {
  return {
    async certify(c) {
      const parsed = parsePublicJwk(c.jwk, { use: c.use === 'enc' ? 'encrypt' : 'sign' })
      const kid = await jwkThumbprintBase64Url(parsed.jwk)
      const iat = Math.floor(c.now / 1000)
      const claims: KeyCertClaims = {
        v: 1,
        iss: opts.operator,
        sub: c.sub,
        use: c.use,
        kid,
        jwk: parsed.jwk,
        iat,
        exp: iat + (c.lifetimeSeconds ?? 2 * 365 * 24 * 3600),
      }
      const certificate = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: 'EdDSA', kid: opts.key.kidBase64Url, typ: KEY_CERT_TYP })
        .sign(opts.key.privateKey)
      return { kid, certificate }
    },
  }
}

/**
 * Verifies a key certification; `resolveIssuerKey` finds the operator's evidence key by kid.
 * Throws `ERR_SIGNATURE_INVALID`, `ERR_KEY_INVALID` or `ERR_CERT_EXPIRED`.
 *
 * @example
 * ```ts
 * const claims = await verifyKeyCertificate(cert, (kid) => directory.evidenceKey('digitalpost.dk', kid, Date.now()), Date.now())
 * ```
 */
export async function verifyKeyCertificate(
  certificate: string,
  resolveIssuerKey: (kid: string, iss: string) => Promise<CryptoKey | undefined>,
  now: number,
): Promise<KeyCertClaims> {
  if (typeof certificate !== 'string' || certificate.length > 8192)
    throw new BaridError('ERR_CERT_MALFORMED', 'key certificate is malformed')
  let claims: KeyCertClaims
  try {
    const [h, p] = certificate.split('.')
    const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown
      typ?: unknown
      alg?: unknown
    }
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as {
      iss?: unknown
    }
    if (
      header.typ !== KEY_CERT_TYP ||
      header.alg !== 'EdDSA' ||
      typeof header.kid !== 'string' ||
      typeof payload.iss !== 'string'
    ) {
      throw new Error('header')
    }
    const key = await resolveIssuerKey(header.kid, payload.iss)
    if (!key) throw new BaridError('ERR_KEY_NOT_FOUND', 'key certificate issuer key is unknown')
    const { payload: verified } = await compactVerify(certificate, key, { algorithms: ['EdDSA'] })
    claims = JSON.parse(new TextDecoder().decode(verified)) as KeyCertClaims
  } catch (e) {
    if (e instanceof BaridError) throw e
    throw new BaridError('ERR_SIGNATURE_INVALID', 'key certificate does not verify', { cause: e })
  }
  if (
    claims.v !== 1 ||
    (claims.use !== 'enc' && claims.use !== 'sig') ||
    typeof claims.sub !== 'string'
  ) {
    throw new BaridError('ERR_CERT_MALFORMED', 'key certificate payload is malformed')
  }
  const kid = await jwkThumbprintBase64Url(
    parsePublicJwk(claims.jwk, { use: claims.use === 'enc' ? 'encrypt' : 'sign' }).jwk,
  )
  if (kid !== claims.kid)
    throw new BaridError('ERR_KEY_INVALID', 'key certificate kid does not match its key')
  if (claims.exp * 1000 < now)
    throw new BaridError('ERR_CERT_EXPIRED', 'key certificate has expired')
  return claims
}
