/**
 * The delivery engine's hold on a failing peer (spec 14.3): while digitalpost.dk is down,
 * post.eg tries it with growing gaps, not once for every new letter; when it is back, each
 * letter arrives once.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, it } from 'vitest'
import { clientFetch, etaToLars, eventually, startPair } from './harness.js'

it('a node whose peer is down tries it a few times with growing gaps, not once per new letter', async () => {
  // Attempts: an attempt with sender names first reads the peer's self-description (spec 11.3),
  // and one that cannot reach it goes no further.
  const transactions = { eg: 0 }
  await using pair = await startPair({
    wrapFetch: (side, f) => async (input, init) => {
      if (side === 'eg' && input.includes('/v1/federation/transactions/')) transactions.eg++
      else if (side === 'eg' && input.endsWith('/.well-known/barid')) transactions.eg++
      return f(input, init)
    },
    config: { delivery: { baseBackoffMs: 200, maxBackoffMs: 1000 } },
  })
  const { eta, lars, send } = await etaToLars(pair, { inProcess: true })

  await pair.stop('dk')
  const sent: string[] = []
  const t0 = Date.now()
  for (let i = 0; i < 40; i++) {
    sent.push(await send(`n${i}`, { kind: 'letter', body: `letter ${i}` }))
    await sleep(25)
  }
  const downMs = Date.now() - t0
  const whileDown = transactions.eg
  // Each letter is due at once and wakes the engine: without the hold, about one failed
  // transaction per letter. With it, one per hold, and holds grow towards a second.
  expect(whileDown).toBeGreaterThanOrEqual(2)
  expect(whileDown).toBeLessThanOrEqual(Math.max(6, Math.ceil(downMs / 150)))
  expect(whileDown).toBeLessThan(sent.length / 2)
  const held = async () => {
    const text = await (await clientFetch(pair, 'eg')(`${pair.nodes.eg.url}/metrics`)).text()
    const m = /^barid_peer_consecutive_failures\{peer="digitalpost.dk"\} (\d+)$/m.exec(text)
    return m ? Number(m[1]) : 0
  }
  expect(await held()).toBeGreaterThanOrEqual(1)

  await pair.start('dk')
  const listed = await eventually(async () => {
    const l = (await lars.client.list('/letters', 'limit=100')).letters
    expect(l).toHaveLength(sent.length)
    return l
  }, 15_000)
  expect(listed.map((l) => l.letterId).sort()).toEqual([...sent].sort())
  // The sending node learns each delivery from the answers (after the receiving node commits).
  await eventually(async () => {
    const statuses = await Promise.all(sent.map((id) => eta.client.status(id)))
    expect(statuses.map((s) => s.recipients[0]?.state)).toEqual(sent.map(() => 'delivered'))
  }, 5000)
  expect(await held()).toBe(0)
})

it('settles a held peer’s overdue letters as not delivered without waiting for the hold to end', async () => {
  // Holds and retries of at least 10 s; deadlines of 1 s, checked every idlePollMs (100 ms).
  await using pair = await startPair({
    config: { delivery: { baseBackoffMs: 100_000, maxBackoffMs: 100_000 } },
  })
  const { eta, send } = await etaToLars(pair, { inProcess: true })
  await pair.stop('dk')
  const id = await send('soon too late', { expiresInSeconds: 1 })
  const t0 = Date.now()
  const s = await eventually(async () => {
    const r = (await eta.client.status(id)).recipients[0]!
    expect(r.state).toBe('not-delivered')
    return r
  }, 8000)
  expect(Date.now() - t0).toBeLessThan(8000)
  expect(s.code).toBe('ERR_DELIVERY_EXPIRED')
  // With its evidence: the sender's node says so in a signed record.
  const types = (await pair.nodes.eg.services.storage.listEvidence(id)).map((e) => e.type)
  expect(types).toEqual(['submission-accepted', 'not-delivered'])
})
