/**
 * @module address/calendar
 * Birth dates embedded in national identifiers: proleptic Gregorian calendar checks and the
 * "not in the future" rule (`spec/03-addresses.md` section 3.5). Dates are calendar dates with no
 * time zone, written `YYYY-MM-DD` (RFC 3339 full-date).
 */
import { BaridError } from '../errors.js'

const DAY_MS = 86_400_000

/** Options shared by every identifier parser that checks a date. */
export interface IdentifierDateOptions {
  /** The current time, for the "birth date not in the future" rule. Default: the system clock. */
  now?: Date | number
}

/** Days in `month` (1-12) of `year`, Gregorian leap-year rule. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** True when (year, month, day) is a real calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

/** Reads `now` as epoch milliseconds; throws `ERR_INVALID_ARGUMENT` for an invalid value. */
export function nowMs(options: IdentifierDateOptions): number {
  const now = options.now ?? Date.now()
  const ms = typeof now === 'number' ? now : now instanceof Date ? now.getTime() : Number.NaN
  if (!Number.isFinite(ms)) throw new BaridError('ERR_INVALID_ARGUMENT', 'now must be a valid time')
  return ms
}

/**
 * Checks a birth date and returns it as `YYYY-MM-DD`. Throws `ERR_IDENTIFIER_DATE` if it is not a
 * calendar date or lies after the day following `now`'s UTC date (the extra day absorbs the time
 * zones of the issuing countries: a child born just after midnight in Cairo is still "yesterday"
 * in UTC).
 */
export function checkBirthDate(
  scheme: string,
  year: number,
  month: number,
  day: number,
  options: IdentifierDateOptions,
): string {
  if (!isCalendarDate(year, month, day)) {
    throw new BaridError('ERR_IDENTIFIER_DATE', `${scheme} identifier embeds an impossible date`, {
      details: { scheme },
    })
  }
  const now = new Date(nowMs(options))
  const latest = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS
  if (Date.UTC(year, month - 1, day) > latest) {
    throw new BaridError('ERR_IDENTIFIER_DATE', `${scheme} identifier embeds a future birth date`, {
      details: { scheme },
    })
  }
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}
