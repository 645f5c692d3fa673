/**
 * @module address/dk-cvr
 * Danish CVR number (`dk:cvr`), `spec/03-addresses.md` section 3.8: 8 digits, first not 0, and
 * the weighted sum with weights 2,7,6,5,4,3,2,1 is divisible by 11. Because every weight is
 * non-zero modulo the prime 11, any change of a single digit is detected.
 */
import { isDigits } from './ascii.js'
import { identifierError } from './identifier-error.js'
import type { DkCvrNumber } from './identifier-types.js'

const SCHEME = 'dk:cvr'
const WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1] as const

/** The CVR weighted digit sum modulo 11 of an 8-digit string (0 for a valid number). */
export function cvrRemainder(digits: string): number {
  let sum = 0
  for (let i = 0; i < WEIGHTS.length; i++) sum += (digits.charCodeAt(i) - 0x30) * WEIGHTS[i]!
  return sum % 11
}

/** Parses the value part of a `dk:cvr` identifier (already known to be bounded ASCII). */
export function parseDkCvrValue(value: string): DkCvrNumber {
  if (value.length !== 8 || !isDigits(value) || value[0] === '0') {
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, 'must be 8 digits, the first not 0')
  }
  if (cvrRemainder(value) !== 0) {
    throw identifierError('ERR_IDENTIFIER_CHECKSUM', SCHEME, 'fails its modulus-11 check')
  }
  return { scheme: SCHEME, value, text: `${SCHEME}:${value}` }
}
