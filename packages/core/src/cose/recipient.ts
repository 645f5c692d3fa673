/**
 * @module cose/recipient
 * COSE_recipient structures (RFC 9052 section 5.1) for the key distribution methods of RFC 9053
 * section 6: direct, ECDH-ES / ECDH-SS with HKDF-SHA-256 as the CEK (direct key agreement), and
 * ECDH-ES / ECDH-SS with AES key wrap of the CEK. The Barid profile uses ECDH-ES + A256KW only;
 * the other modes exist to read (and reproduce) the COSE working group's examples.
 */
import { BaridError } from '../errors.js'
import { encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { keyAlgorithm, type KeyAlgorithm, type KeyAlgorithmId } from './algorithms.js'
import {
  agreementAlgorithm,
  agreementCurveOf,
  exportCoseKey,
  importCoseKey,
  parseCoseKey,
} from './cose-key.js'
import { malformed, param, readHeaders, type CoseReadOptions, type Headers } from './headers.js'
import { agree, deriveKek, deriveKeyBytes, kdfContext, type PartyInfo } from './kdf.js'
import { ECDH_HEADER, HEADER } from './labels.js'

const EMPTY = new Uint8Array(0)

/** One recipient of a COSE_Encrypt, as the sender describes it. */
export interface RecipientOptions {
  /** Key distribution algorithm. Default ECDH-ES + A256KW (-31). */
  alg?: KeyAlgorithmId
  /** The recipient's ECDH public key (P-256 or X25519), for the ECDH algorithms. */
  publicKey?: CryptoKey
  /** Key id of the recipient's key, carried in the unprotected header (label 4). */
  kid?: Uint8Array
  /** The shared symmetric key, for `direct` (-6): it is the CEK. */
  sharedKey?: Uint8Array
  /** ECDH-ES: the ephemeral key pair. Default: a fresh one. Injected only for test vectors. */
  ephemeralKeyPair?: CryptoKeyPair
  /** ECDH-SS: the sender's static key; sent by `kid` (-3) when given, else as a COSE_Key (-2). */
  staticKey?: { privateKey: CryptoKey; publicKey?: CryptoKey; kid?: Uint8Array }
  /** PartyU nonce (-22), mixed into the KDF context. */
  partyUNonce?: Uint8Array
  /** HKDF salt (-20). Default none (RFC 5869: a string of zeros). */
  salt?: Uint8Array
}

/** What the content layer tells a recipient layer. */
export interface ContentKeyInfo {
  /** The content algorithm id (the KDF's AlgorithmID for direct key agreement). */
  alg: number
  /** Content key length in bits. */
  bits: number
}

/** A built recipient, and the CEK it fixes when the method is direct. */
export interface BuiltRecipient {
  recipient: CborValue[]
  cek?: Uint8Array
}

/** True when the method decides the CEK itself (so it must be the message's only recipient). */
export function isDirectMethod(alg: KeyAlgorithm): boolean {
  return alg.kind === 'direct' || alg.wrap === undefined
}

async function agreementSetup(
  r: RecipientOptions,
  alg: KeyAlgorithm,
): Promise<{ secret: CryptoKey; unprotected: Map<CborKey, CborValue> }> {
  if (r.publicKey === undefined)
    throw new BaridError('ERR_INVALID_ARGUMENT', `${alg.name} needs the recipient's public key`)
  const unprotected = new Map<CborKey, CborValue>()
  let secret: CryptoKey
  if (alg.staticSender) {
    const s = r.staticKey
    if (s === undefined)
      throw new BaridError('ERR_INVALID_ARGUMENT', `${alg.name} needs the sender's static key`)
    if (s.kid !== undefined) unprotected.set(ECDH_HEADER.staticKeyId, s.kid)
    else if (s.publicKey !== undefined)
      unprotected.set(ECDH_HEADER.staticKey, await exportCoseKey(s.publicKey))
    else
      throw new BaridError('ERR_INVALID_ARGUMENT', 'the static key needs a kid or its public key')
    secret = await agree(s.privateKey, r.publicKey)
  } else {
    const curve = agreementCurveOf(r.publicKey)
    const eph =
      r.ephemeralKeyPair ??
      ((await crypto.subtle.generateKey(agreementAlgorithm(curve) as EcKeyGenParams, false, [
        'deriveKey',
      ])) as CryptoKeyPair)
    const [epk, s] = await Promise.all([
      exportCoseKey(eph.publicKey),
      agree(eph.privateKey, r.publicKey),
    ])
    unprotected.set(ECDH_HEADER.ephemeralKey, epk)
    secret = s
  }
  if (r.partyUNonce !== undefined) unprotected.set(ECDH_HEADER.partyUNonce, r.partyUNonce)
  if (r.salt !== undefined) unprotected.set(ECDH_HEADER.salt, r.salt)
  return { secret, unprotected }
}

/**
 * Builds one COSE_recipient. For wrapping methods `cekKey` (an extractable AES key) is wrapped;
 * for direct methods the CEK is returned instead.
 */
export async function buildRecipient(
  r: RecipientOptions,
  content: ContentKeyInfo,
  cekKey: CryptoKey | undefined,
  allowed: readonly number[],
): Promise<BuiltRecipient> {
  const alg = keyAlgorithm(r.alg ?? -31, allowed)
  if (alg.kind === 'direct') {
    const k = r.sharedKey
    if (k === undefined || k.length * 8 !== content.bits) {
      throw new BaridError('ERR_KEY_INVALID', `direct needs a ${content.bits}-bit shared key`)
    }
    const u = new Map<CborKey, CborValue>([[HEADER.alg, alg.id]])
    if (r.kid !== undefined) u.set(HEADER.kid, r.kid)
    return { recipient: [EMPTY, u, EMPTY], cek: k }
  }
  const protectedBytes = encodeCanonical(new Map([[HEADER.alg, alg.id]]))
  const { secret, unprotected } = await agreementSetup(r, alg)
  if (r.kid !== undefined) unprotected.set(HEADER.kid, r.kid)
  const partyU: PartyInfo = { nonce: r.partyUNonce }
  if (alg.wrap === undefined) {
    const context = kdfContext({
      algorithmId: content.alg,
      keyDataLength: content.bits,
      protectedBytes,
      partyU,
    })
    return {
      recipient: [protectedBytes, unprotected, EMPTY],
      cek: await deriveKeyBytes(secret, context, r.salt, content.bits),
    }
  }
  if (cekKey === undefined) throw new BaridError('ERR_INTERNAL', 'no content key to wrap')
  const context = kdfContext({
    algorithmId: alg.wrap.kwAlg,
    keyDataLength: alg.wrap.bits,
    protectedBytes,
    partyU,
  })
  const kek = await deriveKek(secret, context, r.salt, alg.wrap.bits, 'wrapKey')
  const wrapped = new Uint8Array(await crypto.subtle.wrapKey('raw', cekKey, kek, 'AES-KW'))
  return { recipient: [protectedBytes, unprotected, wrapped] }
}

/** A COSE_recipient read off the wire, its algorithm checked against the allow-list. */
export interface ParsedRecipient {
  readonly headers: Headers
  readonly alg: KeyAlgorithm
  readonly kid: Uint8Array | undefined
  readonly ciphertext: Uint8Array
}

/** Parses one COSE_recipient (nested recipients are not supported). */
export function parseRecipient(
  value: CborValue,
  allowed: readonly number[],
  options: CoseReadOptions = {},
): ParsedRecipient {
  if (!Array.isArray(value) || value.length !== 3)
    malformed('a COSE_recipient must be an array of 3 items')
  const [p, u, c] = value as readonly CborValue[]
  const headers = readHeaders(p!, u!, options)
  if (!(c instanceof Uint8Array)) malformed('COSE_recipient ciphertext must be a byte string')
  const alg = keyAlgorithm(param(headers, HEADER.alg), allowed)
  const kid = param(headers, HEADER.kid) as Uint8Array | undefined
  return { headers, alg, kid, ciphertext: c }
}

/** What a recipient holds to recover the CEK. */
export interface RecipientSecret {
  /** ECDH: the recipient's private key (usage `deriveKey` or `deriveBits`). */
  privateKey?: CryptoKey
  /** direct: the shared symmetric key. */
  sharedKey?: Uint8Array
  /** ECDH-SS with a static key id (-3): looks up the sender's static public key. */
  resolveStaticKey?: (kid: Uint8Array) => Promise<CryptoKey>
}

function partyInfo(h: Headers, identity: number, nonce: number, other: number): PartyInfo {
  const read = (label: number): Uint8Array | undefined => {
    const v = param(h, label)
    if (v !== undefined && !(v instanceof Uint8Array))
      malformed(`header parameter ${label} must be a byte string`)
    return v
  }
  return { identity: read(identity), nonce: read(nonce), other: read(other) }
}

async function peerKey(r: ParsedRecipient, secret: RecipientSecret): Promise<CryptoKey> {
  if (!r.alg.staticSender)
    return importCoseKey(parseCoseKey(param(r.headers, ECDH_HEADER.ephemeralKey)))
  const staticKey = param(r.headers, ECDH_HEADER.staticKey)
  if (staticKey !== undefined) return importCoseKey(parseCoseKey(staticKey))
  const skid = param(r.headers, ECDH_HEADER.staticKeyId)
  if (!(skid instanceof Uint8Array))
    malformed(`${r.alg.name} needs a static key (-2) or static key id (-3)`)
  if (secret.resolveStaticKey === undefined) {
    throw new BaridError('ERR_KEY_NOT_FOUND', "no resolver for the sender's static key")
  }
  return secret.resolveStaticKey(skid)
}

/** The recovered content key: its bytes and an AES-GCM key for decryption. */
export interface RecoveredCek {
  readonly cek: Uint8Array
  readonly key?: CryptoKey
}

/**
 * Recovers the CEK from one recipient. A wrong key or a changed wrapped key gives
 * `ERR_DECRYPT_FAILED`; an unusable key `ERR_KEY_INVALID`.
 */
export async function recoverCek(
  r: ParsedRecipient,
  secret: RecipientSecret,
  content: ContentKeyInfo,
): Promise<RecoveredCek> {
  if (r.alg.kind === 'direct') {
    if (r.headers.protectedBytes.length !== 0 || r.ciphertext.length !== 0) {
      malformed(
        'a direct recipient has empty protected header and ciphertext (RFC 9053 section 6.1)',
      )
    }
    const k = secret.sharedKey
    if (k === undefined || k.length * 8 !== content.bits)
      throw new BaridError('ERR_KEY_INVALID', `direct needs a ${content.bits}-bit shared key`)
    return { cek: k }
  }
  if (secret.privateKey === undefined)
    throw new BaridError('ERR_KEY_INVALID', `${r.alg.name} needs the recipient's private key`)
  const wrap = r.alg.wrap
  if (
    wrap === undefined ? r.ciphertext.length !== 0 : r.ciphertext.length !== content.bits / 8 + 8
  ) {
    malformed('COSE_recipient ciphertext has the wrong length for its algorithm')
  }
  const salt = param(r.headers, ECDH_HEADER.salt)
  if (salt !== undefined && !(salt instanceof Uint8Array)) malformed('salt must be a byte string')
  const peer = await peerKey(r, secret)
  const sharedSecret = await agree(secret.privateKey, peer)
  const partyU = partyInfo(
    r.headers,
    ECDH_HEADER.partyUIdentity,
    ECDH_HEADER.partyUNonce,
    ECDH_HEADER.partyUOther,
  )
  const partyV = partyInfo(
    r.headers,
    ECDH_HEADER.partyVIdentity,
    ECDH_HEADER.partyVNonce,
    ECDH_HEADER.partyVOther,
  )
  const protectedBytes = r.headers.protectedBytes
  if (wrap === undefined) {
    const context = kdfContext({
      algorithmId: content.alg,
      keyDataLength: content.bits,
      protectedBytes,
      partyU,
      partyV,
    })
    return { cek: await deriveKeyBytes(sharedSecret, context, salt, content.bits) }
  }
  const context = kdfContext({
    algorithmId: wrap.kwAlg,
    keyDataLength: wrap.bits,
    protectedBytes,
    partyU,
    partyV,
  })
  const kek = await deriveKek(sharedSecret, context, salt, wrap.bits, 'unwrapKey')
  let key: CryptoKey
  try {
    key = await crypto.subtle.unwrapKey(
      'raw',
      r.ciphertext as Uint8Array<ArrayBuffer>,
      kek,
      'AES-KW',
      'AES-GCM',
      true,
      ['decrypt'],
    )
  } catch (cause) {
    throw new BaridError('ERR_DECRYPT_FAILED', 'the content key does not unwrap', { cause })
  }
  return { cek: new Uint8Array(await crypto.subtle.exportKey('raw', key)), key }
}
