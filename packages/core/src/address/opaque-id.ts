/**
 * @module address/opaque-id
 * Operator-scoped identifiers (`opaque:<operator-id>:<token>`), `spec/03-addresses.md` section
 * 3.10: for participants without a national identifier, or operators that will not disclose one.
 * The token's alphabet is RFC 3986's "unreserved" set, so it is safe in URLs and file names.
 */
import { isBaridError } from '../errors.js'
import { identifierError } from './identifier-error.js'
import type { OpaqueIdentifier } from './identifier-types.js'
import { MAX_OPAQUE_TOKEN_LENGTH } from './limits.js'
import { parseOperatorId, type OperatorId } from './operator-id.js'

const SCHEME = 'opaque'
const TOKEN = /^[A-Za-z0-9._~-]+$/

/**
 * Parses the value part of an `opaque` identifier (already known to be bounded ASCII).
 * The operator is normalised to lower case; the token is case-sensitive and kept as is.
 */
export function parseOpaqueValue(input: string): OpaqueIdentifier {
  const colon = input.indexOf(':')
  if (colon < 0) {
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, 'must be <operator>:<token>')
  }
  let operator: OperatorId
  try {
    operator = parseOperatorId(input.slice(0, colon))
  } catch (cause) {
    if (!isBaridError(cause)) throw cause
    const why = `names a bad operator: ${cause.message}`
    throw identifierError('ERR_IDENTIFIER_INVALID', SCHEME, why, cause)
  }
  const token = input.slice(colon + 1)
  if (token.length === 0 || token.length > MAX_OPAQUE_TOKEN_LENGTH || !TOKEN.test(token)) {
    throw identifierError(
      'ERR_IDENTIFIER_INVALID',
      SCHEME,
      `token must be 1-${MAX_OPAQUE_TOKEN_LENGTH} characters of A-Z a-z 0-9 . _ ~ -`,
    )
  }
  const value = `${operator}:${token}`
  return { scheme: SCHEME, value, text: `${SCHEME}:${value}`, operator, token }
}
