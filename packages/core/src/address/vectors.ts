/**
 * @module address/vectors
 * Builds `spec/vectors/addresses.json`: valid inputs with their canonical and decoded forms, and
 * must-fail inputs with the error code (`reason`) a conforming parser reports. Identifier dates
 * are judged against the fixed time {@link VECTORS_NOW}. Each must-fail case is checked against
 * this implementation while building, so the file cannot record a reason the code disagrees with.
 */
import { BaridError } from '../errors.js'
import { parseIdentifier } from './identifier.js'
import { parseMailboxAddress } from './mailbox-address.js'
import { parseOperatorId } from './operator-id.js'

/** The "current time" every identifier vector is judged at. */
export const VECTORS_NOW = '2025-06-15T12:00:00.000Z'

type Case = readonly [input: string, note: string]
type FailCase = readonly [input: string, reason: string, note: string]

const OPERATORS_VALID: Case[] = [
  ['post.eg', 'Egypt Post'],
  ['DigitalPost.DK', 'upper case is folded'],
  ['xn--bcher-kva.example', 'an IDN in A-label form'],
  [`${'a'.repeat(63)}.eg`, 'a 63-character label'],
]
const OPERATORS_INVALID: FailCase[] = [
  ['post', 'ERR_ADDRESS_INVALID', 'one label'],
  ['post.eg.', 'ERR_ADDRESS_INVALID', 'trailing dot'],
  ['post..eg', 'ERR_ADDRESS_INVALID', 'empty label'],
  ['-post.eg', 'ERR_ADDRESS_INVALID', 'leading hyphen'],
  ['po_st.eg', 'ERR_ADDRESS_INVALID', 'underscore'],
  ['ab--cd.eg', 'ERR_ADDRESS_INVALID', 'reserved label, -- in positions 3-4'],
  ['192.0.2.1', 'ERR_ADDRESS_INVALID', 'all-numeric last label'],
  ['bücher.example', 'ERR_ADDRESS_INVALID', 'IDN in non-ASCII (U-label) form'],
  ['\u212Aelvin.example', 'ERR_ADDRESS_INVALID', 'U+212A KELVIN SIGN, which lower-cases to k'],
  [`${'a'.repeat(64)}.eg`, 'ERR_ADDRESS_INVALID', 'a 64-character label'],
  [`${'a.'.repeat(126)}eg`, 'ERR_ADDRESS_INVALID', 'longer than 253 characters'],
]

const MAILBOXES_VALID: Case[] = [
  ['amina.hassan@post.eg', 'canonical already'],
  ['Lars.Jensen@DigitalPost.DK', 'upper case is folded in both parts'],
  ['a_b-c.d@post.eg', 'underscore, hyphen and dot'],
  [`${'a'.repeat(64)}@post.eg`, 'a 64-character local part'],
]
const MAILBOXES_INVALID: FailCase[] = [
  ['amina', 'ERR_ADDRESS_INVALID', 'no @'],
  ['a@b@post.eg', 'ERR_ADDRESS_INVALID', 'two @'],
  ['@post.eg', 'ERR_ADDRESS_INVALID', 'empty local part'],
  ['.amina@post.eg', 'ERR_ADDRESS_INVALID', 'leading dot'],
  ['amina.@post.eg', 'ERR_ADDRESS_INVALID', 'trailing dot'],
  ['ami..na@post.eg', 'ERR_ADDRESS_INVALID', 'double dot'],
  ['-amina@post.eg', 'ERR_ADDRESS_INVALID', 'leading hyphen'],
  ['ami+na@post.eg', 'ERR_ADDRESS_INVALID', 'plus sign'],
  ['amïna@post.eg', 'ERR_ADDRESS_INVALID', 'non-ASCII letter'],
  ['amina@post', 'ERR_ADDRESS_INVALID', 'one-label operator'],
  [`${'a'.repeat(65)}@post.eg`, 'ERR_ADDRESS_INVALID', 'a 65-character local part'],
  [
    `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`,
    'ERR_ADDRESS_INVALID',
    'longer than 254 characters',
  ],
]

