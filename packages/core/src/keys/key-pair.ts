/**
 * @module keys/key-pair
 * Generating key pairs and importing/exporting keys as JWK. Keys live as WebCrypto `CryptoKey`s;
 * private keys are non-extractable unless asked, and the only way to see private material is the
 * explicit {@link exportPrivateJwk}. A `CryptoKey` prints as its algorithm and usages, never its
 * bytes, so logging a {@link KeyPair} leaks nothing.
 */
import { exportJWK, importJWK, type JWK } from 'jose'
import { toBase64Url } from '../bytes.js'
import { BaridError } from '../errors.js'
import { keyAlgorithmInfo, type KeyAlgorithm, type KeyUse } from './algorithms.js'
import {
  parsePrivateJwk,
  parsePublicJwk,
  type JwkExpectation,
  type PrivateJwk,
  type PublicJwk,
} from './jwk.js'
import { jwkThumbprint } from './thumbprint.js'

/** A public key ready to use: the CryptoKey, its JWK and its key id. */
export interface PublicKeyHandle {
  readonly algorithm: KeyAlgorithm
  readonly use: KeyUse
  readonly publicKey: CryptoKey
  readonly publicJwk: PublicJwk
  /** RFC 7638 SHA-256 thumbprint of {@link publicJwk}: the Barid key id (32 bytes). */
  readonly kid: Uint8Array
  /** {@link kid} as unpadded base64url. */
  readonly kidBase64Url: string
}

/** A key pair: {@link PublicKeyHandle} plus the private CryptoKey. */
export interface KeyPair extends PublicKeyHandle {
  readonly privateKey: CryptoKey
}

/** Options for {@link generateKeyPair} and {@link importKeyPair}. */
export interface KeyPairOptions {
  /** Whether the private key may be exported later. Default `false`. */
  extractable?: boolean
}

/**
 * Generates a key pair with WebCrypto.
 *
 * @example
 * ```ts
 * const signer = await generateKeyPair('Ed25519')
 * const mailbox = await generateKeyPair('X25519', { extractable: true })
 * console.log(signer.kidBase64Url)
 * ```
 */
export async function generateKeyPair(
  algorithm: KeyAlgorithm,
  options: KeyPairOptions = {},
): Promise<KeyPair> {
  const info = keyAlgorithmInfo(algorithm)
  const usages = [...info.privateUsages, ...info.publicUsages]
  const pair = (await crypto.subtle.generateKey(
    info.webCrypto,
    options.extractable === true,
    usages,
  )) as CryptoKeyPair
  const publicJwk = await exportPublicJwk(pair.publicKey, info.use)
  return {
    ...(await handle(info.algorithm, publicJwk, pair.publicKey)),
    privateKey: pair.privateKey,
  }
}

/**
 * Imports a public JWK ({@link parsePublicJwk} rules) as a CryptoKey with its key id.
 * Throws `ERR_KEY_INVALID` (also for a P-256 point not on the curve) or
 * `ERR_UNSUPPORTED_ALGORITHM`.
 *
 * @example
 * ```ts
 * const peer = await importPublicJwk(jwkFromDirectory, { use: 'encrypt' })
 * ```
 */
export async function importPublicJwk(
  jwk: unknown,
  expect: JwkExpectation = {},
): Promise<PublicKeyHandle> {
  const parsed = parsePublicJwk(jwk, expect)
  const info = keyAlgorithmInfo(parsed.algorithm)
  const publicKey = await joseImport(parsed.jwk, info.joseAlg, true)
  return handle(parsed.algorithm, parsed.jwk, publicKey)
}

/**
 * Imports a private JWK as a {@link KeyPair}. The importer (WebCrypto) refuses a `d` that does
 * not match `x`/`y`. Throws `ERR_KEY_INVALID` or `ERR_UNSUPPORTED_ALGORITHM`.
 *
 * @example
 * ```ts
 * const pair = await importKeyPair(storedJwk, { algorithm: 'Ed25519' })
 * ```
 */
