/**
 * @module cose/sign
 * Verification of COSE_Sign (RFC 9052 section 4.1), tag 98, the multi-signer form. Barid never
 * produces it; it is read only so that the library can check the COSE working group's signed
 * examples. Signing is not offered.
 */
import { BaridError } from '../errors.js'
import { bytesEqual } from '../bytes.js'
import type { CborValue } from '../cbor/index.js'
import { BARID_ALGORITHMS, signatureAlgorithm, type SignatureAlgorithmId } from './algorithms.js'
import { malformed, param, readHeaders, readMessage, type HeaderMap } from './headers.js'
import { COSE_TAG, HEADER } from './labels.js'
import { verifyBytes } from './signature.js'
import { sigStructure } from './structures.js'
import type { ReadSign1Options, VerifySignatureOptions } from './sign1.js'

/** Options for {@link verifyCoseSign}. */
export interface VerifyCoseSignOptions extends ReadSign1Options, VerifySignatureOptions {
  /** The verification key of the signer to check. */
  key: CryptoKey
  /** Which signer to check: the one whose `kid` equals this. Default: the only signer. */
  kid?: Uint8Array
}

/** A verified COSE_Sign: the body's headers and payload, and the signer that verified. */
export interface VerifiedCoseSign {
  readonly protectedHeader: HeaderMap
  readonly unprotectedHeader: HeaderMap
  readonly payload: Uint8Array
  readonly signer: {
    readonly protectedHeader: HeaderMap
    readonly unprotectedHeader: HeaderMap
    readonly alg: SignatureAlgorithmId
  }
}

/** The kid of a COSE_Signature array, looked up in its unprotected header (where signers put it). */
function signerKid(s: CborValue | undefined): Uint8Array | undefined {
  if (!Array.isArray(s) || s.length !== 3 || !(s[1] instanceof Map)) return undefined
  const kid = (s[1] as HeaderMap).get(HEADER.kid)
  return kid instanceof Uint8Array ? kid : undefined
}

/**
 * Verifies one signer of a COSE_Sign.
 *
 * @example
 * ```ts
 * const { payload } = await verifyCoseSign(bytes, { key, kid: utf8('11'), canonical: false })
 * ```
 */
export async function verifyCoseSign(
  bytes: Uint8Array,
  options: VerifyCoseSignOptions,
): Promise<VerifiedCoseSign> {
  const [p, u, payload, signers] = readMessage(bytes, COSE_TAG.sign, 4, 'COSE_Sign', options)
  const body = readHeaders(p!, u!, options)
  if (!(payload instanceof Uint8Array)) malformed('COSE_Sign payload must be a byte string')
  if (!Array.isArray(signers) || signers.length === 0)
    malformed('COSE_Sign must have at least one signature')
  const list = signers as readonly CborValue[]
  const want = options.kid
  const picked =
    want === undefined
      ? list.length === 1
        ? list[0]
        : undefined
      : list.find((s) => {
          const kid = signerKid(s)
          return kid !== undefined && bytesEqual(kid, want)
        })
  if (!Array.isArray(picked) || picked.length !== 3) {
    throw new BaridError('ERR_KEY_NOT_FOUND', 'no COSE_Signature matches the key asked for')
  }
  const [sp, su, sig] = picked as readonly CborValue[]
  const sh = readHeaders(sp!, su!, options)
  if (!(sig instanceof Uint8Array)) malformed('COSE_Signature signature must be a byte string')
  const algValue =
    (options.requireProtectedAlg ?? true) ? sh.protected.get(HEADER.alg) : param(sh, HEADER.alg)
  const alg = signatureAlgorithm(algValue, options.algorithms ?? BARID_ALGORITHMS.signature)
  const data = sigStructure(body.protectedBytes, options.externalAad, payload, sh.protectedBytes)
  if (!(await verifyBytes(alg, options.key, data, sig, options.requireLowS ?? true))) {
    throw new BaridError('ERR_SIGNATURE_INVALID', 'COSE_Signature does not verify')
  }
  return {
    protectedHeader: body.protected,
    unprotectedHeader: body.unprotected,
    payload,
    signer: { protectedHeader: sh.protected, unprotectedHeader: sh.unprotected, alg },
  }
}
