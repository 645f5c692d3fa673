/**
 * @module trust/status
 * An operator's state at a given time, read from its status history (`spec/20-trust-list.md`
 * section 4). The history is what lets a verifier accept evidence an operator signed while it
 * was a member, after it was suspended or withdrawn: the question is always "active at the time
 * of the signature?", never "active now?" (except for new traffic, where the time is now).
 */
import { BaridError } from '../errors.js'
import type { OperatorEntry, OperatorState, StatusEntry, UnixSeconds } from './types.js'

/**
 * The operator's state at `at`, or `'unknown'` before its admission.
 *
 * @example
 * ```ts
 * operatorStateAt(entry, letter.created) // 'active'
 * ```
 */
export function operatorStateAt(
  operator: OperatorEntry,
  at: UnixSeconds,
): OperatorState | 'unknown' {
  let state: OperatorState | 'unknown' = 'unknown'
  for (const s of operator.status) {
    if (s.from > at) break
    state = s.state
  }
  return state
}

/**
 * The operator's current status entry (the last in its history), which may take effect in the
 * future.
 *
 * @example
 * ```ts
 * currentStatus(entry) // { state: 'withdrawn', from: 1767225600 }
 * ```
 */
export function currentStatus(operator: OperatorEntry): StatusEntry {
  return operator.status[operator.status.length - 1] as StatusEntry
}

/**
 * Throws unless `operator` is listed and active at `at`: `ERR_OPERATOR_UNKNOWN` (not listed, or
 * not yet admitted), `ERR_OPERATOR_SUSPENDED`, `ERR_OPERATOR_WITHDRAWN`.
 *
 * @example
 * ```ts
 * assertActiveAt(list.operators.find((o) => o.id === 'post.eg'), 'post.eg', now)
 * ```
 */
export function assertActiveAt(
  operator: OperatorEntry | undefined,
  id: string,
  at: UnixSeconds,
): OperatorEntry {
  const details = { operator: id, at }
  if (operator === undefined) {
    throw new BaridError('ERR_OPERATOR_UNKNOWN', 'operator is not in the trust list', { details })
  }
  const state = operatorStateAt(operator, at)
  if (state === 'active') return operator
  if (state === 'unknown') {
    throw new BaridError('ERR_OPERATOR_UNKNOWN', 'operator was not yet admitted at that time', {
      details,
    })
  }
  if (state === 'suspended') {
    throw new BaridError('ERR_OPERATOR_SUSPENDED', 'operator is suspended at that time', {
      details,
    })
  }
  throw new BaridError('ERR_OPERATOR_WITHDRAWN', 'operator is withdrawn at that time', { details })
}
