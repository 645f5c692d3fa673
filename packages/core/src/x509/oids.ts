/**
 * @module x509/oids
 * Object identifiers used by Barid certificates (`spec/08-keys-and-certificates.md` section 4.2).
 *
 * PLACEHOLDER: the Barid arc sits under private enterprise number 32473, which RFC 5612 reserves
 * for documentation and examples. A real deployment MUST register its own PEN with IANA and
 * replace {@link BARID_ARC}; certificates made with the placeholder arc are for tests only.
 */

/** Barid's OID arc: `1.3.6.1.4.1.32473.1` (PLACEHOLDER, documentation PEN of RFC 5612). */
export const BARID_ARC = '1.3.6.1.4.1.32473.1'

/** Barid extended key usage purposes (`id-barid-kp`, arc `.1`). */
export const BARID_EKU = {
  /** Node certificates: signing node-to-node API requests. */
  requestSigning: `${BARID_ARC}.1.1`,
  /** Node certificates: signing evidence records (delivery, receipt). */
  evidenceSigning: `${BARID_ARC}.1.2`,
  /** Mailbox encryption certificates: key agreement for letters sealed to the mailbox. */
  mailbox: `${BARID_ARC}.1.3`,
  /** Mailbox signing certificates: an organisation signing the letters it sends. */
  sender: `${BARID_ARC}.1.4`,
} as const

/** X.509 extensions Barid understands (RFC 5280 section 4.2.1). */
export const EXTENSION_OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const

/** The set of extension OIDs a Barid validator processes. */
export const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set(Object.values(EXTENSION_OID))

/**
 * Extensions common CA software adds that a Barid certificate MAY carry, non-critical, and that
 * a Barid validator ignores (revocation is the trust list's business, spec section 6). Any
 * extension neither here nor in {@link KNOWN_EXTENSIONS} is refused (spec section 0.4).
 */
export const IGNORED_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
])

/**
 * DER of the AlgorithmIdentifiers Barid allows for certificate signatures (parameters absent,
 * RFC 8410 section 3 and RFC 5758 section 3.2).
 */
export const SIGNATURE_ALGORITHM_DER = {
  /** id-Ed25519, 1.3.101.112 */
  Ed25519: '300506032b6570',
  /** ecdsa-with-SHA256, 1.2.840.10045.4.3.2 */
  ES256: '300a06082a8648ce3d040302',
} as const

/**
 * DER prefixes of the SubjectPublicKeyInfo forms Barid allows; the key bytes follow.
 * Ed25519 / X25519: RFC 8410 section 4. P-256: RFC 5480 section 2, uncompressed point only.
 */
export const SPKI_PREFIX = {
  Ed25519: '302a300506032b6570032100',
  X25519: '302a300506032b656e032100',
  'P-256': '3059301306072a8648ce3d020106082a8648ce3d03010703420004',
} as const
