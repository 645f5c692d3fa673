/**
 * @module address/identifier-types
 * The participant identifier union (`spec/03-addresses.md` section 3.4). An identifier is written
 * `scheme:value`; the parsed form is discriminated by `scheme` and carries what each scheme
 * encodes (birth date, region, operator), so callers never re-parse the digits themselves.
 */
import type { OperatorId } from './operator-id.js'

/** The registered identifier schemes. */
export const IDENTIFIER_SCHEMES = ['eg:nid', 'eg:crn', 'dk:cpr', 'dk:cvr', 'opaque'] as const

/** A registered identifier scheme. */
export type IdentifierScheme = (typeof IDENTIFIER_SCHEMES)[number]

/** A participant identifier in canonical text form, e.g. `dk:cvr:12345674`. */
export type IdentifierText = `${IdentifierScheme}:${string}`

/** An Egyptian governorate as encoded in digits 8-9 of a national ID. */
export interface EgGovernorate {
  /** Two-digit code, e.g. `'01'`. */
  readonly code: string
  /** English name, e.g. `'Cairo'`; `'Born abroad'` for code 88. */
  readonly name: string
}

interface IdentifierBase<S extends IdentifierScheme> {
  readonly scheme: S
  /** The canonical value after `scheme:`. */
  readonly value: string
  /** The whole identifier in canonical form, `${scheme}:${value}`. */
  readonly text: `${S}:${string}`
}

/** Egyptian national ID (`eg:nid`): 14 digits, issued by the Civil Status Organization. */
export interface EgNationalId extends IdentifierBase<'eg:nid'> {
  /** Birth date, `YYYY-MM-DD`. */
  readonly birthDate: string
  /** Governorate of birth registration (code 88: born abroad). */
  readonly governorate: EgGovernorate
  /**
   * Sex as encoded by the parity of digit 13 (odd: male, even: female). Informative only: no
   * rule depends on it.
   */
  readonly sex: 'female' | 'male'
}

/** Danish CPR number (`dk:cpr`): 10 digits, `DDMMYYSSSS`, issued by the CPR office. */
export interface DkCprNumber extends IdentifierBase<'dk:cpr'> {
  /** Birth date, `YYYY-MM-DD`, century from the 7th digit. */
  readonly birthDate: string
}

/** Danish CVR number (`dk:cvr`): 8 digits, modulus-11 checked, from the Business Authority. */
export type DkCvrNumber = IdentifierBase<'dk:cvr'>

/** Egyptian commercial register number (`eg:crn`): a registry-local number, not checksummed. */
export interface EgCommercialRegisterNumber extends IdentifierBase<'eg:crn'> {
  /** Registry office code, without leading zeros; absent when the number has no office prefix. */
  readonly office?: string
  /** Register number, without leading zeros. */
  readonly number: string
}

/** An operator-scoped identifier (`opaque:<operator>:<token>`), meaningful only to its operator. */
export interface OpaqueIdentifier extends IdentifierBase<'opaque'> {
  readonly operator: OperatorId
  /** Case-sensitive token, 1-128 characters of `A-Z a-z 0-9 . _ ~ -`. */
  readonly token: string
}

/** Any parsed participant identifier; `switch (id.scheme)` narrows it. */
export type ParticipantIdentifier =
  | EgNationalId
  | DkCprNumber
  | DkCvrNumber
  | EgCommercialRegisterNumber
  | OpaqueIdentifier
