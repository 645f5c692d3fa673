/**
 * Test-only helpers (Node) for the COSE working group examples in spec/vectors/cose-wg/: load a
 * file, import its keys through WebCrypto, and name its algorithms by their COSE ids.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fromBase64Url, fromHex, toBase64Url } from '../src/bytes.js'

export const COSE_WG_DIR = fileURLToPath(new URL('../../../spec/vectors/cose-wg/', import.meta.url))

/** A key as the examples write it: a JWK, with OKP coordinates sometimes in hex. */
export interface ExampleKey {
  kty: 'EC' | 'OKP' | 'oct'
  kid?: string
  crv?: string
  x?: string
  y?: string
  d?: string
  x_hex?: string
  d_hex?: string
  k?: string
}

/** Header parameters as the examples write them (names, not labels). */
export interface ExampleHeader {
  alg?: string | number
  kid?: string
  ctyp?: number
  partialIV_hex?: string
  epk?: ExampleKey
}

export interface ExampleSigner {
  key: ExampleKey
  protected?: ExampleHeader
  unprotected?: ExampleHeader
  alg?: string
  external?: string
}

export interface ExampleRecipient {
  key: ExampleKey
  protected?: ExampleHeader
  unprotected?: ExampleHeader
  sender_key?: ExampleKey
}

export interface ExampleEnveloped {
  protected?: ExampleHeader
  unprotected?: ExampleHeader
  unsent?: { IV_hex?: string }
  recipients: ExampleRecipient[]
  alg?: string
}

export interface Example {
  title: string
  fail?: boolean
  input: {
    plaintext: string
    sign0?: ExampleSigner
    sign?: { protected?: ExampleHeader; signers: ExampleSigner[] }
    enveloped?: ExampleEnveloped
    encrypted?: ExampleEnveloped
    mac?: ExampleEnveloped
    rng_stream?: string[]
    failures?: Record<string, unknown>
  }
  intermediates?: {
    ToBeSign_hex?: string
    AAD_hex?: string
    CEK_hex?: string
    recipients?: { Context_hex?: string }[]
  }
  output: { cbor: string }
}

/** Every example file, as paths relative to the folder (e.g. `sign1-tests/sign-pass-01.json`). */
export function listExamples(): string[] {
  const out: string[] = []
  for (const dir of readdirSync(COSE_WG_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue
    for (const f of readdirSync(`${COSE_WG_DIR}${dir.name}`))
      if (f.endsWith('.json')) out.push(`${dir.name}/${f}`)
  }
  return out.sort()
}

export function loadExample(path: string): Example {
  return JSON.parse(readFileSync(`${COSE_WG_DIR}${path}`, 'utf8')) as Example
}

export function outputBytes(e: Example): Uint8Array {
  return fromHex(e.output.cbor)
}

/** The example's key as a JWK (hex coordinates converted to base64url). */
export function toJwk(k: ExampleKey, withPrivate = true): JsonWebKey {
  if (k.kty === 'OKP') {
    const jwk: JsonWebKey = { kty: 'OKP', crv: k.crv, x: k.x ?? toBase64Url(fromHex(k.x_hex!)) }
    if (withPrivate && (k.d ?? k.d_hex) !== undefined) jwk.d = k.d ?? toBase64Url(fromHex(k.d_hex!))
    return jwk
  }
  const jwk: JsonWebKey = { kty: 'EC', crv: k.crv, x: k.x, y: k.y }
  if (withPrivate && k.d !== undefined) jwk.d = k.d
  return jwk
}

export function symmetricKey(k: ExampleKey): Uint8Array {
  return fromBase64Url(k.k!)
}

export function kidOf(k: { kid?: string }): Uint8Array {
  return new TextEncoder().encode(k.kid ?? '')
}

const sigAlg = (k: ExampleKey): AlgorithmIdentifier | EcKeyImportParams =>
  k.kty === 'OKP' ? { name: k.crv! } : { name: 'ECDSA', namedCurve: k.crv! }
const ecdhAlg = (k: ExampleKey): AlgorithmIdentifier | EcKeyImportParams =>
  k.kty === 'OKP' ? { name: k.crv! } : { name: 'ECDH', namedCurve: k.crv! }

export async function signingKeys(k: ExampleKey): Promise<CryptoKeyPair> {
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('jwk', toJwk(k), sigAlg(k), false, ['sign']),
    crypto.subtle.importKey('jwk', toJwk(k, false), sigAlg(k), true, ['verify']),
  ])
  return { privateKey, publicKey }
}

export async function agreementKeys(k: ExampleKey): Promise<CryptoKeyPair> {
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('jwk', toJwk(k), ecdhAlg(k), false, ['deriveBits']),
    crypto.subtle.importKey('jwk', toJwk(k, false), ecdhAlg(k), true, []),
  ])
  return { privateKey, publicKey }
}

// PKCS #8 prefixes for a bare private scalar (RFC 8410 section 7; RFC 5915 without the public key).
const PKCS8_PREFIX = {
  X25519: '302e020100300506032b656e04220420',
  'P-256': '3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420',
} as const

/** An ECDH key pair from its private scalar alone (the examples give ephemeral keys this way). */
export async function agreementKeysFromPrivate(
  curve: 'X25519' | 'P-256',
  d: Uint8Array,
): Promise<CryptoKeyPair> {
  const alg = curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: 'P-256' }
  const pkcs8 = new Uint8Array([...fromHex(PKCS8_PREFIX[curve]), ...d])
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['deriveBits'])
  const { d: _d, key_ops: _ops, ...pub } = await crypto.subtle.exportKey('jwk', privateKey)
  const publicKey = await crypto.subtle.importKey('jwk', pub, alg, true, [])
  return { privateKey, publicKey }
}

/** COSE algorithm ids of the names the examples use. */
export const ALG_IDS: Record<string, number> = {
  ES256: -7,
  ES384: -35,
  ES512: -36,
  EdDSA: -8,
  A128GCM: 1,
  A192GCM: 2,
  A256GCM: 3,
  direct: -6,
  'ECDH-ES': -25,
  'ECDH-SS': -27,
  'ECDH-ES-A128KW': -29,
  'ECDH-ES-A192KW': -30,
  'ECDH-ES-A256KW': -31,
  'ECDH-SS-A128KW': -32,
  'ECDH-SS-A192KW': -33,
  'ECDH-SS-A256KW': -34,
}
