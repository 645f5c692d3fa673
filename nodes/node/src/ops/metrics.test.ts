/**
 * The exposition text of the metrics registry (spec 15.3): a labelled metric without samples
 * shows no sample without its labels, and whatever the label values, every line parses in the
 * Prometheus text format and gives back the values that were counted.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMetrics, createNodeMetrics } from './metrics.js'

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*'
// A label value: anything but a quote, a backslash or a line feed, which are escaped.
const VALUE = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*'
const PAIR = `(${LABEL})="(${VALUE})"`
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${PAIR}(?:,${PAIR})*)\\})? (\\S+)$`)
const COMMENT = new RegExp(`^# (?:HELP (${NAME}) [^\\n]*|TYPE (${NAME}) (counter|gauge|histogram))$`)
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|Inf)|NaN)$/

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c))

/**
 * Parses exposition text line by line, failing the test on a line that is not a comment or a
 * sample of the family the last TYPE line named.
 */
function parse(text: string): Sample[] {
  expect(text.endsWith('\n')).toBe(true)
  const samples: Sample[] = []
  let family: { name: string; type: string } | undefined
  for (const line of text.slice(0, -1).split('\n')) {
    const c = COMMENT.exec(line)
    if (c) {
      if (c[2] !== undefined) family = { name: c[2], type: c[3]! }
      continue
    }
    const m = SAMPLE.exec(line)
    expect(m, `not a sample line: ${JSON.stringify(line)}`).not.toBeNull()
    const [, name, set = '', , , , , value] = m!
    expect(family, `sample before any TYPE: ${line}`).toBeDefined()
    const suffixes = family!.type === 'histogram' ? ['_bucket', '_sum', '_count'] : ['']
    expect(suffixes.map((s) => family!.name + s)).toContain(name)
    expect(value).toMatch(NUMBER)
    const labels: Record<string, string> = {}
    for (const p of set.matchAll(new RegExp(PAIR, 'g'))) {
      expect(labels).not.toHaveProperty(p[1]!)
      labels[p[1]!] = unescape(p[2]!)
    }
    samples.push({ name: name!, labels, value: Number(value) })
  }
  return samples
}

describe('the metrics exposition', () => {
  it('shows only HELP and TYPE for a labelled counter without samples, and 0 for an unlabelled one', async () => {
    const m = createMetrics()
    m.counter('demo_failed_total', 'Failures, by code', ['code'])
    m.counter('demo_runs_total', 'Runs')
    expect(await m.render()).toBe(
      [
        '# HELP demo_failed_total Failures, by code',
        '# TYPE demo_failed_total counter',
        '# HELP demo_runs_total Runs',
        '# TYPE demo_runs_total counter',
        'demo_runs_total 0',
        '',
      ].join('\n'),
    )
  })

  it('shows a labelled counter once incremented, with its labels only', async () => {
    const m = createMetrics()
    m.counter('demo_failed_total', 'Failures, by code', ['code']).inc({ code: 'ERR_X' }, 2)
    expect(parse(await m.render())).toEqual([
      { name: 'demo_failed_total', labels: { code: 'ERR_X' }, value: 2 },
    ])
  })

  it('has no sample without labels for a counter of the node before it counts anything', async () => {
    const metrics = createNodeMetrics(async () => [])
    const text = await metrics.registry.render()
    for (const name of [
      'barid_letters_accepted_total',
      'barid_letters_delivered_total',
      'barid_letters_failed_total',
      'barid_federation_transactions_total',
      'barid_http_requests_total',
      'barid_store_faults_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} counter\n`)
      expect(parse(text).filter((s) => s.name === name)).toEqual([])
    }
  })

  it('parses line by line in the text format and gives back every label value and count', async () => {
    // Label values with what must be escaped (quote, backslash, line feed) and any code point.
    const special = fc.constantFrom('"', '\\', '\n', '\r', '\\n', '{', '}', ',', '=', ' ', 'é')
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: special, maxLength: 8 }),
      fc.string({ unit: fc.oneof(special, fc.string({ unit: 'grapheme', maxLength: 1 })) }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(value, value, fc.integer({ min: 1, max: 5 })), { maxLength: 8 }),
        fc.array(fc.tuple(value, fc.nat(1000)), { maxLength: 5 }),
        fc.array(fc.tuple(value, fc.double({ min: 0, max: 100, noNaN: true })), { maxLength: 5 }),
        async (counted, gauged, observed) => {
          const m = createMetrics()
          const c = m.counter('demo_transactions_total', 'By peer and outcome', ['peer', 'outcome'])
          m.counter('demo_idle_total', 'Never counted', ['code'])
          for (const [peer, outcome, by] of counted) c.inc({ peer, outcome }, by)
          const gauge = new Map(gauged)
          m.gauge('demo_depth', 'By peer', async () =>
            [...gauge].map(([peer, v]) => ({ labels: { peer }, value: v })),
          )
          const h = m.histogram('demo_latency_seconds', 'By route', [0.5, 10])
          for (const [route, v] of observed) h.observe(v, { route })

          const samples = parse(await m.render())
          const expected = new Map<string, number>()
          for (const [peer, outcome, by] of counted) {
            const k = JSON.stringify({ peer, outcome })
            expected.set(k, (expected.get(k) ?? 0) + by)
          }
          const got = samples.filter((s) => s.name === 'demo_transactions_total')
          expect(new Map(got.map((s) => [JSON.stringify(s.labels), s.value]))).toEqual(expected)
          expect(samples.filter((s) => s.name === 'demo_idle_total')).toEqual([])
          expect(
            samples.filter((s) => s.name === 'demo_depth').map((s) => [s.labels.peer, s.value]),
          ).toEqual([...gauge])
          const counts = samples.filter((s) => s.name === 'demo_latency_seconds_count')
          expect(counts.map((s) => s.labels.route).sort()).toEqual(
            [...new Set(observed.map(([r]) => r))].sort(),
          )
          for (const b of samples.filter((s) => s.name === 'demo_latency_seconds_bucket'))
            expect(['0.5', '10', '+Inf']).toContain(b.labels.le)
        },
      ),
      { numRuns: 200 },
    )
  })
})
