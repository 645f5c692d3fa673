/**
 * @module x509/time
 * Strict reading of certificate validity times (RFC 5280 section 4.1.2.5): UTCTime
 * `YYMMDDHHMMSSZ` for years 1950-2049 and GeneralizedTime `YYYYMMDDHHMMSSZ` from 2050, always
 * in UTC with whole seconds. Any other form is not DER for a certificate and is refused.
 */
import { BaridError } from '../errors.js'

const UTC_TIME = 0x17
const GENERALIZED_TIME = 0x18

/**
 * Reads a Time (tag and contents) as a `Date`. Throws `ERR_CERT_MALFORMED`.
 *
 * @example
 * ```ts
 * readTime(0x17, new TextEncoder().encode('250101000000Z')) // 2025-01-01T00:00:00Z
 * ```
 */
export function readTime(tag: number, body: Uint8Array): Date {
  const text = String.fromCharCode(...body)
  let year: number
  let rest: string
  if (tag === UTC_TIME && /^\d{12}Z$/.test(text)) {
    const yy = Number(text.slice(0, 2))
    year = yy < 50 ? 2000 + yy : 1900 + yy
    rest = text.slice(2)
  } else if (tag === GENERALIZED_TIME && /^\d{14}Z$/.test(text)) {
    year = Number(text.slice(0, 4))
    // RFC 5280 section 4.1.2.5: dates through 2049 MUST be UTCTime.
    if (year < 2050) throw malformed('GeneralizedTime used for a year before 2050')
    rest = text.slice(4)
  } else {
    throw malformed('validity time is not UTCTime or GeneralizedTime in DER form')
  }
  const [mo, d, h, mi, s] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [
    number,
    number,
    number,
    number,
    number,
  ]
  const ms = Date.UTC(year, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  // Date.UTC rolls 31 February over into March; a real date reads back unchanged.
  if (
    mo < 1 ||
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    throw malformed('validity time is not a real date')
  }
  return back
}

function malformed(why: string): BaridError {
  return new BaridError('ERR_CERT_MALFORMED', `certificate: ${why}`)
}
