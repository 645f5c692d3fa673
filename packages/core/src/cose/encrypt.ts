/**
 * @module cose/encrypt
 * Producing COSE_Encrypt (RFC 9052 section 5.1, tag 96) and COSE_Encrypt0 (tag 16) with AES-GCM.
 * In the Barid profile: A256GCM content, one ECDH-ES + A256KW recipient per key, a fresh random
 * CEK and IV for every message (the caller may supply the CEK when it must know it, as the sealed
 * letter does for its key commitment).
 */
import { BaridError } from '../errors.js'
import { CborTag, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import {
  BARID_ALGORITHMS,
  contentAlgorithm,
  contentKeyBits,
  keyAlgorithm,
  type AlgorithmPolicy,
  type ContentAlgorithmId,
} from './algorithms.js'
import { GCM_IV_BYTES, gcmEncrypt, importCek, ivFromPartial } from './content.js'
import type { HeaderMap } from './headers.js'
import { COSE_TAG, HEADER } from './labels.js'
import { buildRecipient, isDirectMethod, type RecipientOptions } from './recipient.js'
import { encStructure } from './structures.js'

/** Options shared by {@link encryptCose} and {@link encryptCose0}. */
export interface ContentOptions {
  plaintext: Uint8Array
  /** Default A256GCM (3). */
  contentAlg?: ContentAlgorithmId
  /** Bound into the authentication tag, not carried (RFC 9052 section 5.3). */
  externalAad?: Uint8Array
  /** The 12-byte IV. Default: random. Never reuse one under the same key. */
  iv?: Uint8Array
  /** Send a Partial IV (label 6) instead of the IV; the IV is then `baseIv` XOR the padded Partial IV. */
  partialIv?: { partialIv: Uint8Array; baseIv: Uint8Array }
  /** Extra protected parameters (`alg` is added). */
  protectedHeader?: HeaderMap
  /** Extra unprotected parameters (the IV is added). */
  unprotectedHeader?: HeaderMap
  /** Allowed algorithms. Default: the Barid profile. */
  algorithms?: AlgorithmPolicy
}

/** Options for {@link encryptCose}. */
export interface EncryptCoseOptions extends ContentOptions {
  recipients: readonly RecipientOptions[]
  /**
   * The content key: bytes, or an extractable AES-GCM key with `encrypt` usage. Default: random.
   * Not allowed with a direct method, which fixes the CEK.
   */
  cek?: Uint8Array | CryptoKey
}

function layerHeaders(
  o: ContentOptions,
  alg: ContentAlgorithmId,
): { protectedBytes: Uint8Array; unprotected: Map<CborKey, CborValue>; iv: Uint8Array } {
  const prot = new Map<CborKey, CborValue>(o.protectedHeader ?? [])
  prot.set(HEADER.alg, alg)
  const unprotected = new Map<CborKey, CborValue>(o.unprotectedHeader ?? [])
  let iv: Uint8Array
  if (o.partialIv !== undefined) {
    iv = ivFromPartial(o.partialIv.baseIv, o.partialIv.partialIv)
    unprotected.set(HEADER.partialIv, o.partialIv.partialIv)
  } else {
    iv = o.iv ?? crypto.getRandomValues(new Uint8Array(GCM_IV_BYTES))
    unprotected.set(HEADER.iv, iv)
  }
  return { protectedBytes: encodeCanonical(prot), unprotected, iv }
}

async function contentKey(
  cek: Uint8Array | CryptoKey | undefined,
  bits: number,
): Promise<CryptoKey> {
  if (cek instanceof CryptoKey) {
    const alg = cek.algorithm as AesKeyAlgorithm
    if (
      alg.name !== 'AES-GCM' ||
      alg.length !== bits ||
      !cek.extractable ||
      !cek.usages.includes('encrypt')
    ) {
      throw new BaridError(
        'ERR_KEY_INVALID',
        `the CEK must be an extractable ${bits}-bit AES-GCM key for encryption`,
      )
    }
    return cek
  }
  const raw = cek ?? crypto.getRandomValues(new Uint8Array(bits / 8))
  if (raw.length * 8 !== bits)
    throw new BaridError('ERR_KEY_INVALID', `the CEK must have ${bits} bits`)
  return importCek(raw, ['encrypt'], true)
}

/**
 * Encrypts to one or more recipients and returns the tagged COSE_Encrypt.
 *
 * @example
 * ```ts
 * const bytes = await encryptCose({ plaintext, recipients: [{ publicKey, kid }] })
 * ```
 */
export async function encryptCose(options: EncryptCoseOptions): Promise<Uint8Array> {
  const policy = options.algorithms ?? BARID_ALGORITHMS
  const alg = contentAlgorithm(options.contentAlg ?? 3, policy.content)
  const content = { alg, bits: contentKeyBits(alg) }
  if (options.recipients.length === 0)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'COSE_Encrypt needs a recipient')
  const methods = options.recipients.map((r) => keyAlgorithm(r.alg ?? -31, policy.keyDistribution))
  const direct = methods.some(isDirectMethod)
  const { protectedBytes, unprotected, iv } = layerHeaders(options, alg)
  const aad = encStructure('Encrypt', protectedBytes, options.externalAad)
  let recipients: CborValue[][]
  let ciphertext: Uint8Array
  if (direct) {
    // RFC 9053 section 6.1: a direct method fixes the CEK, so it is the only recipient.
    if (options.recipients.length !== 1 || options.cek !== undefined) {
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        'a direct method must be the only recipient and fixes the CEK',
      )
    }
    const built = await buildRecipient(
      options.recipients[0]!,
      content,
      undefined,
      policy.keyDistribution,
    )
    recipients = [built.recipient]
    ciphertext = await gcmEncrypt(
      await importCek(built.cek!, ['encrypt'], false),
      iv,
      aad,
      options.plaintext,
    )
  } else {
    const cekKey = await contentKey(options.cek, content.bits)
    // The recipients' wrapping and the content encryption only share the CEK: run them together.
    const [built, ct] = await Promise.all([
      Promise.all(
        options.recipients.map((r) => buildRecipient(r, content, cekKey, policy.keyDistribution)),
      ),
      gcmEncrypt(cekKey, iv, aad, options.plaintext),
    ])
    recipients = built.map((b) => b.recipient)
    ciphertext = ct
  }
  return encodeCanonical(
    new CborTag(COSE_TAG.encrypt, [protectedBytes, unprotected, ciphertext, recipients]),
  )
}

