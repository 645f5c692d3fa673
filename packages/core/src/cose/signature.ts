/**
 * @module cose/signature
 * The two signature algorithms of the profile through WebCrypto: EdDSA on Ed25519 (RFC 9053
 * section 2.2) and ECDSA P-256 with SHA-256 (section 2.1; WebCrypto's IEEE P1363 `r || s` is
 * exactly COSE's encoding). ES256 signatures are normalised to low S and, in the Barid profile,
 * high-S signatures are refused: ECDSA lets anyone turn `(r, s)` into the equally valid
 * `(r, n - s)`, which would give one sealed letter two different digests.
 */
import { BaridError } from '../errors.js'
import { SIGNATURE_ALG, type SignatureAlgorithm, type SignatureAlgorithmId } from './algorithms.js'

// Order of the P-256 group (SEC 2 section 2.4.2).
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const P256_HALF_N = P256_N >> 1n
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const
const ED25519 = { name: 'Ed25519' } as const

/**
 * A platform's signature verification, injected in place of WebCrypto's: true only if
 * `signature` is valid over `data` under `publicKey` for `alg` (EdDSA: RFC 8032 section 5.1.7;
 * ES256: ECDSA P-256 with SHA-256, `signature` the 64-byte IEEE P1363 `r || s`). A server passes
 * a synchronous one (WebCrypto hands every verification to a worker thread, which under load
 * costs about as much as the verification itself); a browser has no need to. It is called only
 * after the key is known to fit `alg`, the signature to be 64 bytes and, for ES256 where the
 * profile requires it, to have a low S.
 */
export type SignatureVerifier = (
  alg: SignatureAlgorithm,
  publicKey: CryptoKey,
  data: Uint8Array,
  signature: Uint8Array,
) => boolean | Promise<boolean>

/**
 * The COSE signature algorithm a WebCrypto key is for; `ERR_KEY_INVALID` if it is neither an
 * Ed25519 nor an ECDSA P-256 key, or if `expected` is given and differs.
 */
export function signatureAlgorithmOfKey(
  key: CryptoKey,
  expected?: SignatureAlgorithm | SignatureAlgorithmId,
): SignatureAlgorithmId {
  if (!(key instanceof CryptoKey)) throw new BaridError('ERR_KEY_INVALID', 'expected a CryptoKey')
  const alg = key.algorithm as EcKeyAlgorithm
  let id: SignatureAlgorithmId
  if (alg.name === 'Ed25519') id = SIGNATURE_ALG.EdDSA
  else if (alg.name === 'ECDSA' && alg.namedCurve === 'P-256') id = SIGNATURE_ALG.ES256
  else if (alg.name === 'Ed448' || alg.name === 'ECDSA') {
    // Signature keys of algorithms the profile leaves out (Ed448; ECDSA on P-384 or P-521).
    throw new BaridError(
      'ERR_UNSUPPORTED_ALGORITHM',
      `${alg.name} ${alg.namedCurve ?? ''} keys are not supported`.trim(),
      {
        details: { key: alg.namedCurve ?? alg.name },
      },
    )
  } else
    throw new BaridError(
      'ERR_KEY_INVALID',
      `a ${alg.name} key is not an EdDSA or ES256 signing key`,
    )
  const want = typeof expected === 'string' ? SIGNATURE_ALG[expected] : expected
  if (want !== undefined && want !== id) {
    throw new BaridError('ERR_KEY_INVALID', 'the key does not match the signature algorithm', {
      details: { alg: want },
    })
  }
  return id
}

function readBig(b: Uint8Array): bigint {
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  return v
}

function writeBig(v: bigint, out: Uint8Array, offset: number, length: number): void {
  for (let i = length - 1; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn)
    v >>= 8n
  }
}

/** Signs `data`; ES256 results are normalised to low S. */
export async function signBytes(
  alg: SignatureAlgorithmId,
  privateKey: CryptoKey,
  data: Uint8Array,
): Promise<Uint8Array> {
  let sig: Uint8Array
  try {
    sig = new Uint8Array(
      await crypto.subtle.sign(
        alg === SIGNATURE_ALG.EdDSA ? ED25519 : ECDSA_SHA256,
        privateKey,
        data as Uint8Array<ArrayBuffer>,
      ),
    )
  } catch (cause) {
    throw new BaridError('ERR_KEY_INVALID', 'the key cannot sign (wrong type or usages)', { cause })
  }
  if (alg === SIGNATURE_ALG.ES256) {
    const s = readBig(sig.subarray(32))
    if (s > P256_HALF_N) writeBig(P256_N - s, sig, 32, 32)
  }
  return sig
}

/**
 * Verifies `signature` over `data`. Returns false for a wrong signature (including one of the
 * wrong length, or high-S ES256 when `requireLowS`); throws `ERR_KEY_INVALID` if the key cannot
 * verify. `verifier`, when given, verifies in place of WebCrypto, after the same checks.
 */
export async function verifyBytes(
  alg: SignatureAlgorithmId,
  publicKey: CryptoKey,
  data: Uint8Array,
  signature: Uint8Array,
  requireLowS: boolean,
  verifier?: SignatureVerifier,
): Promise<boolean> {
  signatureAlgorithmOfKey(publicKey, alg)
  if (signature.length !== 64) return false
  if (alg === SIGNATURE_ALG.ES256 && requireLowS && readBig(signature.subarray(32)) > P256_HALF_N)
    return false
  if (verifier !== undefined) {
    // The checks WebCrypto's verify makes on the key itself, so both paths refuse the same keys.
    if (publicKey.type !== 'public' || !publicKey.usages.includes('verify'))
      throw new BaridError('ERR_KEY_INVALID', 'the key cannot verify (wrong type or usages)')
    try {
      // Only a literal true accepts: a verifier returning anything else rejects.
      const name = alg === SIGNATURE_ALG.EdDSA ? 'EdDSA' : 'ES256'
      return (await verifier(name, publicKey, data, signature)) === true
    } catch (cause) {
      throw new BaridError('ERR_KEY_INVALID', 'the key cannot verify (wrong type or usages)', {
        cause,
      })
    }
  }
  try {
    return await crypto.subtle.verify(
      alg === SIGNATURE_ALG.EdDSA ? ED25519 : ECDSA_SHA256,
      publicKey,
      signature as Uint8Array<ArrayBuffer>,
      data as Uint8Array<ArrayBuffer>,
    )
  } catch (cause) {
    throw new BaridError('ERR_KEY_INVALID', 'the key cannot verify (wrong type or usages)', {
      cause,
    })
  }
}
