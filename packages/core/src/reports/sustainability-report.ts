/**
 * @module reports/sustainability-report
 * The sustainability report as a node answers `GET /v1/reports/sustainability` (spec 17.8): one
 * shape for the node that writes it and every tool that reads it, and a strict reader that
 * refuses anything else before a caller draws or sums it.
 */
import { BaridError } from '../errors.js'

/** Letters, paper and CO2e of one operator over one period (spec 17.8). */
export interface SustainabilityReport {
  operator: string
  /** RFC 3339 times, `to` exclusive. */
  period: { from: string; to: string }
  letters: { digital: number; paper: number; total: number; digitalShare: number }
  printed: { pages: number; sheets: number; paperKg: number; kgCo2e: number }
  avoided: {
    sheets: number
    paperKg: number
    paperKgCo2e: number
    printingKgCo2e: number
    transportKgCo2e: number
    /** Emissions of the digital deliveries themselves (subtracted). */
    digitalKgCo2e: number
    netKgCo2e: number
  }
  /** One entry per UTC day of the period, oldest first. */
  days: { date: string; digital: number; paper: number; pages: number }[]
  /** Each factor used, and whether it is the reference estimate or the operator's own figure. */
  factors: Record<string, { value: number; estimate: boolean }>
}

/** A report covers a period of at most this many days (spec 17.8). */
export const MAX_REPORT_DAYS = 366
/** Day entries of the longest period (a period not on day boundaries touches one more day). */
const MAX_DAY_ENTRIES = MAX_REPORT_DAYS + 1
const MAX_FACTORS = 64

type Obj = Record<string, unknown>

function fail(what: string): never {
  throw new BaridError('ERR_INVALID_ARGUMENT', `not a sustainability report (spec 17.8): ${what}`)
}

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} is not an object`)
  return v as Obj
}

function num(o: Obj, key: string, what: string): number {
  const v = o[key]
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what}.${key} is not a finite number`)
  return v
}

function str(o: Obj, key: string, what: string, max = 256): string {
  const v = o[key]
  if (typeof v !== 'string' || v.length > max) fail(`${what}.${key} is not a string`)
  return v
}

function nums<K extends string>(o: Obj, keys: readonly K[], what: string): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, num(o, k, what)])) as Record<K, number>
}

/**
 * Reads a decoded JSON value as a sustainability report, keeping only the fields of the shape
 * and refusing missing or mistyped ones, non-finite numbers and more day entries than the longest period has.
 *
 * @example
 * ```ts
 * const report = parseSustainabilityReport(await (await fetch(url)).json())
 * ```
 */
export function parseSustainabilityReport(value: unknown): SustainabilityReport {
  const r = obj(value, 'the report')
  const period = obj(r.period, 'period')
  const days = r.days
  if (!Array.isArray(days) || days.length > MAX_DAY_ENTRIES)
    fail(`days is not a list of at most ${MAX_DAY_ENTRIES}`)
  const factors = obj(r.factors, 'factors')
  const factorEntries = Object.entries(factors)
  if (factorEntries.length > MAX_FACTORS) fail('too many factors')
  return {
    operator: str(r, 'operator', 'report'),
    period: { from: str(period, 'from', 'period'), to: str(period, 'to', 'period') },
    letters: nums(
      obj(r.letters, 'letters'),
      ['digital', 'paper', 'total', 'digitalShare'],
      'letters',
    ),
    printed: nums(obj(r.printed, 'printed'), ['pages', 'sheets', 'paperKg', 'kgCo2e'], 'printed'),
    avoided: nums(
      obj(r.avoided, 'avoided'),
      [
        'sheets',
        'paperKg',
        'paperKgCo2e',
        'printingKgCo2e',
        'transportKgCo2e',
        'digitalKgCo2e',
        'netKgCo2e',
      ],
      'avoided',
    ),
    days: days.map((d, i) => {
      const day = obj(d, `days[${i}]`)
      return { date: str(day, 'date', `days[${i}]`, 10), ...nums(day, ['digital', 'paper', 'pages'], `days[${i}]`) }
    }),
    factors: Object.fromEntries(
      factorEntries.map(([k, v]) => {
        const f = obj(v, `factors.${k}`)
        if (typeof f.estimate !== 'boolean') fail(`factors.${k}.estimate is not a boolean`)
        return [k, { value: num(f, 'value', `factors.${k}`), estimate: f.estimate }]
      }),
    ),
  }
}
