/**
 * @module peer/identity
 * The harness's operators (spec 30.5): fresh Ed25519 request-signing and evidence keys, a PKI
 * when the federation uses X.509 (spec 21), their test federation file entries (11.1, 30.4),
 * and key certifications (13.4) issued exactly as a node issues them, or deliberately wrong.
 */
import { generateKeyPair, toBase64Url, type KeyPair, type PublicJwk } from '@barid/core'
import { issueMailboxCertificate, newPki, type Pki } from './pki.js'

/** An operator the harness plays. */
export interface OperatorIdentity {
  operator: string
  country: string
  request: KeyPair
  evidence: KeyPair
  /** Present when mailbox certificates are X.509 (the nodes' generation, see world/discovery). */
  pki?: Pki
}

/**
 * @example
 * ```ts
 * const h = await newOperator('conformance.test')
 * ```
 */
export async function newOperator(
  operator: string,
  o: { country?: string; pki?: boolean; nowMs?: number } = {},
): Promise<OperatorIdentity> {
  const country = o.country ?? 'ZZ'
  const [request, evidence] = await Promise.all([
    generateKeyPair('Ed25519'),
    generateKeyPair('Ed25519'),
  ])
  const pki = o.pki ? await newPki(operator, country, o.nowMs ?? Date.now()) : undefined
  return { operator, country, request, evidence, ...(pki ? { pki } : {}) }
}

/** Its federation file entry (11.1). */
export function federationEntry(
  id: OperatorIdentity,
  o: {
    baseUrl: string
    status?: 'active' | 'suspended' | 'withdrawn'
    identifierSchemes?: string[]
    requestRetiredAt?: string
  },
): Record<string, unknown> {
  return {
    operator: id.operator,
    country: id.country,
    baseUrl: o.baseUrl,
    identifierSchemes: o.identifierSchemes ?? [],
    displayName: { en: `Conformance harness (${id.operator})` },
    status: o.status ?? 'active',
    keys: [
      {
        use: 'request-signing',
        jwk: id.request.publicJwk,
        ...(o.requestRetiredAt ? { retiredAt: o.requestRetiredAt } : {}),
      },
      { use: 'evidence-signing', jwk: id.evidence.publicJwk },
    ],
    ...(id.pki
      ? { roots: [toBase64Url(id.pki.root.cert.der)], cas: [toBase64Url(id.pki.ca.cert.der)] }
      : {}),
  }
}

const enc = (v: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(v)))

/**
 * A key certification (13.4): compact JWS signed with `issuer`'s evidence key. Overrides make
 * certifications outside the profile (wrong `use`, another issuer, expired).
 *
 * @example
 * ```ts
 * const cert = await certifyKey(h, { sub: 'agency@conformance.test', use: 'sig', jwk, kid, nowMs })
 * ```
 */
export async function certifyKey(
  issuer: OperatorIdentity,
  c: {
    sub: string
    use: 'enc' | 'sig'
    key: { publicKey: CryptoKey; publicJwk: PublicJwk; kidBase64Url: string }
    nowMs: number
    lifetimeSeconds?: number
    /** JWS only: another issuer name. */
    iss?: string
    /** Issue with another operator's key or CA (a forgery). */
    signWith?: OperatorIdentity
  },
): Promise<string> {
  const by = c.signWith ?? issuer
  if (issuer.pki) {
    if (!by.pki) throw new Error('certifyKey: the signing operator has no PKI')
    return issueMailboxCertificate(by.pki, {
      address: c.sub,
      use: c.use,
      publicKey: c.key.publicKey,
      nowMs: c.nowMs,
      ...(c.lifetimeSeconds ? { lifetimeDays: c.lifetimeSeconds / 86400 } : {}),
    })
  }
  const signer = by.evidence
  const iat = Math.floor(c.nowMs / 1000)
  const header = { alg: 'EdDSA', kid: signer.kidBase64Url, typ: 'barid-key-cert+jwt' }
  const payload = {
    v: 1,
    iss: c.iss ?? issuer.operator,
    sub: c.sub,
    use: c.use,
    kid: c.key.kidBase64Url,
    jwk: c.key.publicJwk,
    iat,
    exp: iat + (c.lifetimeSeconds ?? 365 * 24 * 3600),
  }
  const input = `${enc(header)}.${enc(payload)}`
  const sig = new Uint8Array(
    await crypto.subtle.sign('Ed25519', signer.privateKey, new TextEncoder().encode(input)),
  )
  return `${input}.${toBase64Url(sig)}`
}
