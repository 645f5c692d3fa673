/**
 * @module trust/check-trust
 * The shape of a {@link KeyTrust} argument, which every public entry point taking one checks
 * first (args/shapes.ts). Plain JavaScript lets a caller pass `trustFromTrustList(...)` (a
 * Promise) where a `KeyTrust` is due; used as one it fails much later with an unrelated
 * `ERR_INTERNAL`, and if the list does not verify, its rejection is left unhandled and can end
 * the process. Refusing it at once, with the fix in the message, turns both into one typed
 * error at the call that was wrong.
 */
import { record, type Shape } from '../args/check.js'

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') &&
  v !== null &&
  typeof (v as { then?: unknown }).then === 'function'

const fn: Shape = (v, at) => (typeof v === 'function' ? undefined : { at, expected: 'a function' })

const keyTrustRecord = record(
  { store: fn, nodeKey: fn },
  'a KeyTrust (from trustFromNode, await trustFromTrustList or trustFromStore)',
)

/**
 * A `KeyTrust`. A Promise (or other thenable) does not fit, with a message saying to await
 * it, and its rejection, if any, is handled here so that it cannot surface as an unhandled
 * rejection.
 *
 * @example
 * ```ts
 * check(o.trust, keyTrust, 'options.trust')
 * ```
 */
export const keyTrust: Shape = (v, at) => {
  if (isThenable(v)) {
    // The caller's promise is refused: its outcome, whatever it is, is of no further use.
    Promise.resolve(v).catch(() => undefined)
    return {
      at,
      expected:
        'a KeyTrust, not a Promise: trustFromTrustList is async, await it ' +
        '(const trust = await trustFromTrustList(bytes, { governanceKeys }))',
    }
  }
  return keyTrustRecord(v, at)
}
