/**
 * @module cose/decrypt
 * Reading COSE_Encrypt (tag 96) and COSE_Encrypt0 (tag 16). Parsing is separate from
 * decryption so that a caller such as the sealed letter can check the structure, pick its
 * recipient by key id, and inspect the recovered CEK before it decrypts anything.
 */
import { BaridError } from '../errors.js'
import { bytesEqual } from '../bytes.js'
import type { CborValue } from '../cbor/index.js'
import {
  BARID_ALGORITHMS,
  contentAlgorithm,
  contentKeyBits,
  type AlgorithmPolicy,
  type ContentAlgorithmId,
} from './algorithms.js'
import { gcmDecrypt, ivFromPartial, importCek } from './content.js'
import {
  malformed,
  param,
  readHeaders,
  readMessage,
  type CoseReadOptions,
  type Headers,
} from './headers.js'
import { COSE_TAG, HEADER } from './labels.js'
import {
  parseRecipient,
  recoverCek,
  type ParsedRecipient,
  type RecipientSecret,
} from './recipient.js'
import { encStructure } from './structures.js'

/** Options for reading the content layer. */
export interface ReadEncryptOptions extends CoseReadOptions {
  /** Allowed algorithms. Default: the Barid profile. */
  algorithms?: AlgorithmPolicy
  /** Most recipients accepted. Default 4,096. */
  maxRecipients?: number
  /** The Base IV from context, for messages that carry a Partial IV (RFC 9052 section 3.1). */
  baseIv?: Uint8Array
  /** Refuse a content `alg` that is not protected. Default true (Barid profile). */
  requireProtectedAlg?: boolean
}

/** The content layer of a COSE_Encrypt or COSE_Encrypt0, parsed and checked, not decrypted. */
export interface ParsedContent {
  readonly context: 'Encrypt' | 'Encrypt0'
  readonly headers: Headers
  readonly alg: ContentAlgorithmId
  readonly iv: Uint8Array
  readonly ciphertext: Uint8Array
}

/** A parsed COSE_Encrypt. */
export interface ParsedCoseEncrypt extends ParsedContent {
  readonly recipients: readonly ParsedRecipient[]
}

function content(
  context: 'Encrypt' | 'Encrypt0',
  parts: readonly CborValue[],
  options: ReadEncryptOptions,
): ParsedContent {
  const headers = readHeaders(parts[0]!, parts[1]!, options)
  const ciphertext = parts[2]
  if (!(ciphertext instanceof Uint8Array))
    malformed('ciphertext must be a byte string (detached content is not supported)')
  const algValue =
    (options.requireProtectedAlg ?? true)
      ? headers.protected.get(HEADER.alg)
      : param(headers, HEADER.alg)
  const alg = contentAlgorithm(algValue, (options.algorithms ?? BARID_ALGORITHMS).content)
  const iv = param(headers, HEADER.iv)
  const partial = param(headers, HEADER.partialIv)
  let fullIv: Uint8Array
  if (iv instanceof Uint8Array) fullIv = iv
  else if (partial instanceof Uint8Array && options.baseIv !== undefined)
    fullIv = ivFromPartial(options.baseIv, partial)
  else
    return malformed('the content layer needs an IV (or a Partial IV and a Base IV from context)')
  if (fullIv.length !== 12) malformed('AES-GCM IV must be 12 bytes')
  if (ciphertext.length < 16) malformed('ciphertext is shorter than the authentication tag')
  return { context, headers, alg, iv: fullIv, ciphertext }
}

/**
 * Parses a COSE_Encrypt and its recipients; every algorithm is checked against the allow-list.
 *
 * @example
 * ```ts
 * const msg = parseCoseEncrypt(bytes)
 * const mine = msg.recipients.find((r) => r.kid && bytesEqual(r.kid, myKid))
 * ```
 */
