/**
 * @module address/operator-id
 * Operator ids: the DNS-like names that identify mailbox operators (`post.eg`, `digitalpost.dk`).
 * Grammar and normalisation: `spec/03-addresses.md` section 3.2. Internationalised names are
 * accepted only in their ASCII (A-label, `xn--`) form (RFC 5890 section 2.3.2.1).
 */
import { BaridError } from '../errors.js'
import { asciiLower, isPrintableAscii } from './ascii.js'
import { MAX_LABEL_LENGTH, MAX_OPERATOR_ID_LENGTH } from './limits.js'

declare const operatorIdBrand: unique symbol

/** A canonical (lower-case, well-formed) operator id. Obtain one from {@link parseOperatorId}. */
export type OperatorId = string & { readonly [operatorIdBrand]: 'OperatorId' }

/** Options for {@link parseOperatorId}. */
export interface ParseOperatorIdOptions {
  /**
   * Accept only the canonical form (no upper-case letters), as protocol messages must carry it.
   * Default `false`: normalise user input.
   */
  canonical?: boolean
}

// One label in canonical form: LDH, no leading or trailing hyphen (RFC 1123 section 2.1).
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/

/**
 * Why `s` (already lower-case ASCII, length-checked) is not a canonical operator id, or
 * `undefined` when it is one. Shared by the trio so they cannot disagree.
 */
function operatorIdProblem(s: string): string | undefined {
  if (s.length === 0) return 'is empty'
  if (s.length > MAX_OPERATOR_ID_LENGTH) {
    return `is longer than ${MAX_OPERATOR_ID_LENGTH} characters`
  }
  const labels = s.split('.')
  if (labels.length < 2) return 'must have at least two labels'
  for (const label of labels) {
    if (label.length === 0) return 'has an empty label'
    if (label.length > MAX_LABEL_LENGTH) {
      return `has a label longer than ${MAX_LABEL_LENGTH} characters`
    }
    if (!LABEL.test(label)) return 'has a label outside a-z, 0-9 and inner hyphens'
    // RFC 5891 section 4.2.3.1: "--" in positions 3-4 is reserved; only xn-- (A-labels) is in use.
    if (label[2] === '-' && label[3] === '-' && !label.startsWith('xn--')) {
      return 'has a reserved label (hyphens in positions 3 and 4)'
    }
  }
  // RFC 3696 section 2: a top-level label is never all-numeric; this also keeps IPv4 literals out.
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) return 'has an all-numeric last label'
  return undefined
}

/**
 * True when `input` is an operator id in canonical form.
 *
 * @example
 * ```ts
 * isOperatorId('post.eg') // true
 * isOperatorId('Post.EG') // false: not canonical, use parseOperatorId
 * ```
 */
export function isOperatorId(input: unknown): input is OperatorId {
  return (
    typeof input === 'string' &&
    input.length <= MAX_OPERATOR_ID_LENGTH &&
    isPrintableAscii(input) &&
    asciiLower(input) === input &&
    operatorIdProblem(input) === undefined
  )
}

/**
 * Throws `ERR_ADDRESS_INVALID` unless `input` is an operator id in canonical form.
 *
 * @example
 * ```ts
 * assertOperatorId(message.operator) // narrows to OperatorId
 * ```
 */
export function assertOperatorId(input: unknown): asserts input is OperatorId {
  parseOperatorId(input, { canonical: true })
}

/**
 * Parses and normalises an operator id (ASCII lower-casing only).
 * Throws `ERR_ADDRESS_INVALID`; the message never repeats the input.
 *
 * @example
 * ```ts
 * parseOperatorId('DigitalPost.DK') // 'digitalpost.dk'
 * parseOperatorId('bücher.example') // throws ERR_ADDRESS_INVALID: use the A-label xn--bcher-kva
 * ```
 */
export function parseOperatorId(input: unknown, options: ParseOperatorIdOptions = {}): OperatorId {
  if (typeof input !== 'string') throw invalid('must be a string')
  if (input.length > MAX_OPERATOR_ID_LENGTH) {
    throw invalid(`is longer than ${MAX_OPERATOR_ID_LENGTH} characters`)
  }
  if (!isPrintableAscii(input)) {
    throw invalid('must be ASCII; write internationalised names as A-labels (xn--)')
  }
  const lower = asciiLower(input)
  if (options.canonical === true && lower !== input) {
    throw invalid('is not in canonical (lower-case) form')
  }
  const problem = operatorIdProblem(lower)
  if (problem !== undefined) throw invalid(problem)
  return lower as OperatorId
}

function invalid(problem: string): BaridError {
  return new BaridError('ERR_ADDRESS_INVALID', `operator id ${problem}`, {
    details: { field: 'operator' },
  })
}
