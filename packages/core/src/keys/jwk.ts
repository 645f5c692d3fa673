/**
 * @module keys/jwk
 * Strict parsing of public and private JWKs (RFC 7517) into the four Barid key algorithms. The
 * result carries only the members that define the key (RFC 7638 section 3.2: `crv`, `kty`, `x`,
 * and `y` for EC), so a parsed JWK's thumbprint is its key id and nothing else can ride along.
 * Coordinates must be canonical unpadded base64url: otherwise two spellings of one key would get
 * two different thumbprints, hence two key ids.
 */
import { fromBase64Url, toBase64Url } from '../bytes.js'
import { BaridError } from '../errors.js'
import {
  algorithmForCurve,
  keyAlgorithmInfo,
  type KeyAlgorithm,
  type KeyUse,
} from './algorithms.js'

/** A public OKP key (RFC 8037): Ed25519 or X25519. */
export interface OkpPublicJwk {
  readonly kty: 'OKP'
  readonly crv: 'Ed25519' | 'X25519'
  readonly x: string
}

/** A public P-256 key (RFC 7518 section 6.2). */
export interface EcPublicJwk {
  readonly kty: 'EC'
  readonly crv: 'P-256'
  readonly x: string
  readonly y: string
}

/** A public JWK of a Barid key, with its defining members only. */
export type PublicJwk = OkpPublicJwk | EcPublicJwk

/** A private JWK of a Barid key: the public members plus `d`. Handle as a secret. */
export type PrivateJwk = PublicJwk & { readonly d: string }

/** What the caller knows about the key it expects; either pins the algorithm. */
export interface JwkExpectation {
  /** The expected use; needed to tell ES256 from ECDH-P256 when the JWK has no `use`. */
  use?: KeyUse
  /** The expected algorithm. */
  algorithm?: KeyAlgorithm
}

/** A JWK that passed {@link parsePublicJwk}. */
export interface ParsedPublicJwk {
  readonly algorithm: KeyAlgorithm
  readonly use: KeyUse
  readonly jwk: PublicJwk
}

