/**
 * @module trust/cose-key
 * Public signing keys inside signed CBOR documents, as COSE_Key maps (RFC 9052 section 7,
 * RFC 9053 section 7): OKP Ed25519 `{1: 1, -1: 6, -2: x}` and EC2 P-256 `{1: 2, -1: 1, -2: x,
 * -3: y}`. No `kid` is carried: a key's id is its RFC 7638 thumbprint, recomputed by the reader,
 * so a document cannot pair a key with someone else's id.
 */
import { fromBase64Url, toBase64Url } from '../bytes.js'
import type { CborKey, CborValue } from '../cbor/index.js'
import { BaridError, type BaridErrorCode } from '../errors.js'
import { importPublicJwk, type PublicJwk, type PublicKeyHandle } from '../keys/index.js'

const KTY = 1
const CRV = -1
const X = -2
const Y = -3

/**
 * The COSE_Key map of a public signing key (Ed25519 or ES256).
 *
 * @example
 * ```ts
 * const map = coseKeyOf(pair.publicJwk) // Map { 1 => 1, -1 => 6, -2 => Uint8Array(32) }
 * ```
 */
export function coseKeyOf(jwk: PublicJwk): Map<CborKey, CborValue> {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return new Map<CborKey, CborValue>([
      [KTY, 1],
      [CRV, 6],
      [X, fromBase64Url(jwk.x)],
    ])
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    return new Map<CborKey, CborValue>([
      [KTY, 2],
      [CRV, 1],
      [X, fromBase64Url(jwk.x)],
      [Y, fromBase64Url(jwk.y)],
    ])
  }
  throw new BaridError(
    'ERR_UNSUPPORTED_ALGORITHM',
    'only Ed25519 and P-256 signing keys can be listed',
  )
}

/**
 * Reads a COSE_Key map back into an imported public signing key; a wrong shape fails with `code`
 * (the caller's "malformed" code), an unknown key type with `ERR_UNSUPPORTED_ALGORITHM`.
 *
 * @example
 * ```ts
 * const key = await signingKeyFromCose(decoded, 'ERR_TRUST_LIST_MALFORMED')
 * ```
 */
export async function signingKeyFromCose(
  value: CborValue | undefined,
  code: BaridErrorCode,
): Promise<PublicKeyHandle> {
  if (!(value instanceof Map)) throw new BaridError(code, 'a key must be a COSE_Key map')
  const kty = value.get(KTY)
  const crv = value.get(CRV)
  const allowed = kty === 1 ? [KTY, CRV, X] : [KTY, CRV, X, Y]
  for (const k of value.keys()) {
    if (!allowed.includes(k as number))
      throw new BaridError(code, 'a COSE_Key carries an unknown label')
  }
  const x = coordinate(value.get(X), code)
  let jwk: PublicJwk
  if (kty === 1 && crv === 6) jwk = { kty: 'OKP', crv: 'Ed25519', x }
  else if (kty === 2 && crv === 1)
    jwk = { kty: 'EC', crv: 'P-256', x, y: coordinate(value.get(Y), code) }
  else
    throw new BaridError(
      'ERR_UNSUPPORTED_ALGORITHM',
      'only Ed25519 and P-256 signing keys are allowed',
    )
  return importPublicJwk(jwk, { use: 'sign' })
}

function coordinate(v: CborValue | undefined, code: BaridErrorCode): string {
  if (!(v instanceof Uint8Array) || v.length !== 32)
    throw new BaridError(code, 'a key coordinate must be 32 bytes')
  return toBase64Url(v)
}
