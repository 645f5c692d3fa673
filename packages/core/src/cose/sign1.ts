/**
 * @module cose/sign1
 * COSE_Sign1 (RFC 9052 section 4.2), tag 18: one signer, EdDSA or ES256. In the Barid profile
 * the algorithm MUST be in the protected header, so it is covered by the signature and cannot be
 * swapped; the verifier checks it against the key before any crypto runs.
 */
import { BaridError } from '../errors.js'
import { CborTag, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import {
  BARID_ALGORITHMS,
  signatureAlgorithm,
  type SignatureAlgorithm,
  type SignatureAlgorithmId,
} from './algorithms.js'
import {
  decodeCbor,
  malformed,
  param,
  readHeaders,
  readMessage,
  type CoseReadOptions,
  type HeaderMap,
} from './headers.js'
import { COSE_TAG, HEADER } from './labels.js'
import {
  signatureAlgorithmOfKey,
  signBytes,
  verifyBytes,
  type SignatureVerifier,
} from './signature.js'
import { sigStructure } from './structures.js'

/** Options for {@link signSign1}. */
export interface SignSign1Options {
  /** The content to sign. */
  payload: Uint8Array
  /** The signing key: Ed25519, or ECDSA P-256. */
  key: CryptoKey
  /** Default: the key's algorithm. A mismatch is `ERR_KEY_INVALID`. */
  alg?: SignatureAlgorithm
  /**
   * Protected parameters other than `alg` (which is added), or the exact protected header
   * bytes, which must then contain the key's `alg`.
   */
  protectedHeader?: HeaderMap | Uint8Array
  /** Unprotected parameters. Default none. */
  unprotectedHeader?: HeaderMap
  /** Data bound into the signature but not carried (RFC 9052 section 4.3). */
  externalAad?: Uint8Array
}

/**
 * Signs a COSE_Sign1 and returns its tagged encoding.
 *
 * @example
 * ```ts
 * const bytes = await signSign1({ payload, key: privateKey, protectedHeader: new Map([[4, kid]]) })
 * ```
 */
export async function signSign1(options: SignSign1Options): Promise<Uint8Array> {
  const alg = signatureAlgorithmOfKey(options.key, options.alg)
  const protectedBytes = protectedHeaderBytes(options.protectedHeader, alg)
  const sig = await signBytes(
    alg,
    options.key,
    sigStructure(protectedBytes, options.externalAad, options.payload),
  )
  return encodeCanonical(
    new CborTag(COSE_TAG.sign1, [
      protectedBytes,
      options.unprotectedHeader ?? new Map(),
      options.payload,
      sig,
    ]),
  )
}

/** The protected bytes for a signer: encodes a map with `alg` added, or checks given bytes carry `alg`. */
export function protectedHeaderBytes(
  header: HeaderMap | Uint8Array | undefined,
  alg: SignatureAlgorithmId,
): Uint8Array {
  if (header instanceof Uint8Array) {
    const m = decodeCbor(header, { maxBytes: header.length })
    if (!(m instanceof Map) || m.get(HEADER.alg) !== alg) {
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        "protected header bytes must be a map holding the key's alg",
      )
    }
    return header
  }
  const m = new Map<CborKey, CborValue>(header ?? [])
  const given = m.get(HEADER.alg)
  if (given !== undefined && given !== alg)
    throw new BaridError('ERR_KEY_INVALID', 'protected alg does not match the key')
  m.set(HEADER.alg, alg)
  return encodeCanonical(m)
}

/** A COSE_Sign1 taken apart, not yet verified. */
export interface DecodedSign1 {
  readonly protectedBytes: Uint8Array
  readonly protectedHeader: HeaderMap
  readonly unprotectedHeader: HeaderMap
  readonly payload: Uint8Array
  readonly signature: Uint8Array
  /** The signature algorithm, checked against the allow-list. */
  readonly alg: SignatureAlgorithmId
}

/** Options for reading a COSE_Sign1. */
export interface ReadSign1Options extends CoseReadOptions {
  /** Allowed signature algorithms. Default: the Barid profile (EdDSA, ES256). */
  algorithms?: readonly number[]
  /** Refuse an `alg` that is not protected. Default true (Barid profile); RFC 9052 allows either. */
  requireProtectedAlg?: boolean
}

