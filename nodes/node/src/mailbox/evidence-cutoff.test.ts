import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evidenceCutoff } from './evidence-cutoff.js'

const DAY = 86_400_000

/** The same UTC date and time `years` later; 29 February becomes 1 March in a common year. */
function anniversary(t: number, years: number): number {
  const d = new Date(t)
  d.setUTCFullYear(d.getUTCFullYear() + years)
  return d.getTime()
}

describe('evidence retention cutoff', () => {
  it('is the same UTC date and time the given number of calendar years before', () => {
    expect(evidenceCutoff(Date.parse('2035-06-01T12:34:56.789Z'), 10)).toBe(
      Date.parse('2025-06-01T12:34:56.789Z'),
    )
    expect(evidenceCutoff(Date.parse('2024-02-29T10:00:00Z'), 4)).toBe(
      Date.parse('2020-02-29T10:00:00Z'),
    )
    expect(evidenceCutoff(Date.parse('2025-03-01T00:00:00Z'), 1)).toBe(
      Date.parse('2024-03-01T00:00:00Z'),
    )
  })

  it('takes 28 February for a 29 February that the earlier year does not have', () => {
    expect(evidenceCutoff(Date.parse('2028-02-29T10:00:00Z'), 10)).toBe(
      Date.parse('2018-02-28T10:00:00Z'),
    )
    // The case a property run found: one year back from 29 February 2048.
    expect(evidenceCutoff(Date.parse('2048-02-29T00:00:00Z'), 1)).toBe(
      Date.parse('2047-02-28T00:00:00Z'),
    )
  })

  it('never lets a record go before its anniversary, and keeps it at most a day after', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('2000-01-01T00:00:00Z'),
          max: Date.parse('2200-01-01T00:00:00Z'),
        }),
        fc.integer({ min: 1, max: 100 }),
        (now, years) => {
          const cut = evidenceCutoff(now, years)
          // The latest record removed (issued just before the cutoff) is past its anniversary...
          expect(anniversary(cut - 1, years)).toBeLessThanOrEqual(now)
          // ...and the earliest kept (issued at the cutoff) is at most a day past it (exactly a
          // day on 29 February, whose cutoff is 28 February of a common year).
          expect(anniversary(cut, years)).toBeGreaterThanOrEqual(now - DAY)
        },
      ),
      { numRuns: 500 },
    )
  })
})