/** A JWK that passed {@link parsePrivateJwk}. */
export interface ParsedPrivateJwk {
  readonly algorithm: KeyAlgorithm
  readonly use: KeyUse
  readonly jwk: PrivateJwk
  readonly publicJwk: PublicJwk
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const
// Key types and curves registered for JOSE that Barid does not allow: refused as algorithms,
// not as malformed keys, so a caller can tell "wrong policy" from "garbage".
const KNOWN_KTY = new Set(['RSA', 'oct', 'AKP'])
const KNOWN_CRV = new Set(['Ed448', 'X448', 'P-384', 'P-521', 'secp256k1'])
const SIGN_ALGS: Readonly<Record<string, readonly string[]>> = {
  Ed25519: ['EdDSA', 'Ed25519'],
  ES256: ['ES256'],
}
const AGREEMENT_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW']

/**
 * Parses a public JWK of one of the four Barid algorithms. Throws `ERR_KEY_INVALID` for malformed
 * keys (missing or wrong-length coordinates, private members, a `use`/`alg` that contradicts the
 * expectation) and `ERR_UNSUPPORTED_ALGORITHM` for real but disallowed types (RSA, P-384,
 * Ed448...).
 *
 * @example
 * ```ts
 * const { algorithm, jwk } = parsePublicJwk(received, { use: 'sign' })
 * ```
 */
export function parsePublicJwk(input: unknown, expect: JwkExpectation = {}): ParsedPublicJwk {
  const obj = asObject(input)
  for (const m of PRIVATE_MEMBERS) {
    if (obj[m] !== undefined) throw invalid(`a public key must not carry the private member "${m}"`)
  }
  return parseMembers(obj, expect)
}

/**
 * Parses a private JWK (public members plus `d`) of one of the four Barid algorithms; errors as
 * {@link parsePublicJwk}. Error messages never contain key material.
 *
 * @example
 * ```ts
 * const { algorithm, publicJwk } = parsePrivateJwk(stored, { algorithm: 'Ed25519' })
 * ```
 */
export function parsePrivateJwk(input: unknown, expect: JwkExpectation = {}): ParsedPrivateJwk {
  const obj = asObject(input)
  for (const m of PRIVATE_MEMBERS) {
    if (m !== 'd' && obj[m] !== undefined) throw invalid(`unexpected member "${m}"`)
  }
  const { algorithm, use, jwk } = parseMembers(obj, expect)
  const d = coordinate(obj, 'd')
  return { algorithm, use, jwk: { ...jwk, d }, publicJwk: jwk }
}

function parseMembers(obj: Record<string, unknown>, expect: JwkExpectation): ParsedPublicJwk {
  const { kty, crv } = obj
  if (typeof kty !== 'string') throw invalid('"kty" must be a string')
  if (kty !== 'OKP' && kty !== 'EC') {
    if (KNOWN_KTY.has(kty)) throw unsupported(`key type ${kty} is not allowed`)
    throw invalid('"kty" must be "OKP" or "EC"')
  }
  if (typeof crv !== 'string') throw invalid('"crv" must be a string')
  const crvOk = kty === 'OKP' ? crv === 'Ed25519' || crv === 'X25519' : crv === 'P-256'
  if (!crvOk) {
    if (KNOWN_CRV.has(crv)) throw unsupported(`curve ${crv} is not allowed`)
    throw invalid(`"crv" is not a ${kty} curve Barid uses`)
  }
  const use = resolveUse(obj, crv, expect)
  const algorithm = algorithmForCurve(kty, crv, use)
  if (algorithm === undefined) throw invalid(`curve ${crv} cannot be used to ${use}`)
  if (expect.algorithm !== undefined && expect.algorithm !== algorithm) {
    throw invalid(`expected a ${expect.algorithm} key, got ${algorithm}`)
  }
  checkAlg(obj.alg, algorithm)
  const x = coordinate(obj, 'x')
  if (kty === 'OKP') {
    if (obj.y !== undefined) throw invalid('an OKP key must not have "y"')
    return { algorithm, use, jwk: { kty, crv: crv as OkpPublicJwk['crv'], x } }
  }
  const y = coordinate(obj, 'y')
  return { algorithm, use, jwk: { kty, crv: 'P-256', x, y } }
}

function resolveUse(obj: Record<string, unknown>, crv: string, expect: JwkExpectation): KeyUse {
  let use: KeyUse | undefined = expect.use
  if (expect.algorithm !== undefined) {
    const pinned = keyAlgorithmInfo(expect.algorithm).use
    if (use !== undefined && use !== pinned) throw invalid('expected use contradicts algorithm')
    use = pinned
  }
  if (obj.use !== undefined) {
    const jwkUse = obj.use === 'sig' ? 'sign' : obj.use === 'enc' ? 'encrypt' : undefined
    if (jwkUse === undefined) throw invalid('"use" must be "sig" or "enc"')
    if (use !== undefined && use !== jwkUse) throw invalid(`"use" must be for ${use}`)
    use = jwkUse
  }
  if (use === undefined) {
    if (crv === 'Ed25519') return 'sign'
    if (crv === 'X25519') return 'encrypt'
    throw invalid('a P-256 key needs an expected use ("sign" or "encrypt")')
  }
  return use
}

function checkAlg(alg: unknown, algorithm: KeyAlgorithm): void {
  if (alg === undefined) return
  if (typeof alg !== 'string') throw invalid('"alg" must be a string')
  const allowed = SIGN_ALGS[algorithm] ?? AGREEMENT_ALGS
  if (!allowed.includes(alg)) throw unsupported(`"alg" is not allowed for a ${algorithm} key`)
}

function coordinate(obj: Record<string, unknown>, name: 'x' | 'y' | 'd'): string {
  const v = obj[name]
  if (typeof v !== 'string') throw invalid(`"${name}" is missing`)
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(v)
  } catch {
    throw invalid(`"${name}" is not base64url`)
  }
  if (bytes.length !== 32) throw invalid(`"${name}" must be 32 bytes`, { length: bytes.length })
  if (toBase64Url(bytes) !== v) throw invalid(`"${name}" is not canonical base64url`)
  return v
}

function asObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid('a JWK must be a JSON object')
  }
  return input as Record<string, unknown>
}

function invalid(message: string, details?: Record<string, unknown>): BaridError {
  return new BaridError('ERR_KEY_INVALID', `JWK: ${message}`, details ? { details } : undefined)
}

function unsupported(message: string): BaridError {
  return new BaridError('ERR_UNSUPPORTED_ALGORITHM', `JWK: ${message}`)
}
