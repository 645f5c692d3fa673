import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { parseSustainabilityReport, type SustainabilityReport } from './sustainability-report.js'

const n = fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e9 })
const report: fc.Arbitrary<SustainabilityReport> = fc.record({
  operator: fc.string({ maxLength: 40 }),
  period: fc.record({ from: fc.string({ maxLength: 30 }), to: fc.string({ maxLength: 30 }) }),
  letters: fc.record({ digital: n, paper: n, total: n, digitalShare: n }),
  printed: fc.record({ pages: n, sheets: n, paperKg: n, kgCo2e: n }),
  avoided: fc.record({
    sheets: n,
    paperKg: n,
    paperKgCo2e: n,
    printingKgCo2e: n,
    transportKgCo2e: n,
    digitalKgCo2e: n,
    netKgCo2e: n,
  }),
  days: fc.array(
    fc.record({ date: fc.string({ maxLength: 10 }), digital: n, paper: n, pages: n }),
    { maxLength: 5 },
  ),
  factors: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== '__proto__'),
    fc.record({ value: n, estimate: fc.boolean() }),
    { maxKeys: 6 },
  ),
})

describe('parseSustainabilityReport', () => {
  it('reads back every report it is given through JSON', () => {
    fc.assert(
      fc.property(report, (r) => {
        expect(parseSustainabilityReport(JSON.parse(JSON.stringify(r)))).toEqual(r)
      }),
      { numRuns: 100 },
    )
  })

  it('refuses any report with one field removed or mistyped, with a typed error', () => {
    // Each path with a value of the wrong kind for it (beside undefined, null and true).
    const paths: [string[], unknown][] = [
      [['operator'], 42],
      [['period', 'to'], 42],
      [['letters', 'paper'], 'x'],
      [['printed', 'sheets'], 'x'],
      [['avoided', 'netKgCo2e'], 'x'],
      [['days'], 'x'],
      [['factors'], 'x'],
    ]
    fc.assert(
      fc.property(
        report,
        fc.constantFrom(...paths),
        fc.integer({ min: 0, max: 3 }),
        (r, [path, wrong], pick) => {
          const bad = [undefined, null, true, wrong][pick]
          const copy = JSON.parse(JSON.stringify(r)) as Record<string, unknown>
          let at = copy
          for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>
          at[path.at(-1)!] = bad
          let code: string | undefined
          try {
            parseSustainabilityReport(copy)
          } catch (e) {
            code = e instanceof BaridError ? e.code : 'not typed'
          }
          expect(code).toBe('ERR_INVALID_ARGUMENT')
        },
      ),
      { numRuns: 100 },
    )
  })

  it('refuses a report with more days than the longest period and non-finite figures', () => {
    const base = fc.sample(report, { numRuns: 1, seed: 7 })[0]!
    const long = { ...base, days: Array.from({ length: 368 }, () => base.days[0] ?? { date: 'd', digital: 0, paper: 0, pages: 0 }) }
    expect(() => parseSustainabilityReport(long)).toThrow(BaridError)
    const inf = JSON.parse(JSON.stringify(base)) as SustainabilityReport
    ;(inf.letters as { total: unknown }).total = '1e999'
    expect(() => parseSustainabilityReport(inf)).toThrow(/letters\.total/)
  })

  it('never throws anything but a typed error on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          parseSustainabilityReport(v)
        } catch (e) {
          expect(e).toBeInstanceOf(BaridError)
        }
      }),
      { numRuns: 200 },
    )
  })
})
