/**
 * @module commands/report
 * `barid report`: an operator's sustainability report (spec 17.8), fetched from a node's
 * `GET /v1/reports/sustainability` or read from a saved JSON answer, printed as a table, and
 * drawn as an SVG bar chart of letters delivered digitally and on paper per day.
 */
import { optional, type Command } from '../command.js'
import { BaridError, parseSustainabilityReport, type SustainabilityReport } from '../core.js'
import { UsageError } from '../errors.js'
import { readJson, resolvePath, writePublic } from '../files.js'

async function fetchReport(
  node: string,
  from?: string,
  to?: string,
): Promise<SustainabilityReport> {
  let url: URL
  try {
    url = new URL('/v1/reports/sustainability', node)
  } catch {
    throw new UsageError('--node must be a URL')
  }
  if (from) url.searchParams.set('from', from)
  if (to) url.searchParams.set('to', to)
  let res: Response
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(30_000) })
  } catch {
    throw new BaridError('ERR_PEER_UNAVAILABLE', `the node at ${url.origin} did not answer`)
  }
  const text = await res.text()
  if (!res.ok) throw new BaridError('ERR_PEER_UNAVAILABLE', `the node answered ${res.status}`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'the node did not answer JSON')
  }
  return parseSustainabilityReport(json)
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

/**
 * A stacked bar chart (digital, paper) per day, as a standalone SVG document.
 *
 * @example
 * ```ts
 * await writeFile('report.svg', reportSvg(report))
 * ```
 */
export function reportSvg(r: SustainabilityReport): string {
  const W = 720
  const H = 360
  const left = 56
  const bottom = 300
  const top = 60
  const days = r.days
  const max = Math.max(1, ...days.map((d) => d.digital + d.paper))
  const slot = days.length === 0 ? 1 : (W - left - 16) / days.length
  const bar = Math.max(1, Math.min(24, slot * 0.7))
  const y = (v: number) => bottom - ((bottom - top) * v) / max
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`Letters delivered by ${r.operator}`)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${esc(`${r.operator}: letters delivered, ${r.period.from.slice(0, 10)} to ${r.period.to.slice(0, 10)}`)}</text>`,
    `<text x="${left}" y="42">${esc(`${r.letters.digital} digital, ${r.letters.paper} on paper; net ${r.avoided.netKgCo2e} kg CO2e avoided (estimates: see spec 17.8)`)}</text>`,
    `<line x1="${left}" y1="${bottom}" x2="${W - 8}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${left - 6}" y="${y(max) + 4}" text-anchor="end">${max}</text>`,
    `<text x="${left - 6}" y="${bottom + 4}" text-anchor="end">0</text>`,
  ]
  days.forEach((d, i) => {
    const x = left + 8 + i * slot
    const yd = y(d.digital)
    const yp = y(d.digital + d.paper)
    out.push(
      `<rect x="${x.toFixed(1)}" y="${yd.toFixed(1)}" width="${bar.toFixed(1)}" height="${(bottom - yd).toFixed(1)}" fill="#2b7bb9"><title>${esc(`${d.date}: ${d.digital} digital`)}</title></rect>`,
      `<rect x="${x.toFixed(1)}" y="${yp.toFixed(1)}" width="${bar.toFixed(1)}" height="${(yd - yp).toFixed(1)}" fill="#e08a2c"><title>${esc(`${d.date}: ${d.paper} on paper`)}</title></rect>`,
    )
    if (days.length <= 16 || i % Math.ceil(days.length / 16) === 0)
      out.push(
        `<text x="${(x + bar / 2).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${esc(d.date.slice(5))}</text>`,
      )
  })
  out.push(
    `<rect x="${W - 180}" y="${H - 28}" width="10" height="10" fill="#2b7bb9"/><text x="${W - 165}" y="${H - 19}">digital</text>`,
    `<rect x="${W - 100}" y="${H - 28}" width="10" height="10" fill="#e08a2c"/><text x="${W - 85}" y="${H - 19}">paper</text>`,
    '</svg>',
  )
  return out.join('\n') + '\n'
}

function table(r: SustainabilityReport): string[] {
  const rows: [string, string][] = [
    ['Letters delivered digitally', String(r.letters.digital)],
    ['Letters delivered on paper', String(r.letters.paper)],
    ['Digital share', `${(r.letters.digitalShare * 100).toFixed(1)} %`],
    ['Pages printed', String(r.printed.pages)],
    ['Paper printed (kg)', String(r.printed.paperKg)],
    ['Sheets avoided', String(r.avoided.sheets)],
    ['Paper avoided (kg)', String(r.avoided.paperKg)],
    ['Paper CO2e avoided (kg)', String(r.avoided.paperKgCo2e)],
    ['Printing CO2e avoided (kg)', String(r.avoided.printingKgCo2e)],
    ['Transport CO2e avoided (kg)', String(r.avoided.transportKgCo2e)],
    ['Digital delivery CO2e (kg)', `-${r.avoided.digitalKgCo2e}`],
    ['Net CO2e avoided (kg)', String(r.avoided.netKgCo2e)],
  ]
  const w = Math.max(...rows.map(([k]) => k.length))
  const estimates = Object.entries(r.factors ?? {})
    .filter(([, f]) => f.estimate)
    .map(([k]) => k)
  return [
    `Sustainability report of ${r.operator}, ${r.period.from} to ${r.period.to}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v.padStart(12)}`),
    `  Estimated factors: ${estimates.join(', ') || 'none'} (sources: spec 17.8)`,
  ]
}

export const report: Command = {
  name: ['report'],
  summary: 'Show an operator’s sustainability report (table, and an SVG chart)',
  help: `Usage: barid report (--node URL | --input FILE) [options]

Fetches GET /v1/reports/sustainability from a node (spec 17.8), or reads a saved answer, and
prints the letters delivered digitally and on paper, the pages and paper printed, and the paper,
printing and transport emissions avoided, net of the digital deliveries' own. The factors are
the operator profile's; the spec gives their sources and marks which are estimates.

Options:
      --node URL      The node's base URL.
      --input FILE    A saved report (JSON) instead of --node.
      --from DATE     First day (YYYY-MM-DD, UTC); default 30 days before --to.
      --to DATE       Day after the last (exclusive); default tomorrow.
      --svg FILE      Also write a bar chart of the letters per day (SVG).`,
  options: {
    node: { type: 'string' },
    input: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    svg: { type: 'string' },
  },
  async run(ctx, values) {
    const node = optional(values, 'node')
    const input = optional(values, 'input')
    if ((node === undefined) === (input === undefined))
      throw new UsageError('give exactly one of --node and --input')
    for (const k of ['from', 'to']) {
      const v = optional(values, k)
      if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v))
        throw new UsageError(`--${k} must be a date, YYYY-MM-DD`)
    }
    const r =
      input !== undefined
        ? parseSustainabilityReport(await readJson(resolvePath(ctx.cwd, input)))
        : await fetchReport(node!, optional(values, 'from'), optional(values, 'to'))
    const svg = optional(values, 'svg')
    if (svg !== undefined)
      await writePublic(resolvePath(ctx.cwd, svg), reportSvg(r), { replace: true })
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: true, report: r, ...(svg === undefined ? {} : { svg }) }))
      return
    }
    for (const line of table(r)) ctx.out(line)
    if (svg !== undefined) ctx.out(`  chart written to ${svg}`)
  },
}
