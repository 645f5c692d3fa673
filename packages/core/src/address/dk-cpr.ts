/**
 * @module address/dk-cpr
 * Danish CPR number (`dk:cpr`), `spec/03-addresses.md` section 3.7: `DDMMYY-SSSS`, hyphen
 * optional on input and dropped in canonical form. The century comes from the 7th digit by the
 * CPR office's table. The modulus-11 check is NOT applied: since 2007 the CPR office has issued
 * numbers that do not satisfy it, so refusing them would refuse real people.
 */
import { isDigits } from './ascii.js'
import { checkBirthDate, type IdentifierDateOptions } from './calendar.js'
import { identifierError } from './identifier-error.js'
import type { DkCprNumber } from './identifier-types.js'

const SCHEME = 'dk:cpr'

/**
 * The birth year for two-digit year `yy` and 7th digit `d7`, per the CPR office's table:
 * 0-3: 1900s; 4 and 9: 2000s if yy <= 36, else 1900s; 5-8: 2000s if yy <= 57, else 1800s.
 */
export function cprBirthYear(d7: number, yy: number): number {
  if (d7 <= 3) return 1900 + yy
  if (d7 === 4 || d7 === 9) return (yy <= 36 ? 2000 : 1900) + yy
  return (yy <= 57 ? 2000 : 1800) + yy
}

/** Parses the value part of a `dk:cpr` identifier (already known to be bounded ASCII). */
export function parseDkCprValue(input: string, options: IdentifierDateOptions): DkCprNumber {
  const value = input.length === 11 && input[6] === '-' ? input.slice(0, 6) + input.slice(7) : input
  if (value.length !== 10 || !isDigits(value)) {
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, 'must be 10 digits, DDMMYY-SSSS')
  }
  const year = cprBirthYear(value.charCodeAt(6) - 0x30, Number(value.slice(4, 6)))
  const birthDate = checkBirthDate(
    SCHEME,
    year,
    Number(value.slice(2, 4)),
    Number(value.slice(0, 2)),
    options,
  )
  return { scheme: SCHEME, value, text: `${SCHEME}:${value}`, birthDate }
}
