/**
 * @module evidence/record
 * The evidence payload as canonical CBOR (`spec/07-evidence.md` section 7.2): encode, and parse
 * with every field checked.
 */
import { BaridError, isBaridErrorCode } from '../errors.js'
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { parseMailboxAddress, parseOperatorId } from '../address/index.js'
import { isLetterId, letterIdFromBytes, letterIdToBytes } from '../letter/letter-id.js'
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

const utf8 = new TextEncoder()

/** The canonical encoding of a text map key (every key here is shorter than 24 bytes). */
function keyBytes(k: string): Uint8Array {
  return Uint8Array.of(0x60 | k.length, ...utf8.encode(k))
}

/**
 * The payload keys in canonical order (RFC 8949 4.2.1: bytewise order of the encoded keys, so
 * shorter keys first): v, prev, time, type, detail, digest, issuer, letter, reason, recipient.
 */
const K = {
  v: keyBytes('v'),
  prev: keyBytes('prev'),
  time: keyBytes('time'),
  type: keyBytes('type'),
  detail: keyBytes('detail'),
  digest: keyBytes('digest'),
  issuer: keyBytes('issuer'),
  letter: keyBytes('letter'),
  reason: keyBytes('reason'),
  recipient: keyBytes('recipient'),
}

/** Length of a CBOR head for argument `n` (n < 2^53). */
function headLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9
}

function writeU32(out: Uint8Array, o: number, n: number): void {
  out[o] = n >>> 24
  out[o + 1] = (n >>> 16) & 0xff
  out[o + 2] = (n >>> 8) & 0xff
  out[o + 3] = n & 0xff
}

/** Writes a shortest-form CBOR head (RFC 8949 4.2.1) at `o`; returns the offset after it. */
function writeHead(out: Uint8Array, o: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) {
    out[o] = m | n
    return o + 1
  }
  if (n < 0x100) {
    out[o] = m | 24
    out[o + 1] = n
    return o + 2
  }
  if (n < 0x10000) {
    out[o] = m | 25
    out[o + 1] = n >>> 8
    out[o + 2] = n & 0xff
    return o + 3
  }
  if (n < 0x100000000) {
    out[o] = m | 26
    writeU32(out, o + 1, n)
    return o + 5
  }
  out[o] = m | 27
  writeU32(out, o + 1, Math.floor(n / 0x100000000)) // exact: n < 2^53
  writeU32(out, o + 5, n >>> 0)
  return o + 9
}

/** A member value: an unsigned integer, null, a byte string, or a text string (major 3). */
type Member =
  | readonly [key: Uint8Array, major: 0, value: number]
  | readonly [key: Uint8Array, major: 7, value: null]
  | readonly [key: Uint8Array, major: 2, value: Uint8Array]
  | readonly [key: Uint8Array, major: 3, value: string | Uint8Array]

/** ASCII text as it is (its UTF-8 is its char codes), other text as its UTF-8 bytes. */
function text(s: string): string | Uint8Array {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return utf8.encode(s)
  return s
}

/** The 16 bytes of a letter id already checked to be a lower-case UUIDv7 in text form. */
function letterBytes(id: string): Uint8Array {
  if (!isLetterId(id))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'not a UUIDv7 letter id in lower-case text form')
  const b = new Uint8Array(16)
  for (let i = 0, j = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    if (c === 0x2d) continue // '-'
    const v = c <= 0x39 ? c - 0x30 : c - 0x57 // '0'-'9', 'a'-'f'
    b[j >> 1] = b[j >> 1]! | (j & 1 ? v : v << 4)
    j++
  }
  return b
}

/**
 * The payload bytes: exactly `encodeCanonical(encodeEvidenceRecord(r))` (tests hold them equal),
 * written in one pass into one buffer. Records are issued thousands of times a second, and the
 * generic encoder, which encodes and sorts every key anew, cost a large share of an issuance.
 */
export function encodeEvidencePayload(r: EvidenceRecord): Uint8Array {
  const members: Member[] = [
    [K.v, 0, r.v],
    r.prev === null ? [K.prev, 7, null] : [K.prev, 2, r.prev],
    [K.time, 0, r.time],
    [K.type, 3, text(r.type)],
  ]
  if (r.detail !== undefined) members.push([K.detail, 3, text(r.detail)])
  members.push(
    [K.digest, 2, r.letterDigest],
    [K.issuer, 3, text(r.issuer)],
    [K.letter, 2, letterBytes(r.letterId)],
  )
  if (r.reason !== undefined) members.push([K.reason, 3, text(r.reason)])
  if (r.recipient !== undefined) members.push([K.recipient, 3, text(r.recipient)])
  let size = 1
  for (const [key, major, value] of members) {
    size += key.length
    if (major === 7) size += 1
    else if (major === 0) size += headLength(value)
    else size += headLength(value.length) + value.length
  }
  const out = new Uint8Array(size)
  let o = writeHead(out, 0, 5, members.length)
  for (const [key, major, value] of members) {
    out.set(key, o)
    o += key.length
    if (major === 7) out[o++] = 0xf6
    else if (major === 0) o = writeHead(out, o, 0, value)
    else {
      o = writeHead(out, o, major, value.length)
      if (typeof value !== 'string') out.set(value, o)
      else for (let i = 0; i < value.length; i++) out[o + i] = value.charCodeAt(i)
      o += value.length
    }
  }
  return out
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