/** Options for {@link encryptCose0}. */
export interface EncryptCose0Options extends ContentOptions {
  /** The shared symmetric key (the CEK; there is no recipient layer). */
  key: Uint8Array
}

/**
 * Encrypts under a key both sides already share and returns the tagged COSE_Encrypt0. Barid
 * itself does not use it; it exists for interoperability tests.
 *
 * @example
 * ```ts
 * const bytes = await encryptCose0({ plaintext, key, contentAlg: 1, algorithms: ALL_ALGORITHMS })
 * ```
 */
export async function encryptCose0(options: EncryptCose0Options): Promise<Uint8Array> {
  const policy = options.algorithms ?? BARID_ALGORITHMS
  const alg = contentAlgorithm(options.contentAlg ?? 3, policy.content)
  if (options.key.length * 8 !== contentKeyBits(alg))
    throw new BaridError('ERR_KEY_INVALID', 'key length does not fit the algorithm')
  const key = await importCek(options.key, ['encrypt'], false)
  const { protectedBytes, unprotected, iv } = layerHeaders(options, alg)
  const ciphertext = await gcmEncrypt(
    key,
    iv,
    encStructure('Encrypt0', protectedBytes, options.externalAad),
    options.plaintext,
  )
  return encodeCanonical(new CborTag(COSE_TAG.encrypt0, [protectedBytes, unprotected, ciphertext]))
}
