/**
 * @module federation/peer-directory
 * Who the other operators are, where their nodes are, and which keys speak for them.
 * {@link PeerDirectory} is the interface the rest of the node uses; the federation trust list
 * with key discovery implements it (`peer-directory-trust.ts`, spec 20-22). Every answer comes
 * from memory or from a bounded, cached fetch: the delivery path never waits on an unbounded one.
 */
import type { ParsedCertificate, PublicKeyHandle } from '../core.js'
import type { CertifiedMailboxKey, KeyUse } from '../keys/key-certificate.js'

export type PeerKeyUse = 'request-signing' | 'evidence-signing'

/** A node key of an operator, as its key-discovery document lists it (spec 22.2). */
export interface PeerKey {
  use: PeerKeyUse
  /** RFC 7638 thumbprint, base64url. */
  kid: string
  key: PublicKeyHandle
  /** Milliseconds; the key verifies signatures made before this time only. */
  retiredAt: number | null
  /** Its node certificate (role `node`, spec 08.4), when the key came from key discovery. */
  certificate?: ParsedCertificate
}

/** An operator as the trust list describes it (spec 20.3). */
export interface Peer {
  operator: string
  country: string
  /** Base URL of the node's federation API (the first listed endpoint, no trailing slash). */
  baseUrl: string
  displayName: Record<string, string>
  identifierSchemes: string[]
  /** State now (spec 20.4); `unknown` before its admission takes effect. */
  status: 'active' | 'suspended' | 'withdrawn' | 'unknown'
  /** Keys known without discovery (a fixed test federation); empty under the trust list. */
  keys: PeerKey[]
}

/**
 * The node's view of the federation.
 */
export interface PeerDirectory {
  /** This node's operator id. */
  readonly self: string
  /** An operator's entry (including this node's own), or undefined when not listed. */
  getPeer(operator: string): Promise<Peer | undefined>
  /**
   * The operator and key for a request-signing key id, checked for a request arriving now: its
   * operator active, its certificate speaking for it (spec 21.3), and the key not retired at
   * `signedAt` (ms; the signature's `created`, already within the freshness window; default
   * now), so that a request signed just before a key's retirement and arriving just after is
   * accepted (spec 11.2 step 4). Undefined when no listed operator publishes the key; the trust
   * codes (`ERR_OPERATOR_WITHDRAWN`, `ERR_CERT_*`, `ERR_KEY_RETIRED`, `ERR_TRUST_LIST_*`) when it
   * does but may not be used.
   */
  requestKey(kid: string, signedAt?: number): Promise<{ peer: Peer; key: PeerKey } | undefined>
  /**
   * An operator's evidence key by key id, checked for a signature made at `at` (ms): not
   * retired then, its certificate speaking for the operator then. Undefined (or
   * `ERR_KEY_NOT_FOUND`) when unknown; the trust codes when it may not be used.
   */
  evidenceKey(operator: string, kid: string, at: number): Promise<PeerKey | undefined>
  /**
   * Any operator's evidence key by key id, unchecked: for verifying a signature before its time
   * is known; the caller then calls {@link PeerDirectory.evidenceKey} with that time.
   */
  evidenceKeyByKid(kid: string): Promise<{ peer: Peer; key: PeerKey } | undefined>
  /**
   * Verifies a mailbox certificate (spec 13.4) as speaking for `operator` at `at` (ms). When
   * absent, the node checks it against its held trust list; a directory that is not the trust
   * list's (a test federation, spec 30.4) may supply its own check.
   */
  mailboxKey?(
    certificate: unknown,
    o: { operator: string; use: KeyUse; at: number },
  ): Promise<CertifiedMailboxKey>
  /**
   * Throws when this node may not start a request to `operator` now: the held trust list has
   * expired (`ERR_TRUST_LIST_EXPIRED`), or is stale and the operator was never exchanged with
   * (`ERR_TRUST_LIST_STALE`, a first contact, spec 20.6). Absent: no such rule applies.
   */
  assertOutbound?(operator: string): void
  /** Records that `operator` answered a request: it is no longer a first contact. */
  exchanged?(operator: string): void
  /** The active operator responsible for identifiers of `scheme` (spec 20.3: `schemes`). */
  operatorForScheme(scheme: string): Promise<string | undefined>
  /** All listed operators other than this node. */
  peers(): Promise<Peer[]>
}
