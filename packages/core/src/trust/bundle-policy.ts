/**
 * @module trust/bundle-policy
 * What an offline verifier of an evidence bundle may require beyond what the spec makes every
 * verifier refuse: that independent witnesses vouch for the log state shown for each record
 * (spec 16.8 rule 3, 21.7), and that the trust list given is one of the bundle's federation.
 * Each refusal is a `BaridError` with the part of the bundle it concerns, as `bundle-where`
 * locates the others.
 */
import { BaridError } from '../errors.js'
import type { BundleLogResult } from './bundle-log.js'
import { located } from './bundle-where.js'
import type { TrustList } from './types.js'

/**
 * Throws `ERR_WITNESS_INSUFFICIENT` unless every record has a log proof whose checkpoint at least
 * `required` witnesses other than the log cosigned. A record without a log proof fails too: the
 * bundle is not signed, so removing a log entry must not be a way around the requirement.
 *
 * @example
 * ```ts
 * requireWitnesses(logged, trail.length, 1)
 * ```
 */
export function requireWitnesses(
  logged: readonly BundleLogResult[],
  records: number,
  required: number,
): void {
  for (let record = 0; record < records; record++) {
    const entry = logged.find((l) => l.record === record)
    const witnesses = entry?.witnesses ?? []
    if (entry !== undefined && witnesses.length >= required) continue
    const asked = `${required} independent witness${required === 1 ? '' : 'es'} asked`
    const message =
      entry === undefined
        ? 'there is none in the bundle, so no witness vouches that the record is in its ' +
          `issuer's log (${asked})`
        : witnesses.length === 0
          ? `no independent witness vouches for this state of ${entry.logId}'s log: only ` +
            `${entry.logId} itself signed it (${asked})`
          : `only ${witnesses.join(', ')} cosigned this state of ${entry.logId}'s log (${asked})`
    throw located(
      new BaridError('ERR_WITNESS_INSUFFICIENT', message, {
        details: { required, witnesses },
      }),
      { part: 'log', record },
    )
  }
}

/**
 * Throws `ERR_OPERATOR_UNKNOWN` when the bundle's certificates name operators and none of them is
 * in the trust list: the list is most likely another federation's, which is said with the names
 * on both sides, rather than refusing the first record as if its operator were unknown.
 *
 * @example
 * ```ts
 * assertSameFederation(list, parsed.map((c) => c.operatorId))
 * ```
 */
export function assertSameFederation(
  list: TrustList,
  operators: readonly (string | undefined)[],
): void {
  const bundleOperators = [...new Set(operators.filter((o) => o !== undefined))].sort()
  const listOperators = list.operators.map((o) => o.id).sort()
  if (bundleOperators.length === 0 || bundleOperators.some((o) => listOperators.includes(o)))
    return
  const names = (ids: readonly string[]) => (ids.length === 0 ? 'none' : ids.join(', '))
  throw new BaridError(
    'ERR_OPERATOR_UNKNOWN',
    'the trust list appears to be for another federation: none of the operators the ' +
      `bundle's certificates name (${names(bundleOperators)}) is in it; it is trust list ` +
      `#${list.sequence} of federation "${list.federation}", whose operators are ` +
      `${names(listOperators)}. Verify the bundle against a trust list of the federation ` +
      'its operators belong to',
    { details: { federation: list.federation, listOperators, bundleOperators } },
  )
}
