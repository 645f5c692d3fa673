/**
 * @module address/identifier-authority
 * Who answers for an identifier, for routing a letter addressed by identifier rather than by
 * mailbox (`spec/03-addresses.md` section 3.11): national schemes belong to their country's
 * operators, opaque identifiers to the one operator that issued them.
 */
import type { ParticipantIdentifier } from './identifier-types.js'
import type { OperatorId } from './operator-id.js'

/** An ISO 3166-1 alpha-2 country code of a country with registered identifier schemes. */
export type IdentifierCountry = 'EG' | 'DK'

/** The party responsible for resolving an identifier. */
export type IdentifierAuthority =
  | { readonly kind: 'country'; readonly country: IdentifierCountry }
  | { readonly kind: 'operator'; readonly operator: OperatorId }

/**
 * The country or operator responsible for an identifier.
 *
 * @example
 * ```ts
 * identifierAuthority(parseIdentifier('dk:cvr:12345674'))
 * // { kind: 'country', country: 'DK' }
 * identifierAuthority(parseIdentifier('opaque:post.eg:u-42'))
 * // { kind: 'operator', operator: 'post.eg' }
 * ```
 */
export function identifierAuthority(id: ParticipantIdentifier): IdentifierAuthority {
  switch (id.scheme) {
    case 'eg:nid':
    case 'eg:crn':
      return { kind: 'country', country: 'EG' }
    case 'dk:cpr':
    case 'dk:cvr':
      return { kind: 'country', country: 'DK' }
    case 'opaque':
      return { kind: 'operator', operator: id.operator }
  }
}
