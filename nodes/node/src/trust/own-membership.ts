/**
 * @module trust/own-membership
 * Whether the node can work in its federation (spec 15.2): its own operator is an active member
 * under the trust list it holds, and its node certificate chains to one of that operator's CAs
 * in that list. A node can hold one federation's list while its operator directory belongs to
 * another (the configured list refused, the held one kept): it then starts, but no peer accepts
 * what it signs, so `/readyz` must not call it ready.
 */
import {
  TrustStore,
  isBaridError,
  type BaridErrorCode,
  type ParsedCertificate,
  type TrustList,
} from '../core.js'

/** The node's membership as `/readyz` and the start log report it. */
export interface OwnMembership {
  /** The node's own operator id. */
  operator: string
  /** The federation named by the held trust list. */
  federation: string
  /** True when the operator is active and the node certificate chains to one of its CAs. */
  member: boolean
  /** Why not, when not: the operator status or chain rule that failed (spec 21.5). */
  code?: BaridErrorCode
}

/** Options of {@link ownMembershipCheck}. */
export interface OwnMembershipOptions {
  operator: string
  /** The held trust list now (it changes by update). */
  list: () => TrustList
  /** The node certificate that signs now. */
  certificate: () => ParsedCertificate
  /** Seconds since the epoch. */
  now: () => number
}

/**
 * A check of the node's own membership, run against the held list as it is at each call.
 * Freshness and revocation are left out: a stale list has its own warning and metric (20.6),
 * and the node's own revocation list is served by the node itself, which may not listen yet.
 *
 * @example
 * ```ts
 * const membership = ownMembershipCheck({ operator: 'digitalpost.dk', list: () => store.list,
 *   certificate: () => ring.signingAt(now()).certificate, now })
 * if (!(await membership()).member) log.error('…')
 * ```
 */
export function ownMembershipCheck(o: OwnMembershipOptions): () => Promise<OwnMembership> {
  // A store of its own, without revocation, rebuilt when the held list changes.
  let checker: { list: TrustList; store: Promise<TrustStore> } | undefined
  return async () => {
    const list = o.list()
    if (checker?.list !== list)
      checker = { list, store: TrustStore.open(list, { now: o.now }) }
    const base = { operator: o.operator, federation: list.federation }
    try {
      const store = await checker.store
      await store.validatePeerChain(o.certificate(), { operator: o.operator, offline: true })
      return { ...base, member: true }
    } catch (e) {
      return { ...base, member: false, code: isBaridError(e) ? e.code : 'ERR_INTERNAL' }
    }
  }
}

/**
 * The start log's one line for a node that is not a member, naming operator and federation.
 *
 * @example
 * ```ts
 * log.error(membershipProblem(m), { operator: m.operator, federation: m.federation, code: m.code })
 * ```
 */
export function membershipProblem(m: OwnMembership): string {
  const listed =
    m.code === 'ERR_OPERATOR_UNKNOWN' ||
    m.code === 'ERR_OPERATOR_SUSPENDED' ||
    m.code === 'ERR_OPERATOR_WITHDRAWN'
  return listed
    ? `not ready: operator ${m.operator} is not an active member of federation ${m.federation} under the held trust list (${m.code})`
    : `not ready: the node certificate of operator ${m.operator} does not chain to a CA federation ${m.federation} lists for it (${m.code})`
}
