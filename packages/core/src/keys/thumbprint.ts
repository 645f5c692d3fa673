/**
 * @module keys/thumbprint
 * JWK thumbprints (RFC 7638) and Barid key ids. A key id (`kid`) everywhere in Barid is the
 * RFC 7638 SHA-256 thumbprint of the public JWK: 32 bytes, written as unpadded base64url in text.
 * It depends only on the key, so any party can recompute it and no registry is needed.
 */
import { calculateJwkThumbprint, type JWK } from 'jose'
import { fromBase64Url } from '../bytes.js'
import { BaridError } from '../errors.js'
import { parsePublicJwk, type JwkExpectation } from './jwk.js'

/** Length in bytes of a Barid key id. */
export const KID_LENGTH = 32

/**
 * The RFC 7638 SHA-256 thumbprint of any JWK jose knows (EC, OKP, RSA, oct), as base64url. Use
 * {@link kidOf} for Barid keys: it also checks the key is one Barid allows.
 *
 * @example
 * ```ts
 * await jwkThumbprintBase64Url({ kty: 'RSA', n: '0vx7...', e: 'AQAB' })
 * // 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' for RFC 7638's example key
 * ```
 */
export async function jwkThumbprintBase64Url(jwk: unknown): Promise<string> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new BaridError('ERR_KEY_INVALID', 'JWK: must be a JSON object')
  }
  try {
    return await calculateJwkThumbprint(jwk as JWK, 'sha256')
  } catch (cause) {
    throw new BaridError('ERR_KEY_INVALID', 'JWK: cannot compute its thumbprint', { cause })
  }
}

/**
 * The RFC 7638 SHA-256 thumbprint of any JWK jose knows, as 32 bytes.
 *
 * @example
 * ```ts
 * const t = await jwkThumbprint(jwk) // Uint8Array(32)
 * ```
 */
export async function jwkThumbprint(jwk: unknown): Promise<Uint8Array> {
  return fromBase64Url(await jwkThumbprintBase64Url(jwk))
}

/**
 * The Barid key id of a public JWK: parses it strictly ({@link parsePublicJwk}) and returns its
 * RFC 7638 SHA-256 thumbprint (32 bytes). Throws `ERR_KEY_INVALID` or `ERR_UNSUPPORTED_ALGORITHM`.
 *
 * @example
 * ```ts
 * const x = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' // RFC 8037 appendix A.2
 * const kid = await kidOf({ kty: 'OKP', crv: 'Ed25519', x })
 * toBase64Url(kid) // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'
 * ```
 */
export async function kidOf(publicJwk: unknown, expect: JwkExpectation = {}): Promise<Uint8Array> {
  return jwkThumbprint(parsePublicJwk(publicJwk, expect).jwk)
}
