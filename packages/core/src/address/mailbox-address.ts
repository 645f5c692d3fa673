/**
 * @module address/mailbox-address
 * Mailbox addresses, `local@operator` (`spec/03-addresses.md` section 3.3). The local part is a
 * deliberately small subset of RFC 5322's dot-atom, so every Barid address is also a valid
 * e-mail address and no two spellings can name the same mailbox once normalised.
 */
import { BaridError } from '../errors.js'
import { asciiLower, isPrintableAscii } from './ascii.js'
import { MAX_LOCAL_PART_LENGTH, MAX_MAILBOX_ADDRESS_LENGTH } from './limits.js'
import { parseOperatorId, type OperatorId } from './operator-id.js'

declare const mailboxAddressBrand: unique symbol

/** A canonical mailbox address. Obtain one from {@link parseMailboxAddress}. */
export type MailboxAddress = `${string}@${string}` & {
  readonly [mailboxAddressBrand]: 'MailboxAddress'
}

/** A mailbox address taken apart. */
export interface ParsedMailboxAddress {
  /** The local part, normalised. */
  readonly local: string
  /** The operator that hosts the mailbox. */
  readonly operator: OperatorId
  /** The whole address in canonical form, `${local}@${operator}`. */
  readonly address: MailboxAddress
}

/** Options for {@link parseMailboxAddress}. */
export interface ParseMailboxAddressOptions {
  /**
   * Accept only the canonical form (no upper-case letters), as protocol messages must carry it.
   * Default `false`: normalise user input.
   */
  canonical?: boolean
}

// Dot-separated atoms of a-z 0-9 _ -, starting with a letter or digit.
const LOCAL_PART = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*$/

/**
 * True when `input` is a mailbox address in canonical form.
 *
 * @example
 * ```ts
 * isMailboxAddress('amina.hassan@post.eg') // true
 * isMailboxAddress('Amina.Hassan@post.eg') // false: not canonical, use parseMailboxAddress
 * ```
 */
export function isMailboxAddress(input: unknown): input is MailboxAddress {
  try {
    parseMailboxAddress(input, { canonical: true })
    return true
  } catch {
    return false
  }
}

/**
 * Throws `ERR_ADDRESS_INVALID` unless `input` is a mailbox address in canonical form.
 *
 * @example
 * ```ts
 * assertMailboxAddress(header.to) // narrows to MailboxAddress
 * ```
 */
export function assertMailboxAddress(input: unknown): asserts input is MailboxAddress {
  parseMailboxAddress(input, { canonical: true })
}

/**
 * Parses a mailbox address, normalising ASCII letters to lower case.
 * Throws `ERR_ADDRESS_INVALID`; the message never repeats the input (addresses are personal data).
 *
 * @example
 * ```ts
 * const { local, operator, address } = parseMailboxAddress('Lars.Jensen@DigitalPost.dk')
 * // local 'lars.jensen', operator 'digitalpost.dk', address 'lars.jensen@digitalpost.dk'
 * ```
 */
export function parseMailboxAddress(
  input: unknown,
  options: ParseMailboxAddressOptions = {},
): ParsedMailboxAddress {
  if (typeof input !== 'string') throw invalid('must be a string')
  if (input.length > MAX_MAILBOX_ADDRESS_LENGTH) {
    throw invalid(`is longer than ${MAX_MAILBOX_ADDRESS_LENGTH} characters`)
  }
  if (!isPrintableAscii(input)) throw invalid('must be printable ASCII')
  const at = input.indexOf('@')
  if (at < 0 || at !== input.lastIndexOf('@')) throw invalid('must contain exactly one "@"')
  const lower = asciiLower(input)
  if (options.canonical === true && lower !== input) {
    throw invalid('is not in canonical (lower-case) form')
  }
  const local = lower.slice(0, at)
  checkLocalPart(local)
  let operator: OperatorId
  try {
    operator = parseOperatorId(lower.slice(at + 1))
  } catch (cause) {
    const why = cause instanceof BaridError ? cause.message : 'operator id is not well formed'
    throw new BaridError('ERR_ADDRESS_INVALID', `mailbox address: ${why}`, {
      cause,
      details: { field: 'operator' },
    })
  }
  return { local, operator, address: `${local}@${operator}` as MailboxAddress }
}

/**
 * Builds a canonical mailbox address from its parts (for an operator assigning a new mailbox).
 * Throws `ERR_ADDRESS_INVALID` as {@link parseMailboxAddress} does.
 *
 * @example
 * ```ts
 * formatMailboxAddress({ local: 'amina.hassan', operator: 'post.eg' }) // 'amina.hassan@post.eg'
 * ```
 */
export function formatMailboxAddress(parts: { local: string; operator: string }): MailboxAddress {
  if (typeof parts.local !== 'string' || parts.local.includes('@')) {
    throw invalid('local part must be a string without "@"')
  }
  return parseMailboxAddress(`${parts.local}@${parts.operator}`).address
}

function checkLocalPart(local: string): void {
  if (local.length === 0) throw invalid('has an empty local part', 'local')
  if (local.length > MAX_LOCAL_PART_LENGTH) {
    throw invalid(`has a local part longer than ${MAX_LOCAL_PART_LENGTH} characters`, 'local')
  }
  if (!LOCAL_PART.test(local)) {
    const rule = 'dot-separated runs of a-z, 0-9, "_" and "-", starting with a letter or digit'
    throw invalid(`local part must be ${rule}`, 'local')
  }
}

function invalid(problem: string, field = 'address'): BaridError {
  return new BaridError('ERR_ADDRESS_INVALID', `mailbox address ${problem}`, { details: { field } })
}
