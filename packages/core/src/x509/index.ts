/**
 * @module x509
 * Barid certificates (`spec/08-keys-and-certificates.md` sections 4-6): profiles, issuance,
 * parsing, PEM/DER and path validation. Built on @peculiar/x509, loaded through `setup.ts`.
 */
export { BARID_ARC, BARID_EKU, EXTENSION_OID } from './oids.js'
export {
  CERTIFICATE_ROLES,
  KEY_USAGE_NAMES,
  PROFILES,
  inferRole,
  isCertificateRole,
} from './roles.js'
export type {
  BaridUriKind,
  CertificateKeyType,
  CertificateProfile,
  CertificateRole,
  KeyUsageName,
} from './roles.js'
export { isParsedCertificate } from './certificate.js'
export type {
  CertificateExtension,
  CertificateInput,
  CertificateName,
  ParsedCertificate,
} from './certificate.js'
export { MAX_CERTIFICATE_BYTES, parseCertificate } from './parse.js'
export { MAX_PEM_LENGTH, derToPem, pemToDer } from './pem.js'
export { createCertificate } from './create.js'
export type {
  CertificateIssuer,
  CertificateSubjectName,
  CreateCertificateParams,
} from './create.js'
export { checkProfile } from './profiles.js'
export { certificatePublicKey, verifyCertificateSignature } from './signature.js'
export { MAX_ANCHORS, MAX_INTERMEDIATES, MAX_PATH_LENGTH, validateChain } from './validate.js'
export type {
  RevocationPolicy,
  RevocationStatus,
  ValidateChainOptions,
  ValidatedChain,
} from './validate.js'
