/**
 * @module keys/algorithms
 * The closed set of key algorithms Barid uses (`spec/08-keys-and-certificates.md` section 2):
 * two for signing (Ed25519, ECDSA P-256) and two for key agreement (X25519, ECDH P-256). Every
 * other algorithm is refused with `ERR_UNSUPPORTED_ALGORITHM`. One table maps each algorithm to its
 * WebCrypto parameters, its JWK `kty`/`crv` (RFC 7518, RFC 8037) and its COSE identifiers
 * (RFC 9053), so no other module needs to know these mappings.
 */
import { BaridError } from '../errors.js'

/** What a key is for: `sign` (signatures) or `encrypt` (key agreement for encryption). */
export type KeyUse = 'sign' | 'encrypt'

/** A Barid key algorithm. `ES256` and `ECDH-P256` use the same curve but are never mixed. */
export type KeyAlgorithm = 'Ed25519' | 'ES256' | 'X25519' | 'ECDH-P256'

/** The signing algorithms. */
export type SigningAlgorithm = 'Ed25519' | 'ES256'

/** The key-agreement algorithms. */
export type KeyAgreementAlgorithm = 'X25519' | 'ECDH-P256'

/** Everything another module needs to know about one {@link KeyAlgorithm}. */
export interface KeyAlgorithmInfo {
  readonly algorithm: KeyAlgorithm
  readonly use: KeyUse
  /** WebCrypto import/generate parameters. */
  readonly webCrypto: EcKeyImportParams | Algorithm
  /** Key usages of the private and the public CryptoKey. */
  readonly privateUsages: readonly KeyUsage[]
  readonly publicUsages: readonly KeyUsage[]
  /** JWK key type and curve (RFC 7518 section 6.2, RFC 8037 section 2). */
  readonly kty: 'OKP' | 'EC'
  readonly crv: 'Ed25519' | 'X25519' | 'P-256'
  /** The `alg` jose's `importJWK` needs to pick the WebCrypto algorithm. */
  readonly joseAlg: 'Ed25519' | 'ES256' | 'ECDH-ES'
  /** COSE key type (RFC 9053 section 7: OKP = 1, EC2 = 2) and curve (section 7.1). */
  readonly coseKty: 1 | 2
  readonly coseCrv: 1 | 4 | 6
  /** COSE signature algorithm (RFC 9053 section 2): EdDSA = -8, ES256 = -7; none for agreement. */
  readonly coseAlg: -8 | -7 | undefined
  /** Length in bytes of each public coordinate (`x`, and `y` for EC). */
  readonly coordinateLength: 32
}

const TABLE: Readonly<Record<KeyAlgorithm, KeyAlgorithmInfo>> = {
  Ed25519: {
    algorithm: 'Ed25519',
    use: 'sign',
    webCrypto: { name: 'Ed25519' },
    privateUsages: ['sign'],
    publicUsages: ['verify'],
    kty: 'OKP',
    crv: 'Ed25519',
    joseAlg: 'Ed25519',
    coseKty: 1,
    coseCrv: 6,
    coseAlg: -8,
    coordinateLength: 32,
  },
  ES256: {
    algorithm: 'ES256',
    use: 'sign',
    webCrypto: { name: 'ECDSA', namedCurve: 'P-256' },
    privateUsages: ['sign'],
    publicUsages: ['verify'],
    kty: 'EC',
    crv: 'P-256',
    joseAlg: 'ES256',
    coseKty: 2,
    coseCrv: 1,
    coseAlg: -7,
    coordinateLength: 32,
  },
  X25519: {
    algorithm: 'X25519',
    use: 'encrypt',
    webCrypto: { name: 'X25519' },
    privateUsages: ['deriveBits'],
    publicUsages: [],
    kty: 'OKP',
    crv: 'X25519',
    joseAlg: 'ECDH-ES',
    coseKty: 1,
    coseCrv: 4,
    coseAlg: undefined,
    coordinateLength: 32,
  },
  'ECDH-P256': {
    algorithm: 'ECDH-P256',
    use: 'encrypt',
    webCrypto: { name: 'ECDH', namedCurve: 'P-256' },
    privateUsages: ['deriveBits'],
    publicUsages: [],
    kty: 'EC',
    crv: 'P-256',
    joseAlg: 'ECDH-ES',
    coseKty: 2,
    coseCrv: 1,
    coseAlg: undefined,
    coordinateLength: 32,
  },
}

/** Every Barid key algorithm, signing first. */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['Ed25519', 'ES256', 'X25519', 'ECDH-P256']

/** COSE algorithm identifier of EdDSA (RFC 9053 section 2.2), used with Ed25519 keys. */
export const COSE_ALG_EDDSA = -8
/** COSE algorithm identifier of ECDSA with SHA-256 (RFC 9053 section 2.1). */
export const COSE_ALG_ES256 = -7

/**
 * True when `value` names a Barid key algorithm.
 *
 * @example
 * ```ts
 * isKeyAlgorithm('Ed25519') // true
 * isKeyAlgorithm('RS256') // false
 * ```
 */
export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TABLE, value)
}

/**
 * The table entry of `algorithm`; throws `ERR_UNSUPPORTED_ALGORITHM` for anything else.
 *
 * @example
 * ```ts
 * keyAlgorithmInfo('Ed25519').coseAlg // -8
 * keyAlgorithmInfo('X25519').use // 'encrypt'
 * ```
 */
export function keyAlgorithmInfo(algorithm: unknown): KeyAlgorithmInfo {
  if (!isKeyAlgorithm(algorithm)) {
    throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'key algorithm is not one Barid allows', {
      details: { allowed: [...KEY_ALGORITHMS] },
    })
  }
  return TABLE[algorithm]
}

/**
 * The algorithm of a JWK key type and curve for a given use, or `undefined` when Barid has none
 * (P-256 is the only curve used for both: the use tells ES256 and ECDH-P256 apart).
 *
 * @example
 * ```ts
 * algorithmForCurve('EC', 'P-256', 'encrypt') // 'ECDH-P256'
 * ```
 */
export function algorithmForCurve(kty: string, crv: string, use: KeyUse): KeyAlgorithm | undefined {
  for (const alg of KEY_ALGORITHMS) {
    const info = TABLE[alg]
    if (info.kty === kty && info.crv === crv && info.use === use) return alg
  }
  return undefined
}

/**
 * The COSE signature algorithm of a signing algorithm: -8 (EdDSA) or -7 (ES256).
 *
 * @example
 * ```ts
 * coseAlgorithmOf('ES256') // -7
 * ```
 */
export function coseAlgorithmOf(algorithm: SigningAlgorithm): -8 | -7 {
  const alg = keyAlgorithmInfo(algorithm).coseAlg
  if (alg === undefined) {
    throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'not a signing algorithm')
  }
  return alg
}

/**
 * The signing algorithm a COSE `alg` value names; throws `ERR_UNSUPPORTED_ALGORITHM` for any
 * other value (only -8 EdDSA and -7 ES256 are allowed).
 *
 * @example
 * ```ts
 * signingAlgorithmFromCose(-8) // 'Ed25519'
 * ```
 */
export function signingAlgorithmFromCose(alg: unknown): SigningAlgorithm {
  if (alg === COSE_ALG_EDDSA) return 'Ed25519'
  if (alg === COSE_ALG_ES256) return 'ES256'
  throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'COSE algorithm is not one Barid allows', {
    details: { allowed: [COSE_ALG_EDDSA, COSE_ALG_ES256] },
  })
}
