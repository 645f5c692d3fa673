/**
 * @module api/http-date
 * The HTTP-date of RFC 9110 5.6.7, read as a recipient must: the IMF-fixdate form, and the
 * obsolete RFC 850 and asctime forms. Strict otherwise: a peer's header is hostile input, and
 * `Date.parse` reads far more than HTTP allows (an asctime date without a zone in local time).
 */

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
const LONG_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const day = `(${DAYS.join('|')})`
const month = `(${MONTHS.join('|')})`
const time = '(\\d{2}):(\\d{2}):(\\d{2})'
const IMF_FIXDATE = new RegExp(`^${day}, (\\d{2}) ${month} (\\d{4}) ${time} GMT$`)
const RFC_850 = new RegExp(`^(${LONG_DAYS.join('|')}), (\\d{2})-${month}-(\\d{2}) ${time} GMT$`)
const ASCTIME = new RegExp(`^${day} ${month} ([ \\d]\\d) ${time} (\\d{4})$`)

/** Milliseconds since the epoch of the fields, or undefined when they name no instant. */
function utc(
  year: number,
  monthName: string,
  dayOfMonth: number,
  h: number,
  m: number,
  s: number,
): number | undefined {
  const mon = MONTHS.indexOf(monthName)
  if (h > 23 || m > 59 || s > 60) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, mon, dayOfMonth)
  date.setUTCHours(h, m, Math.min(s, 59), 0)
  // 31 Feb rolls over into March: not a date.
  if (date.getUTCMonth() !== mon || date.getUTCDate() !== dayOfMonth) return undefined
  return date.getTime()
}

/**
 * The instant an HTTP-date names, in milliseconds since the epoch, or undefined when `s` is not
 * one. A two-digit RFC 850 year is read as RFC 9110 says: more than 50 years after `now`, it is
 * the latest past year with those digits.
 *
 * @example
 * ```ts
 * parseHttpDate('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()) // 1445412480000
 * ```
 */
export function parseHttpDate(s: string, now: number): number | undefined {
  let m = IMF_FIXDATE.exec(s)
  if (m) return utc(Number(m[4]), m[3]!, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]))
  m = ASCTIME.exec(s)
  if (m) return utc(Number(m[7]), m[2]!, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  m = RFC_850.exec(s)
  if (!m) return undefined
  const thisYear = new Date(now).getUTCFullYear()
  let year = thisYear - (thisYear % 100) + Number(m[4])
  if (year > thisYear + 50) year -= 100
  return utc(year, m[3]!, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]))
}
