/**
 * @module address/eg-commercial-register
 * Egyptian commercial register number (`eg:crn`), `spec/03-addresses.md` section 3.9. Register
 * numbers are assigned per registry office and carry no check digit, so only the shape is
 * checked: `NUMBER` or `OFFICE/NUMBER`, OFFICE 1-4 digits, NUMBER 1-10 digits, neither zero.
 * Leading zeros are dropped so `007/0123` and `7/123` name the same registration.
 */
import { isDigits } from './ascii.js'
import { identifierError } from './identifier-error.js'
import type { EgCommercialRegisterNumber } from './identifier-types.js'

const SCHEME = 'eg:crn'

/** Parses the value part of an `eg:crn` identifier (already known to be bounded ASCII). */
export function parseEgCommercialRegisterValue(input: string): EgCommercialRegisterNumber {
  const slash = input.indexOf('/')
  const rawOffice = slash < 0 ? undefined : input.slice(0, slash)
  const rawNumber = slash < 0 ? input : input.slice(slash + 1)
  if (rawOffice !== undefined && !(rawOffice.length <= 4 && isDigits(rawOffice))) {
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, 'office code must be 1-4 digits')
  }
  if (!(rawNumber.length <= 10 && isDigits(rawNumber))) {
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, 'register number must be 1-10 digits')
  }
  const office = rawOffice === undefined ? undefined : stripZeros(rawOffice)
  const number = stripZeros(rawNumber)
  if (office === '0' || number === '0') {
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, 'office code and number must not be 0')
  }
  if (office === undefined) {
    return { scheme: SCHEME, value: number, text: `${SCHEME}:${number}`, number }
  }
  const value = `${office}/${number}`
  return { scheme: SCHEME, value, text: `${SCHEME}:${value}`, office, number }
}

function stripZeros(digits: string): string {
  let i = 0
  while (i < digits.length - 1 && digits[i] === '0') i++
  return digits.slice(i)
}
