/**
 * @module cose
 * The COSE profile of Barid (`spec/04-cose-profile.md`): COSE_Sign1 with EdDSA / ES256, and
 * COSE_Encrypt with A256GCM and ECDH-ES + A256KW on P-256 and X25519 (RFC 9052, RFC 9053).
 */
export {
  ALL_ALGORITHMS,
  BARID_ALGORITHMS,
  CONTENT_ALG,
  KEY_ALG,
  SIGNATURE_ALG,
} from './algorithms.js'
export type {
  AlgorithmPolicy,
  ContentAlgorithmId,
  KeyAlgorithm,
  KeyAlgorithmId,
  SignatureAlgorithm,
  SignatureAlgorithmId,
} from './algorithms.js'
export { COSE_TAG, CRV, ECDH_HEADER, HEADER, KEY, KTY } from './labels.js'
export type { CoseReadOptions, HeaderMap, Headers } from './headers.js'
export { agreementCurveOf, exportCoseKey, parseCoseKey, importCoseKey } from './cose-key.js'
export type { AgreementCurve, ParsedCoseKey } from './cose-key.js'
export { signatureAlgorithmOfKey } from './signature.js'
export type { SignatureVerifier } from './signature.js'
export { decodeSign1, signSign1, verifySign1, verifySign1Signature } from './sign1.js'
export type {
  DecodedSign1,
  ReadSign1Options,
  SignSign1Options,
  VerifySign1Options,
  VerifySignatureOptions,
} from './sign1.js'
export { verifyCoseSign } from './sign.js'
export type { VerifiedCoseSign, VerifyCoseSignOptions } from './sign.js'
export { kdfContext } from './kdf.js'
export type { KdfContextInput, PartyInfo } from './kdf.js'
export { encryptCose, encryptCose0 } from './encrypt.js'
export type { ContentOptions, EncryptCose0Options, EncryptCoseOptions } from './encrypt.js'
export type {
  ParsedRecipient,
  RecipientOptions,
  RecipientSecret,
  RecoveredCek,
} from './recipient.js'
export { recoverCek } from './recipient.js'
export {
  decryptContent,
  decryptCose,
  decryptCose0,
  parseCoseEncrypt,
  parseCoseEncrypt0,
} from './decrypt.js'
export type {
  DecryptCoseOptions,
  DecryptedCose,
  ParsedContent,
  ParsedCoseEncrypt,
  ReadEncryptOptions,
} from './decrypt.js'
