/**
 * @module trust
 * The federation's trust layer: the signed trust list (`spec/20-trust-list.md`), operator PKI
 * binding and revocation (`spec/21-operator-pki.md`), node key discovery (`spec/22-discovery.md`).
 */
export type {
  CaEntry,
  DisplayNames,
  OperatorEntry,
  OperatorState,
  StatusEntry,
  TrustList,
  TrustListContent,
  UnixSeconds,
} from './types.js'
export { MAX_TIME, TRUST_LIST_LIMITS, TRUST_LIST_VERSION } from './trust-list-payload.js'
export {
  DEFAULT_CLOCK_SKEW,
  authorisedSigners,
  createTrustList,
  verifyTrustList,
} from './trust-list.js'
export type { GovernanceKeyInput, TrustListInput, VerifyTrustListOptions } from './trust-list.js'
export { assertActiveAt, currentStatus, operatorStateAt } from './status.js'
export { DEFAULT_MAX_STALENESS, assertUsable, freshnessAt } from './freshness.js'
export type { Freshness } from './freshness.js'
export {
  assertWithinEndpoints,
  isWithinEndpoints,
  parseEndpoint,
  wellKnownUrl,
} from './endpoints.js'
export { DOCUMENT_TYPE } from './document-types.js'
export type { DocumentType } from '../cose/typed-document.js'
export {
  REVOCATION_LIST_LIMITS,
  createRevocationList,
  findRevoked,
  verifyRevocationList,
} from './revocation-list.js'
export type {
  RevocationList,
  RevocationListContent,
  RevocationReason,
  RevokedEntry,
} from './revocation-list.js'
export {
  DISCOVERY_LIMITS,
  createDiscoveryDocument,
  verifyDiscoveryDocument,
} from './discovery-document.js'
export type {
  DiscoveryDocument,
  DiscoveryDocumentInput,
  NodeKey,
  NodeKeyUse,
  PeerCertificateValidator,
  VerifyDiscoveryOptions,
} from './discovery-document.js'
export { createCertificateRequest, readCertificateRequest } from './certificate-request.js'
export type { CertificateRequest } from './certificate-request.js'
export { boundedGet } from './bounded-fetch.js'
export type { BoundedGetOptions, FetchLike } from './bounded-fetch.js'
export { TrustStore } from './trust-store.js'
export type { PeerCheckOptions, TrustStoreOptions, ValidatedPeer } from './trust-store.js'
export { askRevocation } from './revocation-checker.js'
export type {
  RevocationChecker,
  RevocationContext,
  RevocationSource,
} from './revocation-checker.js'
export {
  DEFAULT_REVOCATION_STALENESS,
  RevocationCache,
  revocationListUrl,
} from './revocation-cache.js'
export type { RevocationCacheOptions } from './revocation-cache.js'
export { DISCOVERY_WELL_KNOWN, DiscoveryClient, discoveryUrl } from './discovery-client.js'
export type { DiscoveryClientOptions, ResolvedKey as DiscoveredKey } from './discovery-client.js'
export { checkListCertificates } from './list-certificates.js'
export type { ListCertificates } from './list-certificates.js'
export { verifyEvidenceWithTrust } from './evidence-trust.js'
export type {
  EvidenceKeySource,
  TrustedEvidence,
  VerifyEvidenceWithTrustOptions,
} from './evidence-trust.js'
export {
  EVIDENCE_BUNDLE_LIMITS,
  createEvidenceBundle,
  readEvidenceBundle,
} from './evidence-bundle.js'
export type { EvidenceBundle, KeyRetirement, LoggedRecord } from './evidence-bundle.js'
export { verifyBundleLog } from './bundle-log.js'
export type { BundleLogResult, VerifyBundleLogOptions } from './bundle-log.js'
export { verifyEvidenceBundle } from './bundle-verify.js'
export type {
  VerifiedBundleRecord,
  VerifiedEvidenceBundle,
  VerifyEvidenceBundleOptions,
} from './bundle-verify.js'
export type { BundlePart } from './bundle-where.js'
