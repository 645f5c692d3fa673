/**
 * @module trust/types
 * The decoded, typed form of the federation trust list (`spec/20-trust-list.md`). Values of
 * these types are built only by the decoder or by {@link createTrustList}'s input checks, so code
 * that holds one can rely on every invariant the spec states (sorted, unique, bounded).
 */
import type { PublicKeyHandle } from '../keys/index.js'

/** Integer seconds since the Unix epoch (UTC), as every Barid wire time. */
export type UnixSeconds = number

/** An operator's membership state (`spec/20-trust-list.md` section 4). */
export type OperatorState = 'active' | 'suspended' | 'withdrawn'

/** One step of an operator's status history: `state` holds from `from` until the next step. */
export interface StatusEntry {
  readonly state: OperatorState
  readonly from: UnixSeconds
}

/** An operator CA certificate as the list carries it. */
export interface CaEntry {
  /** The certificate, DER. */
  readonly cert: Uint8Array
  /**
   * When set, signatures dated at or after this time by keys certified under this CA are refused
   * (`ERR_OPERATOR_CA_RETIRED`): the CA was retired or compromised (spec/23).
   */
  readonly until?: UnixSeconds
}

/** Display names in the federation's three languages. */
export interface DisplayNames {
  readonly ar: string
  readonly da: string
  readonly en: string
}

/** One operator's entry. */
export interface OperatorEntry {
  /** Canonical operator id, e.g. `post.eg`. */
  readonly id: string
  /** ISO 3166-1 alpha-2 country code, upper case. */
  readonly country: string
  readonly names: DisplayNames
  /** Base URLs of the operator's nodes (https; http only on loopback for development). */
  readonly endpoints: readonly string[]
  /**
   * National identifier schemes (spec/03 section 3) this operator answers for in directory
   * lookups, e.g. `dk:cpr`; signed here so that no peer can claim another country's residents.
   */
  readonly schemes: readonly string[]
  readonly cas: readonly CaEntry[]
  /** Status history, strictly increasing `from`; the last entry is the current status. */
  readonly status: readonly StatusEntry[]
}

/** The signed content of a trust list. */
export interface TrustListContent {
  /** Name of the federation; binds a list to one federation. */
  readonly federation: string
  /** Sequence number; each new list has a higher one (rollback protection). */
  readonly sequence: number
  readonly issued: UnixSeconds
  /** After this time the list is stale (spec/20 section 6). */
  readonly nextUpdate: UnixSeconds
  /** Governance keys in force; the list's signer is one of them. */
  readonly governanceKeys: readonly PublicKeyHandle[]
  /** An incoming governance key announced by this list's signer (rollover, spec/20 section 5). */
  readonly rollover?: PublicKeyHandle
  /** Federation root certificates (DER): the anchors of every operator CA (spec/21). */
  readonly roots: readonly Uint8Array[]
  /** Operators, sorted by id, unique. */
  readonly operators: readonly OperatorEntry[]
}

/** A trust list whose signature, shape and (if a held list was given) sequence were verified. */
export interface TrustList extends TrustListContent {
  /** The COSE_Sign1 bytes exactly as verified (what a node stores and serves). */
  readonly bytes: Uint8Array
  /** The governance key that signed it. */
  readonly signer: PublicKeyHandle
}
