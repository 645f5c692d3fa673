/**
 * @module cose/algorithms
 * The algorithms this library implements (RFC 9053), and the allow-lists that decide which of
 * them a caller accepts. The Barid profile (`spec/04-cose-profile.md`) allows EdDSA and ES256
 * signatures, A256GCM content encryption and ECDH-ES + A256KW key agreement only; the wider
 * set exists to read the COSE working group's interoperability examples.
 */
import { BaridError } from '../errors.js'
import type { CborValue } from '../cbor/index.js'

/** Signature algorithms (RFC 9053 sections 2.1 and 2.2). */
export const SIGNATURE_ALG = { EdDSA: -8, ES256: -7 } as const
export type SignatureAlgorithm = keyof typeof SIGNATURE_ALG
export type SignatureAlgorithmId = (typeof SIGNATURE_ALG)[SignatureAlgorithm]

/** AES-GCM content encryption (RFC 9053 section 4.1, table 5). */
export const CONTENT_ALG = { A128GCM: 1, A192GCM: 2, A256GCM: 3 } as const
export type ContentAlgorithmId = (typeof CONTENT_ALG)[keyof typeof CONTENT_ALG]

/** Key distribution: direct, and ECDH with HKDF-SHA-256 and optionally AES key wrap (RFC 9053 6). */
export const KEY_ALG = {
  direct: -6,
  'ECDH-ES+HKDF-256': -25,
  'ECDH-SS+HKDF-256': -27,
  'ECDH-ES+A128KW': -29,
  'ECDH-ES+A192KW': -30,
  'ECDH-ES+A256KW': -31,
  'ECDH-SS+A128KW': -32,
  'ECDH-SS+A192KW': -33,
  'ECDH-SS+A256KW': -34,
} as const
export type KeyAlgorithmId = (typeof KEY_ALG)[keyof typeof KEY_ALG]

/** What a key distribution algorithm does, as RFC 9053 sections 6.1 to 6.4 define it. */
export interface KeyAlgorithm {
  readonly id: KeyAlgorithmId
  readonly name: string
  /** 'direct' uses a shared key as the CEK; 'ecdh' derives a key by key agreement. */
  readonly kind: 'direct' | 'ecdh'
  /** Static-static agreement (the sender's key is static, not ephemeral). */
  readonly staticSender: boolean
  /** AES key wrap of the CEK under the derived KEK, with the KW algorithm id for the KDF context. */
  readonly wrap?: { readonly kwAlg: -3 | -4 | -5; readonly bits: 128 | 192 | 256 }
}

const KEY_ALGORITHMS: ReadonlyMap<number, KeyAlgorithm> = new Map<number, KeyAlgorithm>([
  [-6, { id: -6, name: 'direct', kind: 'direct', staticSender: false }],
  [-25, { id: -25, name: 'ECDH-ES+HKDF-256', kind: 'ecdh', staticSender: false }],
  [-27, { id: -27, name: 'ECDH-SS+HKDF-256', kind: 'ecdh', staticSender: true }],
  [
    -29,
    {
      id: -29,
      name: 'ECDH-ES+A128KW',
      kind: 'ecdh',
      staticSender: false,
      wrap: { kwAlg: -3, bits: 128 },
    },
  ],
  [
    -30,
    {
      id: -30,
      name: 'ECDH-ES+A192KW',
      kind: 'ecdh',
      staticSender: false,
      wrap: { kwAlg: -4, bits: 192 },
    },
  ],
  [
    -31,
    {
      id: -31,
      name: 'ECDH-ES+A256KW',
      kind: 'ecdh',
      staticSender: false,
      wrap: { kwAlg: -5, bits: 256 },
    },
  ],
  [
    -32,
    {
      id: -32,
      name: 'ECDH-SS+A128KW',
      kind: 'ecdh',
      staticSender: true,
      wrap: { kwAlg: -3, bits: 128 },
    },
  ],
  [
    -33,
    {
      id: -33,
      name: 'ECDH-SS+A192KW',
      kind: 'ecdh',
      staticSender: true,
      wrap: { kwAlg: -4, bits: 192 },
    },
  ],
  [
    -34,
    {
      id: -34,
      name: 'ECDH-SS+A256KW',
      kind: 'ecdh',
      staticSender: true,
      wrap: { kwAlg: -5, bits: 256 },
    },
  ],
])

/** Which algorithms a caller accepts. Anything outside the list is refused before any crypto. */
export interface AlgorithmPolicy {
  readonly signature: readonly number[]
  readonly content: readonly number[]
  readonly keyDistribution: readonly number[]
}

/** The Barid profile (spec/04-cose-profile.md section 4.2). */
export const BARID_ALGORITHMS: AlgorithmPolicy = Object.freeze({
  signature: Object.freeze([SIGNATURE_ALG.EdDSA, SIGNATURE_ALG.ES256]),
  content: Object.freeze([CONTENT_ALG.A256GCM]),
  keyDistribution: Object.freeze([KEY_ALG['ECDH-ES+A256KW']]),
})

/** Every algorithm this library implements; for reading other COSE producers' messages. */
export const ALL_ALGORITHMS: AlgorithmPolicy = Object.freeze({
  signature: Object.freeze([SIGNATURE_ALG.EdDSA, SIGNATURE_ALG.ES256]),
  content: Object.freeze([1, 2, 3]),
  keyDistribution: Object.freeze([...KEY_ALGORITHMS.keys()]),
})

function unsupported(kind: string, alg: CborValue | undefined): never {
  const shown = typeof alg === 'number' || typeof alg === 'string' ? String(alg) : typeof alg
  throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', `${kind} algorithm ${shown} is not supported`, {
    details: { alg: shown },
  })
}

/** The signature algorithm `alg`, if implemented and allowed; else `ERR_UNSUPPORTED_ALGORITHM`. */
export function signatureAlgorithm(
  alg: CborValue | undefined,
  allowed: readonly number[],
): SignatureAlgorithmId {
  if ((alg === -8 || alg === -7) && allowed.includes(alg)) return alg
  return unsupported('signature', alg)
}

/** The content encryption algorithm `alg`, if implemented and allowed. */
export function contentAlgorithm(
  alg: CborValue | undefined,
  allowed: readonly number[],
): ContentAlgorithmId {
  if ((alg === 1 || alg === 2 || alg === 3) && allowed.includes(alg)) return alg
  return unsupported('content encryption', alg)
}

/** Key length in bits of an AES-GCM content algorithm. */
export function contentKeyBits(alg: ContentAlgorithmId): 128 | 192 | 256 {
  return alg === 1 ? 128 : alg === 2 ? 192 : 256
}

/** The key distribution algorithm `alg`, if implemented and allowed. */
export function keyAlgorithm(alg: CborValue | undefined, allowed: readonly number[]): KeyAlgorithm {
  const found = typeof alg === 'number' ? KEY_ALGORITHMS.get(alg) : undefined
  if (found === undefined || !allowed.includes(found.id))
    return unsupported('key distribution', alg)
  return found
}