export function parseCoseEncrypt(
  bytes: Uint8Array,
  options: ReadEncryptOptions = {},
): ParsedCoseEncrypt {
  const parts = readMessage(bytes, COSE_TAG.encrypt, 4, 'COSE_Encrypt', options)
  const c = content('Encrypt', parts, options)
  const list = parts[3]
  const max = options.maxRecipients ?? 4096
  if (!Array.isArray(list) || list.length === 0)
    malformed('COSE_Encrypt needs at least one recipient')
  if (list.length > max) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', `more than ${max} recipients`, {
      details: { limit: max },
    })
  }
  const allowed = (options.algorithms ?? BARID_ALGORITHMS).keyDistribution
  return {
    ...c,
    recipients: (list as readonly CborValue[]).map((r) => parseRecipient(r, allowed, options)),
  }
}

/** Parses a COSE_Encrypt0. */
export function parseCoseEncrypt0(
  bytes: Uint8Array,
  options: ReadEncryptOptions = {},
): ParsedContent {
  return content(
    'Encrypt0',
    readMessage(bytes, COSE_TAG.encrypt0, 3, 'COSE_Encrypt0', options),
    options,
  )
}

/** Decrypts a parsed content layer with the CEK (bytes or an AES-GCM key); `ERR_DECRYPT_FAILED` on any change. */
export async function decryptContent(
  msg: ParsedContent,
  cek: Uint8Array | CryptoKey,
  externalAad?: Uint8Array,
): Promise<Uint8Array> {
  let key: CryptoKey
  if (cek instanceof Uint8Array) {
    if (cek.length * 8 !== contentKeyBits(msg.alg))
      throw new BaridError('ERR_DECRYPT_FAILED', 'content key has the wrong length')
    key = await importCek(cek, ['decrypt'], false)
  } else key = cek
  return gcmDecrypt(
    key,
    msg.iv,
    encStructure(msg.context, msg.headers.protectedBytes, externalAad),
    msg.ciphertext,
  )
}

/** Options for {@link decryptCose}. */
export interface DecryptCoseOptions extends ReadEncryptOptions, RecipientSecret {
  /** Picks the recipient by key id. Default: the only recipient. */
  kid?: Uint8Array
  externalAad?: Uint8Array
}

/** A decrypted COSE_Encrypt. */
export interface DecryptedCose {
  readonly plaintext: Uint8Array
  readonly cek: Uint8Array
  readonly message: ParsedCoseEncrypt
  readonly recipient: ParsedRecipient
}

/**
 * Parses, recovers the CEK for one recipient, and decrypts. `ERR_KEY_NOT_FOUND` when no
 * recipient has the key id asked for.
 *
 * @example
 * ```ts
 * const { plaintext } = await decryptCose(bytes, { privateKey, kid })
 * ```
 */
export async function decryptCose(
  bytes: Uint8Array,
  options: DecryptCoseOptions,
): Promise<DecryptedCose> {
  const message = parseCoseEncrypt(bytes, options)
  const want = options.kid
  const recipient =
    want === undefined
      ? message.recipients.length === 1
        ? message.recipients[0]
        : undefined
      : message.recipients.find((r) => r.kid !== undefined && bytesEqual(r.kid, want))
  if (recipient === undefined)
    throw new BaridError('ERR_KEY_NOT_FOUND', 'no recipient of this message has the key asked for')
  const { cek, key } = await recoverCek(recipient, options, {
    alg: message.alg,
    bits: contentKeyBits(message.alg),
  })
  if (cek.length * 8 !== contentKeyBits(message.alg))
    throw new BaridError('ERR_DECRYPT_FAILED', 'content key has the wrong length')
  const plaintext = await decryptContent(message, key ?? cek, options.externalAad)
  return { plaintext, cek, message, recipient }
}

/**
 * Decrypts a COSE_Encrypt0 under a shared key.
 *
 * @example
 * ```ts
 * const plaintext = await decryptCose0(bytes, { key, algorithms: ALL_ALGORITHMS, canonical: false })
 * ```
 */
export async function decryptCose0(
  bytes: Uint8Array,
  options: ReadEncryptOptions & { key: Uint8Array; externalAad?: Uint8Array },
): Promise<Uint8Array> {
  return decryptContent(parseCoseEncrypt0(bytes, options), options.key, options.externalAad)
}
