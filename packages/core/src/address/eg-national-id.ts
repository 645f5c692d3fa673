/**
 * @module address/eg-national-id
 * Egyptian national ID (`eg:nid`), `spec/03-addresses.md` section 3.6. Layout of the 14 digits:
 *
 *     C YYMMDD GG SSSS K
 *
 * C century (2: 1900-1999, 3: 2000-2099), YYMMDD birth date, GG governorate of registration,
 * SSSS sequence (parity of its last digit encodes sex), K check digit. The check-digit algorithm
 * is not published by the Civil Status Organization, so K is not validated: a guessed algorithm
 * would refuse real IDs or give false confidence.
 */
import { isDigits } from './ascii.js'
import { checkBirthDate, type IdentifierDateOptions } from './calendar.js'
import { egGovernorate } from './eg-governorates.js'
import { identifierError } from './identifier-error.js'
import type { EgNationalId } from './identifier-types.js'

const SCHEME = 'eg:nid'

/** Parses the value part of an `eg:nid` identifier (already known to be bounded ASCII). */
export function parseEgNationalIdValue(
  value: string,
  options: IdentifierDateOptions,
): EgNationalId {
  if (value.length !== 14 || !isDigits(value)) {
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, 'must be 14 digits')
  }
  const century = value.charCodeAt(0) - 0x30
  if (century !== 2 && century !== 3) {
    throw identifierError('ERR_IDENTIFIER_DATE', SCHEME, 'has a century digit other than 2 or 3')
  }
  const year = 1700 + century * 100 + Number(value.slice(1, 3))
  const birthDate = checkBirthDate(
    SCHEME,
    year,
    Number(value.slice(3, 5)),
    Number(value.slice(5, 7)),
    options,
  )
  const governorate = egGovernorate(value.slice(7, 9))
  if (governorate === undefined) {
    throw identifierError('ERR_IDENTIFIER_REGION', SCHEME, 'has an unknown governorate code')
  }
  const sex = (value.charCodeAt(12) - 0x30) % 2 === 1 ? 'male' : 'female'
  return { scheme: SCHEME, value, text: `${SCHEME}:${value}`, birthDate, governorate, sex }
}
