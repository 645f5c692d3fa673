/**
 * @module evidence/evidence-port
 * What the node needs from evidence records (core's `createEvidence` / `verifyEvidence`,
 * spec 07): issue one, and verify one received from a peer.
 */

/** The evidence types a node issues (spec 07; mapping to ETSI EN 319 522 in spec 17.3). */
export type EvidenceType =
  | 'submission-accepted'
  | 'submission-rejected'
  | 'relay-accepted'
  | 'relay-rejected'
  | 'delivered'
  | 'retrieved'
  | 'not-delivered'
  | 'expired'
  | 'deemed-delivered'
  | 'handed-to-paper'
  | 'notification-failed'

export interface EvidenceInput {
  type: EvidenceType
  letterId: string
  /** Lower-case hex letter digest. */
  letterDigest: string
  /** The recipient the event concerns (absent for submission). */
  recipient: string | null
  /** Milliseconds since the epoch. */
  time: number
  /** An error code for negative events (e.g. ERR_RECIPIENT_UNKNOWN). */
  reason?: string
  /** The record before this one in the chain (its bytes' digest is taken). */
  prev?: Uint8Array
}

/** A verified evidence record, as indexed by the node. */
export interface EvidenceView {
  type: string
  letterId: string
  letterDigest: string
  recipient: string | null
  issuer: string
  /** Key id (base64url) of the signing key. */
  kid: string
  time: number
  reason: string | null
  /** Lower-case hex digest of the previous record, if any. */
  prev: string | null
  /** Lower-case hex digest of this record's bytes (its id). */
  id: string
}

/** An evidence key as the directory knows it. */
export interface KnownEvidenceKey {
  key: CryptoKey
  /** The operator the key speaks for. */
  issuer: string
  /** Records dated at or after this time (ms) are refused. */
  retiredAt: number | null
}

export interface EvidencePort {
  /** Issues a record signed with this node's evidence key. */
  create(input: EvidenceInput): Promise<{ record: Uint8Array; view: EvidenceView }>
  /**
   * Verifies a record; `resolveKey` finds an evidence key by its kid (base64url). Throws
   * `ERR_EVIDENCE_*`, `ERR_SIGNATURE_INVALID`, `ERR_KEY_NOT_FOUND` or `ERR_KEY_RETIRED`.
   */
  verify(
    record: Uint8Array,
    resolveKey: (kid: string) => Promise<KnownEvidenceKey | undefined>,
  ): Promise<EvidenceView>
}
