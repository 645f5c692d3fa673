/**
 * @module letter/fixed-keys
 * Keys made from fixed private scalars, for test vectors only (`spec/vectors/`): the same seed
 * always gives the same key, its JWK and its kid (RFC 7638 SHA-256 thumbprint of the public JWK).
 * Never use them for anything else.
 */
import { calculateJwkThumbprint, type JWK } from 'jose'
import { concatBytes, fromBase64Url, fromHex } from '../bytes.js'

// PKCS #8 wrappers for a bare private key (RFC 8410 section 7; RFC 5915 without the public key).
const PKCS8 = {
  Ed25519: '302e020100300506032b657004220420',
  X25519: '302e020100300506032b656e04220420',
  'P-256': '3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420',
} as const
export type FixedKeyCurve = keyof typeof PKCS8
export type FixedKeyUse = 'sign' | 'agree'

export interface FixedKey {
  name: string
  jwk: JsonWebKey
  kid: Uint8Array
  privateKey: CryptoKey
  publicKey: CryptoKey
}

function algorithm(
  curve: FixedKeyCurve,
  use: FixedKeyUse,
): AlgorithmIdentifier | EcKeyImportParams {
  if (curve !== 'P-256') return { name: curve }
  return { name: use === 'sign' ? 'ECDSA' : 'ECDH', namedCurve: 'P-256' }
}

/** A key whose private scalar is 32 bytes of `seed`; its kid is the RFC 7638 SHA-256 thumbprint of the public JWK. */
export async function fixedKey(
  name: string,
  curve: FixedKeyCurve,
  use: FixedKeyUse,
  seed: number,
): Promise<FixedKey> {
  const d = new Uint8Array(32).fill(seed)
  const alg = algorithm(curve, use)
  const usages: KeyUsage[] = use === 'sign' ? ['sign'] : ['deriveBits']
  const pkcs8 = concatBytes(fromHex(PKCS8[curve]), d) as Uint8Array<ArrayBuffer>
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, alg, true, usages)
  const { key_ops: _o, ext: _e, ...jwk } = await crypto.subtle.exportKey('jwk', privateKey)
  const { d: _d, ...pub } = jwk
  const publicKey = await crypto.subtle.importKey(
    'jwk',
    pub,
    alg,
    true,
    use === 'sign' ? ['verify'] : [],
  )
  const kid = fromBase64Url(await calculateJwkThumbprint(pub as JWK, 'sha256'))
  return { name, jwk, kid, privateKey, publicKey }
}
