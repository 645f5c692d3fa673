/**
 * @module cose/labels
 * The integer labels and tags of RFC 9052, RFC 9053, RFC 9360 (x5chain) and RFC 9596 (typ) that
 * Barid reads or writes. Names follow the IANA "COSE Header Parameters" and "COSE Key Common
 * Parameters" registries.
 */

/** CBOR tags of COSE messages (RFC 9052 section 2, table 1). */
export const COSE_TAG = {
  encrypt0: 16,
  sign1: 18,
  encrypt: 96,
  mac: 97,
  sign: 98,
  mac0: 17,
} as const

/** Common header parameters (RFC 9052 section 3.1; RFC 9360 section 2; RFC 9596 section 2). */
export const HEADER = {
  alg: 1,
  crit: 2,
  contentType: 3,
  kid: 4,
  iv: 5,
  partialIv: 6,
  typ: 16,
  x5chain: 33,
} as const

/** Key agreement header parameters (RFC 9053 sections 5.1 and 6.3.1, tables 15 and 16). */
export const ECDH_HEADER = {
  ephemeralKey: -1,
  staticKey: -2,
  staticKeyId: -3,
  salt: -20,
  partyUIdentity: -21,
  partyUNonce: -22,
  partyUOther: -23,
  partyVIdentity: -24,
  partyVNonce: -25,
  partyVOther: -26,
} as const

/** COSE_Key labels (RFC 9052 section 7.1; RFC 9053 sections 7.1.1 and 7.2). */
export const KEY = {
  kty: 1,
  kid: 2,
  alg: 3,
  crv: -1,
  x: -2,
  y: -3,
  d: -4,
  k: -1,
} as const

/** Key types (RFC 9053 table 17). */
export const KTY = { okp: 1, ec2: 2, symmetric: 4 } as const

/** Elliptic curves (RFC 9053 table 18). */
export const CRV = { p256: 1, p384: 2, p521: 3, x25519: 4, x448: 5, ed25519: 6, ed448: 7 } as const
