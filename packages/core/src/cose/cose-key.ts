/**
 * @module cose/cose-key
 * Public keys as COSE_Key maps (RFC 9052 section 7, RFC 9053 section 7) for the two
 * key-agreement curves of the Barid profile: P-256 (EC2, uncompressed) and X25519 (OKP).
 * Keys read from messages are imported through WebCrypto, which checks that a P-256 point is on
 * the curve; nothing else about a foreign key is trusted.
 */
import { BaridError } from '../errors.js'
import { concatBytes } from '../bytes.js'
import type { CborKey, CborValue } from '../cbor/index.js'
import { CRV, KEY, KTY } from './labels.js'

/** Curves usable for ECDH key agreement. */
export type AgreementCurve = 'P-256' | 'X25519'

const P256 = { name: 'ECDH', namedCurve: 'P-256' } as const
const X25519 = { name: 'X25519' } as const

function keyInvalid(message: string): never {
  throw new BaridError('ERR_KEY_INVALID', message)
}

/** The WebCrypto algorithm for a curve's ECDH keys. */
export function agreementAlgorithm(curve: AgreementCurve): EcKeyImportParams | Algorithm {
  return curve === 'P-256' ? P256 : X25519
}

/**
 * The key-agreement curve of a WebCrypto key; `ERR_UNSUPPORTED_ALGORITHM` for other ECDH curves
 * and `ERR_KEY_INVALID` for keys that are not ECDH keys at all.
 */
export function agreementCurveOf(key: CryptoKey): AgreementCurve {
  if (!(key instanceof CryptoKey)) keyInvalid('expected a CryptoKey')
  const alg = key.algorithm as EcKeyAlgorithm
  if (alg.name === 'X25519') return 'X25519'
  if (alg.name === 'ECDH') {
    if (alg.namedCurve === 'P-256') return 'P-256'
    throw new BaridError(
      'ERR_UNSUPPORTED_ALGORITHM',
      `ECDH curve ${alg.namedCurve} is not supported`,
      {
        details: { curve: alg.namedCurve },
      },
    )
  }
  return keyInvalid(`a ${alg.name} key cannot be used for key agreement`)
}

/** Encodes an ECDH public key as a COSE_Key map (kty, crv, x[, y]). */
export async function exportCoseKey(publicKey: CryptoKey): Promise<Map<CborKey, CborValue>> {
  const curve = agreementCurveOf(publicKey)
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey))
  return coseKeyFromRaw(curve, raw)
}

/** Builds the COSE_Key map from WebCrypto's raw public key form. */
export function coseKeyFromRaw(curve: AgreementCurve, raw: Uint8Array): Map<CborKey, CborValue> {
  if (curve === 'X25519') {
    if (raw.length !== 32) keyInvalid('an X25519 public key has 32 bytes')
    return new Map<CborKey, CborValue>([
      [KEY.kty, KTY.okp],
      [KEY.crv, CRV.x25519],
      [KEY.x, raw],
    ])
  }
  if (raw.length !== 65 || raw[0] !== 4) keyInvalid('a P-256 public key has 65 bytes, uncompressed')
  return new Map<CborKey, CborValue>([
    [KEY.kty, KTY.ec2],
    [KEY.crv, CRV.p256],
    [KEY.x, raw.slice(1, 33)],
    [KEY.y, raw.slice(33, 65)],
  ])
}

/** A COSE_Key read off the wire: its curve and WebCrypto's raw form, before import. */
export interface ParsedCoseKey {
  readonly curve: AgreementCurve
  readonly raw: Uint8Array
}

/**
 * Parses a public COSE_Key for key agreement. Refuses private parts, unknown parameters and
 * compressed points (`ERR_KEY_INVALID`), and other curves (`ERR_UNSUPPORTED_ALGORITHM`).
 */
export function parseCoseKey(value: CborValue | undefined): ParsedCoseKey {
  if (!(value instanceof Map)) keyInvalid('COSE_Key must be a map')
  const m = value as ReadonlyMap<CborKey, CborValue>
  const kty = m.get(KEY.kty)
  const crv = m.get(KEY.crv)
  const x = m.get(KEY.x)
  const allowed: readonly CborKey[] =
    kty === KTY.ec2 ? [KEY.kty, KEY.crv, KEY.x, KEY.y] : [KEY.kty, KEY.crv, KEY.x]
  for (const k of m.keys())
    if (!allowed.includes(k)) keyInvalid(`COSE_Key parameter ${String(k)} is not allowed here`)
  if (kty !== KTY.ec2 && kty !== KTY.okp) {
    throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'COSE_Key type is not supported', {
      details: { kty: String(kty) },
    })
  }
  if (typeof crv !== 'number') keyInvalid('COSE_Key crv must be an integer')
  if (!(x instanceof Uint8Array)) keyInvalid('COSE_Key x must be a byte string')
  if (kty === KTY.okp && crv === CRV.x25519) {
    if (x.length !== 32) keyInvalid('an X25519 key has a 32-byte x')
    return { curve: 'X25519', raw: x }
  }
  if (kty === KTY.ec2 && crv === CRV.p256) {
    const y = m.get(KEY.y)
    if (!(y instanceof Uint8Array))
      keyInvalid('COSE_Key y must be a byte string (compressed points are not supported)')
    if (x.length !== 32 || y.length !== 32) keyInvalid('a P-256 key has 32-byte x and y')
    return { curve: 'P-256', raw: concatBytes(Uint8Array.of(4), x, y) }
  }
  throw new BaridError(
    'ERR_UNSUPPORTED_ALGORITHM',
    `curve ${crv} is not supported for key agreement`,
    {
      details: { crv },
    },
  )
}

/** Imports a parsed COSE_Key as a WebCrypto ECDH public key; an off-curve point gives `ERR_KEY_INVALID`. */
export async function importCoseKey(key: ParsedCoseKey): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey(
      'raw',
      key.raw as Uint8Array<ArrayBuffer>,
      agreementAlgorithm(key.curve),
      true,
      [],
    )
  } catch (cause) {
    throw new BaridError('ERR_KEY_INVALID', `not a valid ${key.curve} public key`, { cause })
  }
}
