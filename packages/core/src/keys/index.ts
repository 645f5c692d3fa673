/**
 * @module keys
 * Barid key algorithms, JWK import/export and key ids (`spec/08-keys-and-certificates.md`
 * sections 2 and 3).
 */
export {
  COSE_ALG_ES256,
  COSE_ALG_EDDSA,
  KEY_ALGORITHMS,
  algorithmForCurve,
  coseAlgorithmOf,
  isKeyAlgorithm,
  keyAlgorithmInfo,
  signingAlgorithmFromCose,
} from './algorithms.js'
export type {
  KeyAgreementAlgorithm,
  KeyAlgorithm,
  KeyAlgorithmInfo,
  KeyUse,
  SigningAlgorithm,
} from './algorithms.js'
export { parsePrivateJwk, parsePublicJwk } from './jwk.js'
export type {
  EcPublicJwk,
  JwkExpectation,
  OkpPublicJwk,
  ParsedPrivateJwk,
  ParsedPublicJwk,
  PrivateJwk,
  PublicJwk,
} from './jwk.js'
export { KID_LENGTH, jwkThumbprint, jwkThumbprintBase64Url, kidOf } from './thumbprint.js'
export {
  exportPrivateJwk,
  exportPublicJwk,
  generateKeyPair,
  importKeyPair,
  importPublicJwk,
} from './key-pair.js'
export type { KeyPair, KeyPairOptions, PublicKeyHandle } from './key-pair.js'
