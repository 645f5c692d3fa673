/**
 * @module evidence/record
 * The evidence payload as canonical CBOR (`spec/07-evidence.md` section 7.2): encode, and parse
 * with every field checked.
 */
import { BaridError, isBaridErrorCode } from '../errors.js'
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { parseMailboxAddress, parseOperatorId } from '../address/index.js'
import { letterIdFromBytes, letterIdToBytes } from '../letter/letter-id.js'
import { codePoints } from '../letter/syntax.js'
import {
  EVIDENCE_REASONS,
  EVIDENCE_TYPES,
  FAILURE_TYPES,
  OPTIONAL_REASON_TYPES,
  PER_RECIPIENT_TYPES,
  type EvidenceReason,
  type EvidenceRecord,
} from './types.js'

/** Longest `detail`, in Unicode code points. */
export const MAX_DETAIL_LENGTH = 512
/** Latest `time`: 2^53 - 1 ms keeps it an exact integer everywhere. */
const MAX_TIME_MS = Number.MAX_SAFE_INTEGER

const KEYS: readonly CborKey[] = [
  'v',
  'type',
  'letter',
  'digest',
  'issuer',
  'time',
  'recipient',
  'reason',
  'prev',
  'detail',
]
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

function malformed(message: string, field: string, cause?: unknown): never {
  throw new BaridError('ERR_EVIDENCE_MALFORMED', `evidence record: ${message}`, {
    cause,
    details: { field },
  })
}

/** True when `v` is a reason a record may carry. */
export function isEvidenceReason(v: unknown): v is EvidenceReason {
  return (EVIDENCE_REASONS as readonly unknown[]).includes(v) || isBaridErrorCode(v)
}

/**
 * Why the record breaks a rule that ties fields to its type, or undefined. Shared by the
 * writer and the reader so they cannot disagree.
 */
export function recordProblem(r: EvidenceRecord): [string, string] | undefined {
  const perRecipient = PER_RECIPIENT_TYPES.includes(r.type)
  const failure = FAILURE_TYPES.includes(r.type)
  if (perRecipient && r.recipient === undefined)
    return ['recipient', `a ${r.type} record names its recipient`]
  if (failure && r.reason === undefined) return ['reason', `a ${r.type} record gives a reason`]
  if (!failure && !OPTIONAL_REASON_TYPES.includes(r.type) && r.reason !== undefined)
    return ['reason', `a ${r.type} record carries no reason`]
  const detailLength = r.detail === undefined ? 0 : codePoints(r.detail)
  if (
    r.detail !== undefined &&
    (detailLength === 0 || detailLength > MAX_DETAIL_LENGTH || CONTROL.test(r.detail))
  ) {
    return [
      'detail',
      `detail must be 1 to ${MAX_DETAIL_LENGTH} characters without control characters`,
    ]
  }
  return undefined
}

/** The record as the CBOR map that is signed. */
export function encodeEvidenceRecord(r: EvidenceRecord): Map<CborKey, CborValue> {
  const m = new Map<CborKey, CborValue>([
    ['v', r.v],
    ['type', r.type],
    ['letter', letterIdToBytes(r.letterId)],
    ['digest', r.letterDigest],
    ['issuer', r.issuer],
    ['time', r.time],
    ['prev', r.prev],
  ])
  if (r.recipient !== undefined) m.set('recipient', r.recipient)
  if (r.reason !== undefined) m.set('reason', r.reason)
  if (r.detail !== undefined) m.set('detail', r.detail)
  return m
}

/**
 * Parses an evidence payload. `ERR_UNSUPPORTED_VERSION` for a version other than 1, else
 * `ERR_EVIDENCE_MALFORMED`.
 *
 * @example
 * ```ts
 * const record = parseEvidenceRecord(decodeStrict(payload))
 * ```
 */
export function parseEvidenceRecord(value: CborValue): EvidenceRecord {
  const r = MapReader.of(value, 'ERR_EVIDENCE_MALFORMED', 'evidence record')
  if (r.raw('v') !== 1) {
    throw new BaridError(
      'ERR_UNSUPPORTED_VERSION',
      `evidence record version ${String(r.raw('v'))} is not supported`,
      {
        details: { field: 'v' },
      },
    )
  }
  r.only(KEYS)
  let letterId
  try {
    letterId = letterIdFromBytes(r.bytes('letter', { exact: 16 }))
  } catch (cause) {
    malformed('letter must be a UUIDv7', 'letter', cause)
  }
  let issuer
  try {
    issuer = parseOperatorId(r.raw('issuer'), { canonical: true })
  } catch (cause) {
    malformed('issuer must be a canonical operator id', 'issuer', cause)
  }
  let recipient
  if (r.has('recipient')) {
    try {
      recipient = parseMailboxAddress(r.raw('recipient'), { canonical: true }).address
    } catch (cause) {
      malformed('recipient must be a canonical mailbox address', 'recipient', cause)
    }
  }
  const reason = r.raw('reason')
  if (reason !== undefined && !isEvidenceReason(reason))
    malformed('reason is not a registered reason or error code', 'reason')
  const prev = r.raw('prev')
  if (prev !== null && !(prev instanceof Uint8Array && prev.length === 32))
    malformed('prev must be 32 bytes or null', 'prev')
  const record: EvidenceRecord = {
    v: 1,
    type: r.oneOf('type', EVIDENCE_TYPES),
    letterId,
    letterDigest: r.bytes('digest', { exact: 32 }),
    issuer,
    time: r.int('time', 0, MAX_TIME_MS),
    prev,
    ...(recipient === undefined ? {} : { recipient }),
    ...(reason === undefined ? {} : { reason }),
    ...(r.has('detail') ? { detail: r.text('detail', 2 * MAX_DETAIL_LENGTH) } : {}),
  }
  const problem = recordProblem(record)
  if (problem !== undefined) malformed(problem[1], problem[0])
  return record
}
