/**
 * @module reports/sustainability
 * The sustainability report (spec 17.8): for one operator and period, the letters delivered
 * digitally and on paper, the pages and paper printed, and the paper, printing and transport
 * emissions the digital deliveries avoided, net of an estimate of their own. Every factor comes
 * from the operator profile; the spec gives each default's source and marks estimates.
 */
import { BaridError, MAX_REPORT_DAYS, type SustainabilityReport } from '../core.js'
import type { SustainabilityFactors } from '../registered/registered-config.js'
import type { DeliveryCounts } from '../storage/registered-types.js'

const DAY = 86_400_000

/** Which factors are estimates rather than derived from a standard (spec 17.8). */
export const FACTOR_ESTIMATES: Record<keyof SustainabilityFactors, boolean> = {
  sheetGrams: false,
  envelopeGrams: true,
  sheetsPerDigitalLetter: true,
  paperKgCo2ePerKg: true,
  printingKgCo2ePerPage: true,
  transportKgCo2ePerLetter: true,
  digitalKgCo2ePerLetter: true,
}

export type { SustainabilityReport }

const round = (v: number, places = 3) => Math.round(v * 10 ** places) / 10 ** places

/**
 * Parses the period of a report request: `from` and `to` as dates (`2026-03-01`, UTC) or RFC
 * 3339 times, `to` exclusive; default the 30 days before `now`.
 *
 * @example
 * ```ts
 * const { from, to } = reportPeriod({ from: '2026-01-01', to: '2026-02-01' }, Date.now())
 * ```
 */
export function reportPeriod(
  q: { from?: string | undefined; to?: string | undefined },
  now: number,
): { from: number; to: number } {
  const parse = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined
    const t =
      v.length <= 40 ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v) : NaN
    if (!Number.isFinite(t)) throw new BaridError('ERR_INVALID_ARGUMENT', `${name} must be a date`)
    return t
  }
  const to = parse(q.to, 'to') ?? Math.floor(now / DAY) * DAY + DAY
  const from = parse(q.from, 'from') ?? to - 30 * DAY
  if (from >= to || to - from > MAX_REPORT_DAYS * DAY)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `the period must be a positive span of at most ${MAX_REPORT_DAYS} days`,
    )
  return { from, to }
}

/**
 * Computes the report from the per-day counts.
 *
 * @example
 * ```ts
 * const r = sustainabilityReport('post.eg', period, await storage.deliveryCounts(period.from, period.to), factors)
 * ```
 */
export function sustainabilityReport(
  operator: string,
  period: { from: number; to: number },
  counts: readonly DeliveryCounts[],
  f: SustainabilityFactors,
): SustainabilityReport {
  const sum = (k: keyof Omit<DeliveryCounts, 'day'>) => counts.reduce((s, d) => s + d[k], 0)
  const digital = sum('digital')
  const paper = sum('paper')
  const pages = sum('pages')
  const sheets = sum('sheets')
  const printedKg = (sheets * f.sheetGrams + paper * f.envelopeGrams) / 1000
  const avoidedSheets = digital * f.sheetsPerDigitalLetter
  const avoidedKg = (avoidedSheets * f.sheetGrams + digital * f.envelopeGrams) / 1000
  const paperCo2 = avoidedKg * f.paperKgCo2ePerKg
  const printingCo2 = avoidedSheets * f.printingKgCo2ePerPage
  const transportCo2 = digital * f.transportKgCo2ePerLetter
  const digitalCo2 = digital * f.digitalKgCo2ePerLetter
  const factors = Object.fromEntries(
    (Object.keys(f) as (keyof SustainabilityFactors)[]).map((k) => [
      k,
      { value: f[k], estimate: FACTOR_ESTIMATES[k] },
    ]),
  ) as SustainabilityReport['factors']
  return {
    operator,
    period: { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() },
    letters: {
      digital,
      paper,
      total: digital + paper,
      digitalShare: digital + paper === 0 ? 0 : round(digital / (digital + paper), 4),
    },
    printed: {
      pages,
      sheets,
      paperKg: round(printedKg),
      kgCo2e: round(
        printedKg * f.paperKgCo2ePerKg +
          pages * f.printingKgCo2ePerPage +
          paper * f.transportKgCo2ePerLetter,
      ),
    },
    avoided: {
      sheets: avoidedSheets,
      paperKg: round(avoidedKg),
      paperKgCo2e: round(paperCo2),
      printingKgCo2e: round(printingCo2),
      transportKgCo2e: round(transportCo2),
      digitalKgCo2e: round(digitalCo2),
      netKgCo2e: round(paperCo2 + printingCo2 + transportCo2 - digitalCo2),
    },
    days: counts.map((d) => ({
      date: new Date(d.day).toISOString().slice(0, 10),
      digital: d.digital,
      paper: d.paper,
      pages: d.pages,
    })),
    factors,
  }
}
