/**
 * @module cose/kdf
 * Key agreement and key derivation for ECDH recipients: the shared secret from WebCrypto ECDH /
 * X25519, fed to HKDF-SHA-256 (RFC 5869) with the COSE_KDF_Context of RFC 9053 section 5.2 as
 * `info`. The context binds the derived key to the algorithm it is for, its length and the
 * recipient's protected header, so one agreement can never yield a key for another purpose.
 */
import { BaridError } from '../errors.js'
import { encodeCanonical, type CborValue } from '../cbor/index.js'
import { agreementCurveOf } from './cose-key.js'

/** PartyUInfo / PartyVInfo members (RFC 9053 section 5.2); absent members are nil. */
export interface PartyInfo {
  identity?: Uint8Array
  nonce?: Uint8Array | number
  other?: Uint8Array
}

/** Inputs of the COSE_KDF_Context. */
export interface KdfContextInput {
  /** The algorithm the derived key is for: the key wrap algorithm, or the content algorithm for direct. */
  algorithmId: number
  /** Length of the derived key in bits. */
  keyDataLength: number
  /** The recipient layer's protected header bytes (empty when it has none). */
  protectedBytes: Uint8Array
  partyU?: PartyInfo
  partyV?: PartyInfo
}

function party(p: PartyInfo | undefined): CborValue[] {
  return [p?.identity ?? null, p?.nonce ?? null, p?.other ?? null]
}

/**
 * Encodes COSE_KDF_Context: `[AlgorithmID, PartyUInfo, PartyVInfo, [keyDataLength, protected]]`.
 *
 * @example
 * ```ts
 * kdfContext({ algorithmId: -5, keyDataLength: 256, protectedBytes: fromHex('a101381e') })
 * // 842483f6f6f683f6f6f68219010044a101381e
 * ```
 */
export function kdfContext(input: KdfContextInput): Uint8Array {
  return encodeCanonical([
    input.algorithmId,
    party(input.partyU),
    party(input.partyV),
    [input.keyDataLength, input.protectedBytes],
  ])
}

const HKDF_USAGES: KeyUsage[] = ['deriveKey', 'deriveBits']

/**
 * The ECDH shared secret as a non-extractable HKDF key. Uses one `deriveKey` call when the
 * private key allows it, else `deriveBits` and an import.
 */
export async function agree(privateKey: CryptoKey, peerPublicKey: CryptoKey): Promise<CryptoKey> {
  const curve = agreementCurveOf(privateKey)
  if (agreementCurveOf(peerPublicKey) !== curve) {
    throw new BaridError(
      'ERR_KEY_INVALID',
      'the two keys of a key agreement are on different curves',
    )
  }
  const alg = { name: curve === 'X25519' ? 'X25519' : 'ECDH', public: peerPublicKey }
  try {
    if (privateKey.usages.includes('deriveKey')) {
      return await crypto.subtle.deriveKey(alg, privateKey, 'HKDF', false, HKDF_USAGES)
    }
    const secret = await crypto.subtle.deriveBits(alg, privateKey, 256)
    return await crypto.subtle.importKey('raw', secret, 'HKDF', false, HKDF_USAGES)
  } catch (cause) {
    // X25519 with a small-order peer key yields the all-zero secret, which WebCrypto refuses.
    throw new BaridError(
      'ERR_KEY_INVALID',
      'key agreement failed (wrong key type, usages or a degenerate peer key)',
      {
        cause,
      },
    )
  }
}

/** HKDF-SHA-256 parameters for one derivation. */
export function hkdfParams(context: Uint8Array, salt: Uint8Array | undefined): HkdfParams {
  return {
    name: 'HKDF',
    hash: 'SHA-256',
    salt: (salt ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
    info: context as Uint8Array<ArrayBuffer>,
  }
}

/** Derives an AES-KW key encryption key. */
export async function deriveKek(
  secret: CryptoKey,
  context: Uint8Array,
  salt: Uint8Array | undefined,
  bits: number,
  usage: 'wrapKey' | 'unwrapKey',
): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    hkdfParams(context, salt),
    secret,
    { name: 'AES-KW', length: bits },
    false,
    [usage],
  )
}

/** Derives raw key bytes (the CEK itself, for the direct key agreement modes). */
export async function deriveKeyBytes(
  secret: CryptoKey,
  context: Uint8Array,
  salt: Uint8Array | undefined,
  bits: number,
): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.deriveBits(hkdfParams(context, salt), secret, bits))
}
