/**
 * @module letter/letter-id
 * Letter ids are UUIDv7 (RFC 9562 section 5.7): 48 bits of Unix time in milliseconds, then 74
 * random bits. They sort by creation time, which keeps a node's indexes local, and are unique
 * without coordination. On the wire an id is its 16 bytes; in APIs, the lower-case text form.
 */
import { BaridError } from '../errors.js'
import { toHex } from '../bytes.js'

declare const letterIdBrand: unique symbol

/** A UUIDv7 in lower-case hyphenated text form, e.g. `01890a5d-ac96-774b-bcce-b302099a8057`. */
export type LetterId = string & { readonly [letterIdBrand]: 'LetterId' }

const TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * A new letter id for the time `now` (milliseconds since the epoch) and 10 random bytes.
 *
 * @example
 * ```ts
 * const id = newLetterId() // '0190f6a2-...'
 * const fixed = newLetterId(Date.UTC(2025, 0, 1), new Uint8Array(10)) // for test vectors
 * ```
 */
export function newLetterId(now: number = Date.now(), random?: Uint8Array): LetterId {
  if (!Number.isSafeInteger(now) || now < 0 || now >= 2 ** 48) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'letter id time must be milliseconds in [0, 2^48)')
  }
  const r = random ?? crypto.getRandomValues(new Uint8Array(10))
  if (r.length !== 10)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'a letter id needs 10 random bytes')
  const b = new Uint8Array(16)
  let t = now
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256
    t = Math.floor(t / 256)
  }
  b[6] = 0x70 | (r[0]! & 0x0f) // version 7, then rand_a
  b[7] = r[1]!
  b[8] = 0x80 | (r[2]! & 0x3f) // variant 10, then rand_b
  b.set(r.subarray(3), 9)
  return letterIdFromBytes(b)
}

/** True when `value` is a letter id in canonical (lower-case) text form. */
export function isLetterId(value: unknown): value is LetterId {
  return typeof value === 'string' && TEXT.test(value)
}

/**
 * The 16 wire bytes of a letter id; `ERR_INVALID_ARGUMENT` unless it is a canonical UUIDv7.
 *
 * @example
 * ```ts
 * letterIdToBytes(header.id).length // 16
 * ```
 */
export function letterIdToBytes(id: string): Uint8Array {
  if (!isLetterId(id))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'not a UUIDv7 letter id in lower-case text form')
  const hex = id.replace(/-/g, '')
  const b = new Uint8Array(16)
  for (let i = 0; i < 16; i++) b[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return b
}

/**
 * The text form of 16 wire bytes; `ERR_INVALID_ARGUMENT` unless they are a UUIDv7 (version 7,
 * variant 10).
 *
 * @example
 * ```ts
 * letterIdFromBytes(bytes) // '0190f6a2-...'
 * ```
 */
export function letterIdFromBytes(bytes: Uint8Array): LetterId {
  if (bytes.length !== 16 || bytes[6]! >> 4 !== 7 || bytes[8]! >> 6 !== 2) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'not the 16 bytes of a UUIDv7')
  }
  const h = toHex(bytes)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as LetterId
}

/** The creation time embedded in a letter id, in milliseconds since the epoch. */
export function letterIdTime(id: string): number {
  const b = letterIdToBytes(id)
  let t = 0
  for (let i = 0; i < 6; i++) t = t * 256 + b[i]!
  return t
}
