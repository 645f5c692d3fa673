import { createServer } from 'node:http'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../cli.js'
import type { SustainabilityReport } from '../core.js'
import { reportSvg } from './report.js'

const dir = await mkdtemp(join(tmpdir(), 'barid-report-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

const REPORT: SustainabilityReport = {
  operator: 'digitalpost.dk',
  period: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' },
  letters: { digital: 1200, paper: 30, total: 1230, digitalShare: 0.9756 },
  printed: { pages: 75, sheets: 75, paperKg: 0.524, kgCo2e: 1.232 },
  avoided: {
    sheets: 2400,
    paperKg: 17.976,
    paperKgCo2e: 16.538,
    printingKgCo2e: 4.8,
    transportKgCo2e: 24,
    digitalKgCo2e: 0.36,
    netKgCo2e: 44.978,
  },
  days: [
    { date: '2026-03-01', digital: 700, paper: 10, pages: 25 },
    { date: '2026-03-02', digital: 500, paper: 20, pages: 50 },
  ],
  factors: {
    sheetGrams: { value: 4.99, estimate: false },
    envelopeGrams: { value: 5, estimate: true },
  },
}

async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: dir,
  })
  return { code, stdout, stderr }
}

describe('barid report', () => {
  it('fetches a node’s report, prints it as a table and draws it as an SVG chart', async () => {
    let asked = ''
    const server = createServer((req, res) => {
      asked = req.url ?? ''
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(REPORT))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const port = (server.address() as { port: number }).port
      const r = await cli([
        'report',
        '--node',
        `http://127.0.0.1:${port}`,
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-03',
        '--svg',
        'chart.svg',
      ])
      expect(r.code, r.stderr).toBe(0)
      expect(asked).toBe('/v1/reports/sustainability?from=2026-03-01&to=2026-03-03')
      expect(r.stdout).toMatch(/Letters delivered digitally\s+1200/)
      expect(r.stdout).toMatch(/Net CO2e avoided \(kg\)\s+44\.978/)
      expect(r.stdout).toContain('Estimated factors: envelopeGrams')
      const svg = await readFile(join(dir, 'chart.svg'), 'utf8')
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
      expect(svg.match(/<rect /g)?.length).toBe(1 + 2 * 2 + 2)
    } finally {
      server.close()
    }
  })

  it('reads a saved report, and refuses what is not one', async () => {
    await writeFile(join(dir, 'saved.json'), JSON.stringify(REPORT))
    const r = await cli(['report', '--input', 'saved.json', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout.trim()).report.letters.paper).toBe(30)
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ hello: 1 }))
    expect((await cli(['report', '--input', 'bad.json'])).code).toBe(1)
    expect((await cli(['report'])).code).toBe(2)
    expect((await cli(['report', '--input', 'saved.json', '--from', 'March'])).code).toBe(2)
  })

  it('escapes text in the chart', () => {
    const svg = reportSvg({ ...REPORT, operator: '<script>"x"&' })
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;script&gt;&quot;x&quot;&amp;')
  })
})
