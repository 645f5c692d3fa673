import { describe, expect, it } from 'vitest'
import { sealFor } from './clients.js'
import { createLogger } from '../src/ops/logger.js'
import { startNode } from '../src/node.js'
import { clientFetch, eventually, makeAgency, makeCitizen, startPair } from './harness.js'

describe('operations', () => {
  it('reports health, readiness and the metrics of spec 15.3', async () => {
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error('lookup')
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      subject: 's',
      body: 'b',
      lang: 'en',
    })
    await eta.client.submit(l.bytes)
    await eventually(async () =>
      expect((await eta.client.status(l.id)).recipients[0]!.state).toBe('delivered'),
    )
    const f = clientFetch(pair, 'eg')
    const url = pair.nodes.eg.url
    expect(await (await f(`${url}/healthz`)).json()).toEqual({ status: 'ok' })
    expect((await f(`${url}/readyz`)).status).toBe(200)
    const text = await (await f(`${url}/metrics`)).text()
    for (const name of [
      'barid_letters_accepted_total{origin="local"} 1',
      'barid_letters_delivered_total{route="outbound"} 1',
      'barid_outbox_queue_depth{peer="digitalpost.dk"} 0',
      'barid_delivery_latency_seconds_count{route="federation"} 1',
      '# TYPE barid_letters_failed_total counter',
    ]) {
      expect(text).toContain(name)
    }
  })

  it('logs one JSON line per request with the route pattern, and never the API key or an identifier', async () => {
    const lines: string[] = []
    await using pair = await startPair()
    // a third node process-alike: restart eg with a capturing logger
    await pair.stop('eg')
    pair.nodes.eg = await startNode(pair.configs.eg, {
      listen: false,
      log: createLogger({ level: 'info', write: (l) => lines.push(l) }),
      fetch: pair.fetchOf.eg as typeof fetch,
    })
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const amina = await makeCitizen(pair, 'eg', 'amina', 'eg:nid:29001011234567')
    const to = await eta.client.lookup({ identifier: amina.identifier })
    if (to.status !== 'active') throw new Error('lookup')
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      subject: 's',
      body: 'b',
      lang: 'ar',
    })
    await eta.client.submit(l.bytes)
    await amina.client.fetchLetter('/letters', l.id)
    const parsed = lines.map((x) => JSON.parse(x) as Record<string, unknown>)
    const requests = parsed.filter((p) => p.msg === 'request')
    expect(requests.map((r) => r.route)).toContain('/v1/sender/letters')
    expect(requests.map((r) => r.route)).toContain('/v1/citizen/letters/:id')
    expect(requests.every((r) => typeof r.reqId === 'string' && typeof r.status === 'number')).toBe(
      true,
    )
    const audit = parsed.find((p) => p.audit === true)
    expect(audit).toMatchObject({ sender: 'eta', subject: expect.any(String) })
    const all = lines.join('\n')
    expect(all).not.toContain(eta.apiKey.split('.')[1]!)
    expect(all).not.toContain(amina.identifier)
    // letter ids may appear in operational lines (support traces them), but not in routes
    expect(requests.some((r) => String(r.route).includes(l.id))).toBe(false)
    expect(parsed.find((p) => p.msg === 'letter accepted')).toMatchObject({ letterId: l.id })
  })

  it('stops gracefully: readiness turns off, new API calls get ERR_UNAVAILABLE, the database closes', async () => {
    await using pair = await startPair()
    const node = pair.nodes.dk
    const stopping = node.stop()
    const ready = await node.app.request(`${node.url}/readyz`)
    expect(ready.status).toBe(503)
    const api = await node.app.request(`${node.url}/v1/citizen/me`)
    expect(api.status).toBe(503)
    expect((await api.json()).error.code).toBe('ERR_UNAVAILABLE')
    await stopping
    expect(await node.services.storage.ping()).toBe(false)
  })
})
