/**
 * @module trust/check-trust
 * The check every public entry point that takes a {@link KeyTrust} makes first. Plain
 * JavaScript lets a caller pass `trustFromTrustList(...)` (a Promise) where a `KeyTrust` is due;
 * used as one it fails much later with an unrelated `ERR_INTERNAL`, and if the list does not
 * verify, its rejection is left unhandled and can end the process. Refusing it at once, with
 * the fix in the message, turns both into one typed error at the call that was wrong.
 */
import { BaridError } from '../core.js'
import type { KeyTrust } from './key-trust.js'

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') &&
  v !== null &&
  typeof (v as { then?: unknown }).then === 'function'

/**
 * Returns `trust` if it is a {@link KeyTrust}; throws `ERR_INVALID_ARGUMENT` otherwise. A
 * Promise (or other thenable) is refused with a message saying to await it, and its rejection,
 * if any, is handled here so that it cannot surface as an unhandled rejection.
 *
 * @example
 * ```ts
 * const trust = checkKeyTrust(o.trust, 'trust')
 * ```
 */
export function checkKeyTrust(trust: unknown, name: string): KeyTrust {
  if (isThenable(trust)) {
    // The caller's promise is refused: its outcome, whatever it is, is of no further use.
    Promise.resolve(trust).catch(() => undefined)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `${name} is a Promise, not a KeyTrust: trustFromTrustList is async, await it ` +
        `(const trust = await trustFromTrustList(bytes, { governanceKeys }))`,
    )
  }
  const t = trust as Partial<Record<keyof KeyTrust, unknown>> | null | undefined
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.store !== 'function' ||
    typeof t.nodeKey !== 'function'
  )
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `${name} must be a KeyTrust (from trustFromNode, await trustFromTrustList or trustFromStore)`,
    )
  return trust as KeyTrust
}