/**
 * Decodes a COSE_Sign1 and checks its shape and algorithm, without verifying the signature.
 * Detached payloads (nil) are not supported.
 *
 * @example
 * ```ts
 * const d = decodeSign1(bytes)
 * const key = await lookUp(d.protectedHeader.get(4))
 * await verifySign1Signature(d, key)
 * ```
 */
export function decodeSign1(bytes: Uint8Array, options: ReadSign1Options = {}): DecodedSign1 {
  const [p, u, payload, signature] = readMessage(bytes, COSE_TAG.sign1, 4, 'COSE_Sign1', options)
  const h = readHeaders(p!, u!, options)
  if (!(payload instanceof Uint8Array)) malformed('COSE_Sign1 payload must be a byte string')
  if (!(signature instanceof Uint8Array)) malformed('COSE_Sign1 signature must be a byte string')
  const algValue =
    (options.requireProtectedAlg ?? true) ? h.protected.get(HEADER.alg) : param(h, HEADER.alg)
  const alg = signatureAlgorithm(algValue, options.algorithms ?? BARID_ALGORITHMS.signature)
  return {
    protectedBytes: h.protectedBytes,
    protectedHeader: h.protected,
    unprotectedHeader: h.unprotected,
    payload,
    signature,
    alg,
  }
}

/** Options for checking a signature. */
export interface VerifySignatureOptions {
  externalAad?: Uint8Array
  /** Refuse high-S ES256 signatures. Default true (Barid profile). */
  requireLowS?: boolean
  /** Verifies signatures in place of WebCrypto (see {@link SignatureVerifier}). */
  verifier?: SignatureVerifier
}

/**
 * Verifies a decoded COSE_Sign1 under `key`: `ERR_KEY_INVALID` if the key does not fit the
 * algorithm, `ERR_SIGNATURE_INVALID` if the signature does not verify.
 */
export async function verifySign1Signature(
  decoded: DecodedSign1,
  key: CryptoKey,
  options: VerifySignatureOptions = {},
): Promise<void> {
  const data = sigStructure(decoded.protectedBytes, options.externalAad, decoded.payload)
  if (
    !(await verifyBytes(
      decoded.alg,
      key,
      data,
      decoded.signature,
      options.requireLowS ?? true,
      options.verifier,
    ))
  ) {
    throw new BaridError('ERR_SIGNATURE_INVALID', 'COSE_Sign1 signature does not verify')
  }
}

/**
 * {@link verifySign1Signature} for a structure whose signer the verifier found by `kid` (trust
 * and revocation lists, discovery documents, transparency objects, evidence records): the key is
 * the verifier's own choice and `alg` is part of what was signed, so a key that does not fit
 * `alg` means the header was changed, and is `ERR_SIGNATURE_INVALID` (spec 04, 4.2).
 *
 * @example
 * ```ts
 * await verifyKnownSigner(decodeSign1(bytes), keyOf(kid), 'evidence record')
 * ```
 */
export async function verifyKnownSigner(
  decoded: DecodedSign1,
  key: CryptoKey,
  what: string,
): Promise<void> {
  try {
    await verifySign1Signature(decoded, key)
  } catch (e) {
    if (e instanceof BaridError && e.code === 'ERR_KEY_INVALID') {
      throw new BaridError('ERR_SIGNATURE_INVALID', `${what} alg does not fit its signer's key`, {
        cause: e,
      })
    }
    throw e
  }
}

/** Options for {@link verifySign1}. */
export interface VerifySign1Options extends ReadSign1Options, VerifySignatureOptions {
  /** The verification key, or a function that finds it from the decoded (unverified) message. */
  key: CryptoKey | ((decoded: DecodedSign1) => Promise<CryptoKey>)
}

/**
 * Decodes and verifies a COSE_Sign1; returns it only if the signature verifies.
 *
 * @example
 * ```ts
 * const { payload } = await verifySign1(bytes, { key: publicKey })
 * ```
 */
export async function verifySign1(
  bytes: Uint8Array,
  options: VerifySign1Options,
): Promise<DecodedSign1> {
  const decoded = decodeSign1(bytes, options)
  const key = typeof options.key === 'function' ? await options.key(decoded) : options.key
  await verifySign1Signature(decoded, key, options)
  return decoded
}
