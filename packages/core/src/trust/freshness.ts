/**
 * @module trust/freshness
 * What a node does with a held trust list as time passes (`spec/20-trust-list.md` section 6):
 *
 * - `fresh` (before next-update): everything is allowed.
 * - `stale` (next-update reached, within the maximum staleness): the node keeps using the held
 *   list for peers it already exchanges with, refuses first contact with a peer
 *   (`ERR_TRUST_LIST_STALE`), raises an alert and keeps retrying the fetch. A newer list may
 *   suspend or withdraw an operator; the longer the node is blind, the less it extends trust.
 * - `expired` (past next-update + maximum staleness): hard failure. All federation traffic is
 *   refused (`ERR_TRUST_LIST_EXPIRED`); outbound letters stay queued, they are not failed.
 *
 * Offline verification of evidence (courts, auditors) does not depend on freshness: it asks
 * about the time a record was signed, and reports the list's age instead.
 */
import { BaridError } from '../errors.js'
import type { UnixSeconds } from './types.js'

/** Default maximum staleness: 72 hours past next-update (spec/20 section 6). */
export const DEFAULT_MAX_STALENESS = 72 * 3600

/** The freshness of a held list at a time. */
export interface Freshness {
  readonly state: 'fresh' | 'stale' | 'expired'
  readonly nextUpdate: UnixSeconds
  /** Seconds past next-update (0 while fresh). */
  readonly staleFor: number
  /** When the list becomes `expired`. */
  readonly hardFailAt: UnixSeconds
}

/**
 * The freshness of a list with the given next-update time at `now`.
 *
 * @example
 * ```ts
 * freshnessAt(list.nextUpdate, now).state // 'fresh' | 'stale' | 'expired'
 * ```
 */
export function freshnessAt(
  nextUpdate: UnixSeconds,
  now: UnixSeconds,
  maxStaleness: number = DEFAULT_MAX_STALENESS,
): Freshness {
  const hardFailAt = nextUpdate + maxStaleness
  const staleFor = Math.max(0, now - nextUpdate)
  const state = now < nextUpdate ? 'fresh' : now < hardFailAt ? 'stale' : 'expired'
  return { state, nextUpdate, staleFor, hardFailAt }
}

/**
 * Throws when the freshness policy refuses the traffic: `ERR_TRUST_LIST_EXPIRED` for any traffic
 * once expired, `ERR_TRUST_LIST_STALE` for a first contact while stale.
 *
 * @example
 * ```ts
 * assertUsable(freshnessAt(list.nextUpdate, now), { firstContact: !peers.has(id) })
 * ```
 */
export function assertUsable(f: Freshness, options: { firstContact?: boolean } = {}): void {
  const details = { nextUpdate: f.nextUpdate, staleFor: f.staleFor }
  if (f.state === 'expired') {
    throw new BaridError('ERR_TRUST_LIST_EXPIRED', 'the trust list is past its maximum staleness', {
      details,
    })
  }
  if (f.state === 'stale' && options.firstContact === true) {
    throw new BaridError(
      'ERR_TRUST_LIST_STALE',
      'the trust list is stale: no first contact with a peer',
      { details },
    )
  }
}
