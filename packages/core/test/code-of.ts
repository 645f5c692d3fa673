/**
 * Test support: what a promise ends in, as one string to compare: `'accepted'` when it resolves,
 * the `code` of the BaridError it rejects with, or a marked message for anything else.
 */
import { BaridError } from '../src/errors.js'

/** @example `expect(await codeOf(verify(tampered))).toBe('ERR_SIGNATURE_INVALID')` */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'accepted'
  } catch (e) {
    return e instanceof BaridError ? e.code : `not a BaridError: ${String(e)}`
  }
}
