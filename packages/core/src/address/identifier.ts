/**
 * @module address/identifier
 * Participant identifiers, `scheme:value` (`spec/03-addresses.md` section 3.4): the registry-free
 * entry point that recognises the scheme, bounds the input, and hands the value to the scheme's
 * own parser. Errors are checked in a fixed order (length and alphabet, scheme, shape, date,
 * region, check digit) so every implementation reports the same code for the same input.
 */
import { asciiLower, isPrintableAscii } from './ascii.js'
import type { IdentifierDateOptions } from './calendar.js'
import { parseDkCprValue } from './dk-cpr.js'
import { parseDkCvrValue } from './dk-cvr.js'
import { parseEgCommercialRegisterValue } from './eg-commercial-register.js'
import { parseEgNationalIdValue } from './eg-national-id.js'
import { identifierError } from './identifier-error.js'
import {
  IDENTIFIER_SCHEMES,
  type IdentifierScheme,
  type IdentifierText,
  type ParticipantIdentifier,
} from './identifier-types.js'
import { MAX_IDENTIFIER_LENGTH } from './limits.js'
import { parseOpaqueValue } from './opaque-id.js'

/** Options for {@link parseIdentifier}. */
export interface ParseIdentifierOptions extends IdentifierDateOptions {
  /**
   * Accept only the canonical form (lower-case scheme, no CPR hyphen, no leading zeros), as
   * protocol messages must carry it. Default `false`: normalise user input.
   */
  canonical?: boolean
}

const COUNTRY = /^[a-z]{2}$/
const KIND = /^[a-z0-9]{1,15}$/

/**
 * Parses and normalises a participant identifier. Throws `ERR_IDENTIFIER_*` (see the spec for
 * which); messages never repeat the identifier.
 *
 * @example
 * ```ts
 * const id = parseIdentifier('eg:nid:29001011234567', { now: new Date('2025-01-01') })
 * if (id.scheme === 'eg:nid') console.log(id.birthDate, id.governorate.name) // 1990-01-01 Dakahlia
 * parseIdentifier('DK:CPR:010190-1234').text // 'dk:cpr:0101901234'
 * ```
 */
export function parseIdentifier(
  text: unknown,
  options: ParseIdentifierOptions = {},
): ParticipantIdentifier {
  if (typeof text !== 'string') {
    throw identifierError('ERR_IDENTIFIER_INVALID', undefined, 'must be a string')
  }
  if (text.length > MAX_IDENTIFIER_LENGTH) {
    const problem = `is longer than ${MAX_IDENTIFIER_LENGTH} characters`
    throw identifierError('ERR_IDENTIFIER_INVALID', undefined, problem)
  }
  if (!isPrintableAscii(text)) {
    throw identifierError('ERR_IDENTIFIER_INVALID', undefined, 'must be printable ASCII')
  }
  const { scheme, value } = splitScheme(text)
  const id = parseValue(scheme, value, options)
  if (options.canonical === true && id.text !== text) {
    throw identifierError('ERR_IDENTIFIER_INVALID', scheme, 'is not in canonical form')
  }
  return id
}

/**
 * The canonical text of an identifier. The value is parsed again, so a hand-built object with a
 * malformed value cannot be written out; the same errors as {@link parseIdentifier} apply.
 *
 * @example
 * ```ts
 * formatIdentifier({ scheme: 'dk:cvr', value: '12345674' }) // 'dk:cvr:12345674'
 * formatIdentifier(parseIdentifier('eg:crn:007/0123'))      // 'eg:crn:7/123'
 * ```
 */
export function formatIdentifier(
  id: { readonly scheme: IdentifierScheme; readonly value: string },
  options: IdentifierDateOptions = {},
): IdentifierText {
  return parseIdentifier(`${id.scheme}:${id.value}`, { now: options.now }).text
}

/**
 * True when `input` is a valid participant identifier in canonical form.
 *
 * @example
 * ```ts
 * isIdentifier('dk:cvr:12345674') // true
 * isIdentifier('dk:cvr:12345675') // false: check digit
 * ```
 */
export function isIdentifier(
  input: unknown,
  options: IdentifierDateOptions = {},
): input is IdentifierText {
  try {
    parseIdentifier(input, { now: options.now, canonical: true })
    return true
  } catch {
    return false
  }
}

/**
 * Throws an `ERR_IDENTIFIER_*` error unless `input` is a valid identifier in canonical form.
 *
 * @example
 * ```ts
 * assertIdentifier(header.recipientId) // narrows to IdentifierText
 * ```
 */
export function assertIdentifier(
  input: unknown,
  options: IdentifierDateOptions = {},
): asserts input is IdentifierText {
  parseIdentifier(input, { now: options.now, canonical: true })
}

function splitScheme(text: string): { scheme: IdentifierScheme; value: string } {
  const first = text.indexOf(':')
  if (first < 0) throw identifierError('ERR_IDENTIFIER_INVALID', undefined, 'has no scheme')
  const head = asciiLower(text.slice(0, first))
  if (head === 'opaque') return { scheme: 'opaque', value: text.slice(first + 1) }
  const second = text.indexOf(':', first + 1)
  const kind = second < 0 ? '' : asciiLower(text.slice(first + 1, second))
  if (!COUNTRY.test(head) || !KIND.test(kind)) {
    throw identifierError('ERR_IDENTIFIER_INVALID', undefined, 'has no well-formed scheme')
  }
  const scheme = `${head}:${kind}`
  if (!isScheme(scheme)) {
    throw identifierError('ERR_IDENTIFIER_SCHEME_UNKNOWN', undefined, 'names an unknown scheme')
  }
  return { scheme, value: text.slice(second + 1) }
}

function isScheme(s: string): s is IdentifierScheme {
  return (IDENTIFIER_SCHEMES as readonly string[]).includes(s)
}

function parseValue(
  scheme: IdentifierScheme,
  value: string,
  options: IdentifierDateOptions,
): ParticipantIdentifier {
  switch (scheme) {
    case 'eg:nid':
      return parseEgNationalIdValue(value, options)
    case 'eg:crn':
      return parseEgCommercialRegisterValue(value)
    case 'dk:cpr':
      return parseDkCprValue(value, options)
    case 'dk:cvr':
      return parseDkCvrValue(value)
    case 'opaque':
      return parseOpaqueValue(value)
  }
}
