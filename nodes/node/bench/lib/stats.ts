/**
 * @module bench/lib/stats
 * Percentiles and the report lines of the benchmark (each figure with its target and PASS or
 * MISS).
 */

/** The `p`-quantile (0..1) of `sorted` (ascending), nearest rank. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[i]!
}

/** p50, p99 and max of `values` (any order). */
export function summary(values: readonly number[]): {
  p50: number
  p99: number
  max: number
  n: number
} {
  const s = [...values].sort((a, b) => a - b)
  return {
    p50: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    max: s[s.length - 1] ?? Number.NaN,
    n: s.length,
  }
}

/** One verdict of the run. */
export interface Verdict {
  name: string
  value: string
  target: string
  pass: boolean
}

/** `value` formatted with `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
}

export function say(line = ''): void {
  process.stdout.write(line + '\n')
}

/** Prints the verdicts as a table. */
export function printVerdicts(verdicts: readonly Verdict[]): void {
  const w = Math.max(...verdicts.map((v) => v.name.length))
  const wv = Math.max(...verdicts.map((v) => v.value.length))
  for (const v of verdicts)
    say(
      `  ${v.name.padEnd(w)}  ${v.value.padStart(wv)}   target ${v.target.padEnd(12)} ${v.pass ? 'PASS' : 'MISS'}`,
    )
}
