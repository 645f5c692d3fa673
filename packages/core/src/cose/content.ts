/**
 * @module cose/content
 * The content layer's AES-GCM (RFC 9053 section 4.1): 96-bit IV, 128-bit tag appended to the
 * ciphertext, Enc_structure as additional data. Also the Partial IV rule of RFC 9052 section 3.1.
 */
import { BaridError } from '../errors.js'

/** Bytes of the AES-GCM authentication tag. */
export const GCM_TAG_BYTES = 16
/** Bytes of the AES-GCM nonce. */
export const GCM_IV_BYTES = 12

/** Imports raw CEK bytes as an AES-GCM key. */
export async function importCek(
  cek: Uint8Array,
  usages: KeyUsage[],
  extractable: boolean,
): Promise<CryptoKey> {
  if (cek.length !== 16 && cek.length !== 24 && cek.length !== 32) {
    throw new BaridError('ERR_KEY_INVALID', 'an AES key has 16, 24 or 32 bytes')
  }
  return crypto.subtle.importKey(
    'raw',
    cek as Uint8Array<ArrayBuffer>,
    'AES-GCM',
    extractable,
    usages,
  )
}

/** AES-GCM encryption; returns ciphertext || tag. */
export async function gcmEncrypt(
  key: CryptoKey,
  iv: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  if (iv.length !== GCM_IV_BYTES)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'AES-GCM IV must be 12 bytes')
  const params = {
    name: 'AES-GCM',
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: 128,
  }
  return new Uint8Array(
    await crypto.subtle.encrypt(params, key, plaintext as Uint8Array<ArrayBuffer>),
  )
}

/** AES-GCM decryption; any authentication failure is `ERR_DECRYPT_FAILED`. */
export async function gcmDecrypt(
  key: CryptoKey,
  iv: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  if (iv.length !== GCM_IV_BYTES || ciphertext.length < GCM_TAG_BYTES) {
    throw new BaridError('ERR_DECRYPT_FAILED', 'ciphertext or IV has the wrong length')
  }
  const params = {
    name: 'AES-GCM',
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: 128,
  }
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(params, key, ciphertext as Uint8Array<ArrayBuffer>),
    )
  } catch (cause) {
    throw new BaridError('ERR_DECRYPT_FAILED', 'ciphertext does not authenticate', { cause })
  }
}

/** RFC 9052 section 3.1: left-pad the Partial IV to the IV length and XOR it with the context's Base IV. */
export function ivFromPartial(baseIv: Uint8Array, partialIv: Uint8Array): Uint8Array {
  if (baseIv.length !== GCM_IV_BYTES || partialIv.length === 0 || partialIv.length > GCM_IV_BYTES) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'Base IV must be 12 bytes and Partial IV 1 to 12 bytes',
    )
  }
  const iv = baseIv.slice()
  const offset = GCM_IV_BYTES - partialIv.length
  for (let i = 0; i < partialIv.length; i++) iv[offset + i]! ^= partialIv[i]!
  return iv
}
