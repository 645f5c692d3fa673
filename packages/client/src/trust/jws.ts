/**
 * @module trust/jws
 * Verifying the two JWS objects a node hands out (RFC 7515): key certifications (compact
 * serialisation, spec 13.4) and the discovery document (flattened JSON, spec 11.3). Both are
 * `EdDSA` over Ed25519 (RFC 8037 section 3.1), verified with WebCrypto; any other `alg`, a
 * `crit` header, or a `typ` other than the one expected is refused before the signature is
 * checked, and the payload is parsed only after it verified.
 */
import { BaridError, fromBase64Url } from '../core.js'

/** Largest JWS accepted, in characters. */
export const MAX_JWS_LENGTH = 64 * 1024

/** A protected header, parsed but not yet trusted. */
export interface JwsHeader {
  alg: 'EdDSA'
  kid: string
  typ: string
}

/** A JWS split into its parts. */
export interface JwsParts {
  header: JwsHeader
  malformedCode: JwsMalformedCode
  protectedB64: string
  payloadB64: string
  signature: Uint8Array
}

/** The code a malformed JWS is refused with: it depends on what the JWS was meant to be. */
export type JwsMalformedCode = 'ERR_CERT_MALFORMED' | 'ERR_DISCOVERY_MALFORMED'

function jsonOf(b64: string, what: string, code: JwsMalformedCode): Record<string, unknown> {
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(b64)))
  } catch (e) {
    throw new BaridError(code, `${what} is not base64url JSON`, { cause: e })
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new BaridError(code, `${what} is not a JSON object`)
  return v as Record<string, unknown>
}

/**
 * Splits a JWS (compact string, or flattened `{protected, payload, signature}`) and checks its
 * protected header: `alg` EdDSA, a string `kid`, `typ` equal to `typ`, no `crit`.
 *
 * @example
 * ```ts
 * const parts = splitJws(certificate, 'barid-key-cert+jwt')
 * ```
 */
export function splitJws(
  jws: unknown,
  typ: string,
  malformedCode: JwsMalformedCode = 'ERR_CERT_MALFORMED',
): JwsParts {
  const malformed: (message: string) => never = (message) => {
    throw new BaridError(malformedCode, message)
  }
  let p: string | undefined
  let payload: string | undefined
  let sig: string | undefined
  if (typeof jws === 'string') {
    if (jws.length > MAX_JWS_LENGTH) malformed('JWS is too long')
    const parts = jws.split('.')
    if (parts.length !== 3) malformed('a compact JWS has three parts')
    ;[p, payload, sig] = parts
  } else if (typeof jws === 'object' && jws !== null) {
    const f = jws as Record<string, unknown>
    if (
      typeof f.protected === 'string' &&
      typeof f.payload === 'string' &&
      typeof f.signature === 'string'
    ) {
      p = f.protected
      payload = f.payload
      sig = f.signature
      if (p.length + payload.length + sig.length > MAX_JWS_LENGTH) malformed('JWS is too long')
    }
  }
  if (p === undefined || payload === undefined || sig === undefined) malformed('not a JWS')
  const b64 = /^[A-Za-z0-9_-]*$/
  if (!b64.test(p) || !b64.test(payload) || !b64.test(sig)) malformed('JWS parts must be base64url')
  const h = jsonOf(p, 'JWS header', malformedCode)
  if (h.alg !== 'EdDSA') throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'JWS alg must be EdDSA')
  if ('crit' in h) malformed('JWS crit is not supported')
  if (h.typ !== typ) malformed(`JWS typ must be ${typ}`)
  if (typeof h.kid !== 'string' || h.kid.length === 0 || h.kid.length > 128)
    malformed('JWS kid must be a string')
  return {
    header: { alg: 'EdDSA', kid: h.kid, typ },
    malformedCode,
    protectedB64: p,
    payloadB64: payload,
    signature: fromBase64Url(sig),
  }
}

/**
 * Verifies the signature of split JWS parts with an Ed25519 public key, then returns the
 * payload parsed as a JSON object. Throws `ERR_SIGNATURE_INVALID` when it does not verify.
 *
 * @example
 * ```ts
 * const claims = await verifyJwsParts(parts, issuerKey)
 * ```
 */
export async function verifyJwsParts(
  parts: JwsParts,
  key: CryptoKey,
): Promise<Record<string, unknown>> {
  if (key.algorithm.name !== 'Ed25519' || key.type !== 'public') {
    throw new BaridError('ERR_KEY_INVALID', 'a JWS issuer key must be an Ed25519 public key')
  }
  const input = new TextEncoder().encode(`${parts.protectedB64}.${parts.payloadB64}`)
  let ok = false
  try {
    ok =
      parts.signature.length === 64 &&
      (await crypto.subtle.verify(
        'Ed25519',
        key,
        parts.signature as Uint8Array<ArrayBuffer>,
        input,
      ))
  } catch (e) {
    throw new BaridError('ERR_SIGNATURE_INVALID', 'JWS signature does not verify', { cause: e })
  }
  if (!ok) throw new BaridError('ERR_SIGNATURE_INVALID', 'JWS signature does not verify')
  return jsonOf(parts.payloadB64, 'JWS payload', parts.malformedCode)
}
