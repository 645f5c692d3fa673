/**
 * @module address/limits
 * Length limits for operator ids, mailbox addresses and participant identifiers
 * (`spec/03-addresses.md`). Every parser checks them before it looks at a single character, so
 * hostile input costs no more than a length comparison.
 */

/** Longest operator id: a DNS name's limit in its text form (RFC 1035 section 2.3.4). */
export const MAX_OPERATOR_ID_LENGTH = 253

/** Longest DNS-style label in an operator id (RFC 1035 section 2.3.4). */
export const MAX_LABEL_LENGTH = 63

/** Longest local part of a mailbox address (as RFC 5321 section 4.5.3.1.1 for e-mail). */
export const MAX_LOCAL_PART_LENGTH = 64

/**
 * Longest mailbox address. 254 is the longest forward path e-mail can carry (RFC 5321 section
 * 4.5.3.1.3 allows 256 octets with the angle brackets), so every address can also be written as an
 * e-mail address by a gateway.
 */
export const MAX_MAILBOX_ADDRESS_LENGTH = 254

/** Longest opaque token (`opaque:<operator>:<token>`). */
export const MAX_OPAQUE_TOKEN_LENGTH = 128

/**
 * Longest participant identifier in any scheme: `opaque:` (7) + operator (253) + `:` (1) + token
 * (128). No registered scheme is longer.
 */
export const MAX_IDENTIFIER_LENGTH = 7 + MAX_OPERATOR_ID_LENGTH + 1 + MAX_OPAQUE_TOKEN_LENGTH