const IDENTIFIERS: Record<string, { valid: Case[]; invalid: FailCase[] }> = {
  'eg:nid': {
    valid: [
      ['eg:nid:29001011234567', 'born 1990-01-01 in Dakahlia'],
      ['eg:nid:30002298800012', 'born abroad on 29 February 2000'],
      ['EG:NID:30206152100015', 'upper-case scheme is folded'],
      ['eg:nid:32506160112345', 'born the day after now: allowed for time zones'],
    ],
    invalid: [
      ['eg:nid:2900101123456', 'ERR_IDENTIFIER_INVALID', '13 digits'],
      ['eg:nid:2900101123456a', 'ERR_IDENTIFIER_INVALID', 'a letter'],
      ['eg:nid:19001011234567', 'ERR_IDENTIFIER_DATE', 'century digit 1'],
      ['eg:nid:20002291234567', 'ERR_IDENTIFIER_DATE', '29 February 1900'],
      ['eg:nid:29013011234567', 'ERR_IDENTIFIER_DATE', 'month 13'],
      ['eg:nid:32506171234567', 'ERR_IDENTIFIER_DATE', 'born two days after now'],
      ['eg:nid:29001019934567', 'ERR_IDENTIFIER_REGION', 'governorate 99'],
      ['eg:nid:29001010534567', 'ERR_IDENTIFIER_REGION', 'governorate 05'],
      ['eg:nid:29002309934567', 'ERR_IDENTIFIER_DATE', 'bad date and region: date first'],
    ],
  },
  'dk:cpr': {
    valid: [
      ['dk:cpr:0101901234', 'born 1990-01-01; fails modulus 11, which is not required'],
      ['dk:cpr:010190-1234', 'hyphen is removed'],
      ['dk:cpr:010120-4000', '7th digit 4, YY 20: 2020'],
      ['dk:cpr:010137-4000', '7th digit 4, YY 37: 1937'],
      ['dk:cpr:010158-5000', '7th digit 5, YY 58: 1858'],
      ['dk:cpr:290200-4000', '29 February 2000'],
    ],
    invalid: [
      ['dk:cpr:010190123', 'ERR_IDENTIFIER_INVALID', '9 digits'],
      ['dk:cpr:0101-901234', 'ERR_IDENTIFIER_INVALID', 'hyphen in the wrong place'],
      ['dk:cpr:310490-1234', 'ERR_IDENTIFIER_DATE', '31 April'],
      ['dk:cpr:290290-1234', 'ERR_IDENTIFIER_DATE', '29 February 1990'],
      ['dk:cpr:010157-5000', 'ERR_IDENTIFIER_DATE', '7th digit 5, YY 57: 2057, in the future'],
    ],
  },
  'dk:cvr': {
    valid: [
      ['dk:cvr:12345674', 'weighted sum 110'],
      ['dk:cvr:10000009', 'weighted sum 11'],
    ],
    invalid: [
      ['dk:cvr:12345675', 'ERR_IDENTIFIER_CHECKSUM', 'last digit changed'],
      ['dk:cvr:12345764', 'ERR_IDENTIFIER_CHECKSUM', 'two digits swapped'],
      ['dk:cvr:02345674', 'ERR_IDENTIFIER_INVALID', 'leading zero'],
      ['dk:cvr:DK12345674', 'ERR_IDENTIFIER_INVALID', 'country prefix in the value'],
    ],
  },
  'eg:crn': {
    valid: [
      ['eg:crn:123456', 'bare number'],
      ['eg:crn:007/0123', 'office prefix; leading zeros dropped'],
    ],
    invalid: [
      ['eg:crn:0', 'ERR_IDENTIFIER_INVALID', 'number zero'],
      ['eg:crn:12345678901', 'ERR_IDENTIFIER_INVALID', '11 digits'],
      ['eg:crn:12345/1', 'ERR_IDENTIFIER_INVALID', '5-digit office'],
      ['eg:crn:1/2/3', 'ERR_IDENTIFIER_INVALID', 'two slashes'],
    ],
  },
  opaque: {
    valid: [
      ['opaque:post.eg:u-42', 'operator-scoped token'],
      ['OPAQUE:DigitalPost.DK:AbC.x_y~z', 'scheme and operator folded, token kept'],
    ],
    invalid: [
      ['opaque:post.eg:', 'ERR_IDENTIFIER_INVALID', 'empty token'],
      ['opaque:post.eg:a/b', 'ERR_IDENTIFIER_INVALID', 'slash in the token'],
      ['opaque:post:abc', 'ERR_IDENTIFIER_INVALID', 'one-label operator'],
      [`opaque:post.eg:${'t'.repeat(129)}`, 'ERR_IDENTIFIER_INVALID', '129-character token'],
    ],
  },
  other: {
    valid: [],
    invalid: [
      ['se:pnr:8112189876', 'ERR_IDENTIFIER_SCHEME_UNKNOWN', 'unregistered scheme'],
      ['eg:passport:A1234567', 'ERR_IDENTIFIER_SCHEME_UNKNOWN', 'unregistered Egyptian kind'],
      ['29001011234567', 'ERR_IDENTIFIER_INVALID', 'no scheme'],
      ['urn:isbn:0451450523', 'ERR_IDENTIFIER_INVALID', 'not a Barid scheme shape'],
    ],
  },
}

/** The vectors as a JSON-able object. */
export async function makeVectors(): Promise<unknown> {
  const now = new Date(VECTORS_NOW)
  return {
    description:
      'Barid addresses and participant identifiers (spec/03-addresses.md). "valid" inputs parse ' +
      'to the given canonical form; in a protocol message only an input equal to its canonical ' +
      'form is acceptable. "invalid" inputs MUST be refused with the code in "reason". ' +
      'Identifier dates are judged at "now".',
    now: VECTORS_NOW,
    operatorIds: {
      valid: OPERATORS_VALID.map(([input, note]) => ({
        input,
        note,
        canonical: parseOperatorId(input),
      })),
      invalid: OPERATORS_INVALID.map((c) => failing(c, () => parseOperatorId(c[0]))),
    },
    mailboxAddresses: {
      valid: MAILBOXES_VALID.map(([input, note]) => ({
        input,
        note,
        ...parseMailboxAddress(input),
      })),
      invalid: MAILBOXES_INVALID.map((c) => failing(c, () => parseMailboxAddress(c[0]))),
    },
    identifiers: Object.fromEntries(
      Object.entries(IDENTIFIERS).map(([scheme, { valid, invalid }]) => [
        scheme,
        {
          valid: valid.map(([input, note]) => ({
            input,
            note,
            parsed: parseIdentifier(input, { now }),
          })),
          invalid: invalid.map((c) => failing(c, () => parseIdentifier(c[0], { now }))),
        },
      ]),
    ),
  }
}

function failing([input, reason, note]: FailCase, parse: () => unknown) {
  try {
    parse()
  } catch (e) {
    if (e instanceof BaridError && e.code === reason) return { input, reason, note }
    throw new Error(`vector ${JSON.stringify(input)}: expected ${reason}, got ${String(e)}`)
  }
  throw new Error(`vector ${JSON.stringify(input)}: expected ${reason}, but it parsed`)
}
