/**
 * @module address/identifier-error
 * One way to build identifier errors. Identifiers are personal data (a national ID embeds a
 * birth date and sex), so messages and details name the scheme and the rule broken, never the
 * value.
 */
import { BaridError, type BaridErrorCode } from '../errors.js'

type IdentifierErrorCode = Extract<
  BaridErrorCode,
  | 'ERR_IDENTIFIER_INVALID'
  | 'ERR_IDENTIFIER_SCHEME_UNKNOWN'
  | 'ERR_IDENTIFIER_CHECKSUM'
  | 'ERR_IDENTIFIER_DATE'
  | 'ERR_IDENTIFIER_REGION'
>

export function identifierError(
  code: IdentifierErrorCode,
  scheme: string | undefined,
  problem: string,
  cause?: unknown,
): BaridError {
  const prefix = scheme === undefined ? 'identifier' : `${scheme} identifier`
  return new BaridError(code, `${prefix} ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    ...(scheme === undefined ? {} : { details: { scheme } }),
  })
}
