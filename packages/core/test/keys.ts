/**
 * Test-only key helpers: WebCrypto key pairs with their Barid key id, the RFC 7638 JWK SHA-256
 * thumbprint of the public key (computed independently with jose).
 */
import { calculateJwkThumbprint, type JWK } from 'jose'
import { fromBase64Url } from '../src/bytes.js'

export type SigningCurve = 'Ed25519' | 'P-256'
export type AgreementCurve = 'X25519' | 'P-256'

export interface TestKey {
  privateKey: CryptoKey
  publicKey: CryptoKey
  kid: Uint8Array
  jwk: JsonWebKey
}

export async function kidOfPublicKey(publicKey: CryptoKey): Promise<Uint8Array> {
  const jwk = await crypto.subtle.exportKey('jwk', publicKey)
  return fromBase64Url(await calculateJwkThumbprint(jwk as JWK, 'sha256'))
}

async function withKid(pair: CryptoKeyPair): Promise<TestKey> {
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    kid: await kidOfPublicKey(pair.publicKey),
    jwk,
  }
}

export async function signingKey(curve: SigningCurve): Promise<TestKey> {
  const alg = curve === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' }
  return withKid((await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair)
}

export async function agreementKey(curve: AgreementCurve): Promise<TestKey> {
  const alg = curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: 'P-256' }
  return withKid((await crypto.subtle.generateKey(alg, true, ['deriveBits'])) as CryptoKeyPair)
}

/** Imports a private JWK (as the vector files hold them) as a signing or agreement key pair with its kid. */
export async function importTestKey(jwk: JsonWebKey, use: 'sign' | 'agree'): Promise<TestKey> {
  const alg =
    jwk.kty === 'OKP'
      ? { name: jwk.crv! }
      : { name: use === 'sign' ? 'ECDSA' : 'ECDH', namedCurve: jwk.crv! }
  const { d: _d, key_ops: _o, ext: _e, ...pub } = jwk
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('jwk', jwk, alg, true, use === 'sign' ? ['sign'] : ['deriveBits']),
    crypto.subtle.importKey('jwk', pub, alg, true, use === 'sign' ? ['verify'] : []),
  ])
  return { privateKey, publicKey, kid: await kidOfPublicKey(publicKey), jwk }
}
