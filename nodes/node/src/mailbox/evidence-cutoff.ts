/**
 * @module mailbox/evidence-cutoff
 * The cutoff of evidence retention (spec 15.4): a record is kept for `retention.evidenceYears`
 * calendar years (UTC) from its issue time, the way retention periods are written in law ("ten
 * years"), rather than years of 365.25 days, which can end half a day before the anniversary.
 */

/**
 * The instant `years` calendar years (UTC) before `now`: records issued before it are past
 * their period. On 29 February the cutoff is 28 February of a common year, so that no record is
 * removed before its anniversary, and a record issued on 29 February is removable from 1 March
 * of a common year at the latest.
 *
 * @example
 * ```ts
 * evidenceCutoff(Date.parse('2035-06-01T12:00:00Z'), 10) === Date.parse('2025-06-01T12:00:00Z')
 * ```
 */
export function evidenceCutoff(now: number, years: number): number {
  const at = new Date(now)
  const year = at.getUTCFullYear() - years
  const month = at.getUTCMonth()
  const cut = new Date(now)
  // Day 1 first, so that setting the year never rolls 29 February over into March.
  cut.setUTCDate(1)
  cut.setUTCFullYear(year)
  const daysInMonth = new Date(Date.UTC(2000, month + 1, 0)).getUTCDate()
  const lastDay = month === 1 && !isLeap(year) ? 28 : daysInMonth
  cut.setUTCDate(Math.min(at.getUTCDate(), lastDay))
  return cut.getTime()
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}
