/**
 * @module address
 * Operator ids, mailbox addresses and participant identifiers (`spec/03-addresses.md`).
 */
export { assertOperatorId, isOperatorId, parseOperatorId } from './operator-id.js'
export type { OperatorId, ParseOperatorIdOptions } from './operator-id.js'
export {
  assertMailboxAddress,
  formatMailboxAddress,
  isMailboxAddress,
  parseMailboxAddress,
} from './mailbox-address.js'
export type {
  MailboxAddress,
  ParseMailboxAddressOptions,
  ParsedMailboxAddress,
} from './mailbox-address.js'
export { assertIdentifier, formatIdentifier, isIdentifier, parseIdentifier } from './identifier.js'
export type { ParseIdentifierOptions } from './identifier.js'
export type { IdentifierDateOptions } from './calendar.js'
export { IDENTIFIER_SCHEMES } from './identifier-types.js'
export type {
  DkCprNumber,
  DkCvrNumber,
  EgCommercialRegisterNumber,
  EgGovernorate,
  EgNationalId,
  IdentifierScheme,
  IdentifierText,
  OpaqueIdentifier,
  ParticipantIdentifier,
} from './identifier-types.js'
export { EG_GOVERNORATES } from './eg-governorates.js'
export { identifierAuthority } from './identifier-authority.js'
export type { IdentifierAuthority, IdentifierCountry } from './identifier-authority.js'
export {
  MAX_IDENTIFIER_LENGTH,
  MAX_LOCAL_PART_LENGTH,
  MAX_MAILBOX_ADDRESS_LENGTH,
  MAX_OPERATOR_ID_LENGTH,
} from './limits.js'
