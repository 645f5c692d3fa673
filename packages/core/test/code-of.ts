/**
 * Test support: what a promise (or a function, sync or async) ends in, as one string to
 * compare: `'accepted'` when it resolves or returns, the `code` of the BaridError it rejects or
 * throws with, or a marked message for anything else.
 */
import { BaridError } from '../src/errors.js'

/** @example `expect(await codeOf(verify(tampered))).toBe('ERR_SIGNATURE_INVALID')` */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p)
    return 'accepted'
  } catch (e) {
    return e instanceof BaridError ? e.code : `not a BaridError: ${String(e)}`
  }
}
