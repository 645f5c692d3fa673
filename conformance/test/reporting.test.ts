/**
 * What a run reports when it is not a clean, complete pass (spec 30.6), against two reference
 * nodes started as processes, node A as the `accept-replay` mutant: a run filtered by `--only`
 * is partial, never conformant; a failed check shows what was sent and what came back; a node
 * that stops answering fails every check that needed it, SHOULD checks included, and the
 * failure names the node and the request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReferencePair, type ReferencePair } from '../src/launcher/reference-nodes.js'
import { markdownReport } from '../src/report/markdown.js'
import { terminalSummary } from '../src/report/terminal.js'
import { runSuite } from '../src/suite.js'
import { createWorld, type World } from '../src/world/world.js'

describe('reports of partial and failing runs', () => {
  let pair: ReferencePair
  let world: World

  beforeAll(async () => {
    pair = await startReferencePair({ mutant: 'accept-replay' })
    world = await createWorld(pair)
  }, 120_000)

  afterAll(async () => {
    await world?.close()
    await pair?.close()
  })

  it('labels a run filtered by --only as partial, not conformant, though no check failed', async () => {
    const report = await runSuite({ ...pair, world, only: ['discovery'], runs: 1 })
    expect(report.summary.fail).toBe(0)
    expect(report.partial).toBe(true)
    expect(report.suite.selected).toEqual(['discovery'])
    expect(report.suite.checksRun).toBe(report.results.length)
    expect(report.suite.checksRun).toBeLessThan(report.suite.checksTotal)
    const { checksRun, checksTotal } = report.suite
    const partial = `no check failed (partial: ${checksRun} of ${checksTotal} checks)`
    const terminal = terminalSummary(report)
    expect(terminal).toContain(`RESULT: ${partial}`)
    expect(terminal).not.toContain('conformant')
    const md = markdownReport(report)
    expect(md).toContain(`**Result: ${partial}.**`)
    expect(md).toContain('**Partial run**')
    expect(md).not.toContain('conformant')
  })

  it('refuses an --only entry that selects no check before touching the nodes', async () => {
    await expect(runSuite({ ...pair, world, only: ['no.such.check'] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })

  it('shows the request and the answer of a failed check, secrets masked', async () => {
    const report = await runSuite({ ...pair, world, only: ['fed.sig.replay'], runs: 1 })
    const r = report.results[0]!
    expect(r.status).toBe('fail')
    expect(r.request).toMatchObject({
      target: `node A (${pair.nodeA})`,
      method: 'POST',
      url: `${pair.nodeA}/v1/federation/directory/lookup`,
    })
    expect(r.request!.headers['signature-input']).toMatch(/^barid=\("@method"/)
    expect(r.request!.body).toContain('address')
    expect(r.response?.status).toBe(200)
    const terminal = terminalSummary(report)
    expect(terminal).toContain(
      `request: node A (${pair.nodeA}): POST ${pair.nodeA}/v1/federation/directory/lookup`,
    )
    expect(terminal).toContain('response: HTTP 200')
    expect(markdownReport(report)).toContain('POST ' + `${pair.nodeA}/v1/federation/directory`)
    expect(JSON.stringify(report)).not.toContain(pair.secret)
  })

  it('fails SHOULD checks too when the nodes stop answering, naming node and request', async () => {
    await pair.close()
    const report = await runSuite({
      ...pair,
      world,
      only: ['fed.sig.window', 'log.inclusion-latency', 'log.resets'],
      runs: 1,
    })
    expect(report.results.map((r) => [r.id, r.level, r.status])).toEqual([
      ['fed.sig.window', 'SHOULD', 'fail'],
      ['log.inclusion-latency', 'SHOULD', 'fail'],
      ['log.resets', 'SHOULD', 'fail'],
    ])
    for (const r of report.results) {
      expect(r.message).toMatch(
        /^node [AB] \(http:\/\/127\.0\.0\.1:\d+\): [A-Z]+ http:\S+: ECONNREFUSED/,
      )
      expect(r.transportError).toMatch(/^ECONNREFUSED/)
      expect(r.request?.method).toMatch(/^(GET|POST|PUT)$/)
      expect(r.response).toBeUndefined()
    }
    expect(report.passed).toBe(false)
  })
})
