import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SUSTAINABILITY } from '../registered/registered-config.js'
import { reportPeriod, sustainabilityReport } from './sustainability.js'

const DAY = 86_400_000
const period = { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 2, 3) }

describe('the sustainability report', () => {
  it('counts letters and computes paper and emissions from the profile’s factors', () => {
    const r = sustainabilityReport(
      'digitalpost.dk',
      period,
      [
        { day: period.from, digital: 1000, paper: 10, pages: 30, sheets: 30 },
        { day: period.from + DAY, digital: 0, paper: 2, pages: 4, sheets: 4 },
      ],
      { ...DEFAULT_SUSTAINABILITY, sheetsPerDigitalLetter: 2, sheetGrams: 5, envelopeGrams: 5 },
    )
    expect(r.letters).toEqual({ digital: 1000, paper: 12, total: 1012, digitalShare: 0.9881 })
    expect(r.printed).toMatchObject({ pages: 34, sheets: 34, paperKg: 0.23 })
    // 2,000 sheets and 1,000 envelopes of 5 g: 15 kg of paper not made, printed or carried.
    expect(r.avoided.sheets).toBe(2000)
    expect(r.avoided.paperKg).toBe(15)
    expect(r.avoided.transportKgCo2e).toBe(1000 * DEFAULT_SUSTAINABILITY.transportKgCo2ePerLetter)
    expect(r.avoided.netKgCo2e).toBeCloseTo(
      r.avoided.paperKgCo2e +
        r.avoided.printingKgCo2e +
        r.avoided.transportKgCo2e -
        r.avoided.digitalKgCo2e,
      2,
    )
    expect(r.days.map((d) => d.date)).toEqual(['2026-03-01', '2026-03-02'])
    expect(r.factors.sheetGrams?.estimate).toBe(false)
    expect(r.factors.transportKgCo2ePerLetter?.estimate).toBe(true)
  })

  it('never reports negative or non-finite figures for any counts and factors', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            digital: fc.nat(10_000),
            paper: fc.nat(1000),
            pages: fc.nat(5000),
            sheets: fc.nat(5000),
          }),
          { maxLength: 30 },
        ),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (days, factor) => {
          const r = sustainabilityReport(
            'post.eg',
            period,
            days.map((d, i) => ({ ...d, day: period.from + i * DAY })),
            { ...DEFAULT_SUSTAINABILITY, paperKgCo2ePerKg: factor, digitalKgCo2ePerLetter: 0 },
          )
          for (const v of [...Object.values(r.printed), ...Object.values(r.avoided)]) {
            expect(Number.isFinite(v)).toBe(true)
            expect(v).toBeGreaterThanOrEqual(0)
          }
        },
      ),
      { numRuns: 50 },
    )
  })

  it('reads periods as UTC dates, to exclusive, and refuses empty or over-long ones', () => {
    expect(reportPeriod({ from: '2026-03-01', to: '2026-03-03' }, 0)).toEqual(period)
    const d = reportPeriod({}, Date.UTC(2026, 2, 10, 12))
    expect(d.to - d.from).toBe(30 * DAY)
    for (const q of [
      { from: '2026-03-03', to: '2026-03-01' },
      { from: '2020-01-01', to: '2026-01-01' },
      { from: 'soon' },
    ])
      expect(() => reportPeriod(q, Date.now())).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
  })
})