export async function importKeyPair(
  jwk: unknown,
  expect: JwkExpectation & KeyPairOptions = {},
): Promise<KeyPair> {
  const parsed = parsePrivateJwk(jwk, expect)
  const info = keyAlgorithmInfo(parsed.algorithm)
  const privateKey = await joseImport(parsed.jwk, info.joseAlg, expect.extractable === true)
  const publicKey = await joseImport(parsed.publicJwk, info.joseAlg, true)
  return { ...(await handle(parsed.algorithm, parsed.publicJwk, publicKey)), privateKey }
}

/**
 * Exports a public CryptoKey as a JWK with only its defining members (`kty`, `crv`, `x`, `y`).
 *
 * @example
 * ```ts
 * const jwk = await exportPublicJwk(pair.publicKey)
 * ```
 */
export async function exportPublicJwk(key: CryptoKey, use?: KeyUse): Promise<PublicJwk> {
  if (key.type !== 'public') throw new BaridError('ERR_KEY_INVALID', 'expected a public key')
  const jwk = await joseExport(key)
  return parsePublicJwk(jwk, use === undefined ? useOfCryptoKey(key) : { use }).jwk
}

/**
 * Exports a private key as a JWK. This is the only function that reveals private key material:
 * call it only to store the key, and treat the result as a secret. Throws `ERR_KEY_INVALID` when
 * the key was created non-extractable.
 *
 * @example
 * ```ts
 * const pair = await generateKeyPair('Ed25519', { extractable: true })
 * const secret = await exportPrivateJwk(pair) // { kty, crv, x, d }
 * ```
 */
export async function exportPrivateJwk(key: KeyPair | CryptoKey): Promise<PrivateJwk> {
  const privateKey = 'privateKey' in key ? key.privateKey : key
  if (privateKey.type !== 'private') {
    throw new BaridError('ERR_KEY_INVALID', 'expected a private key')
  }
  if (!privateKey.extractable) {
    throw new BaridError('ERR_KEY_INVALID', 'the private key is not extractable')
  }
  const use = 'privateKey' in key ? { use: key.use } : useOfCryptoKey(privateKey)
  return parsePrivateJwk(await joseExport(privateKey), use).jwk
}

async function handle(
  algorithm: KeyAlgorithm,
  publicJwk: PublicJwk,
  publicKey: CryptoKey,
): Promise<PublicKeyHandle> {
  const kid = await jwkThumbprint(publicJwk)
  return {
    algorithm,
    use: keyAlgorithmInfo(algorithm).use,
    publicKey,
    publicJwk,
    kid,
    kidBase64Url: toBase64Url(kid),
  }
}

// WebCrypto names P-256 keys ECDSA or ECDH: that is where a CryptoKey records its use.
function useOfCryptoKey(key: CryptoKey): JwkExpectation {
  const name = key.algorithm.name
  if (name === 'Ed25519' || name === 'ECDSA') return { use: 'sign' }
  if (name === 'X25519' || name === 'ECDH') return { use: 'encrypt' }
  throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'key algorithm is not one Barid allows')
}

async function joseImport(jwk: JWK | PublicJwk, alg: string, extractable: boolean) {
  let key: CryptoKey | Uint8Array
  try {
    key = await importJWK({ ...jwk }, alg, { extractable })
  } catch (cause) {
    // Never echo the JWK: it may be private.
    throw new BaridError('ERR_KEY_INVALID', 'JWK: the key cannot be imported', { cause })
  }
  if (key instanceof Uint8Array)
    throw new BaridError('ERR_KEY_INVALID', 'JWK: not an asymmetric key')
  return key
}

async function joseExport(key: CryptoKey): Promise<JWK> {
  try {
    return await exportJWK(key)
  } catch (cause) {
    throw new BaridError('ERR_KEY_INVALID', 'the key cannot be exported as a JWK', { cause })
  }
}
