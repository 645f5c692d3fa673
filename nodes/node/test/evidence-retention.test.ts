/**
 * Evidence retention (spec 15.4) on real nodes: Egypt Post sends registered letters to a Danish
 * citizen, who opens the first; the sender exports its evidence bundle; the nodes' test clocks
 * move on past `retention.evidenceYears` (here one year on both nodes), and each node's
 * retention job removes the first letter's records. The logs keep their hashes: the bundle
 * exported before still verifies offline, and the log still proves the records it names.
 */
import { describe, expect, it } from 'vitest'
import { readEvidenceBundle, toHex } from '../src/core.js'
import type { LookupResult } from '../src/directory/lookup.js'
import { evidenceChain } from '../src/letters/submit.js'
import { clockControl } from '../src/test-control/clock.js'
import type { Agency, Pair } from './harness.js'
import {
  clientFetch,
  eventually,
  makeAgency,
  makeCitizen,
  startPair,
  verifyBundleOffline,
} from './harness.js'
import { sealFor } from './clients.js'

const DAY = 86_400_000

async function sendRegistered(from: Agency, to: LookupResult & { status: 'active' }) {
  const sealed = await sealFor({
    from: { address: from.address, keys: from.keys },
    to: [{ address: to.address, keys: to }],
    kind: 'registered',
    subject: 'Afgørelse',
    body: 'Afgørelse om ejendomsvurdering.',
    lang: 'da',
    expiresInSeconds: 2 * 365 * 86_400,
  })
  await from.client.submit(sealed.bytes)
  await eventually(async () =>
    expect((await from.client.status(sealed.id)).recipients[0]!.state).toBe('delivered'),
  )
  return sealed.id
}

async function api(pair: Pair, side: 'eg' | 'dk', path: string, init: RequestInit = {}) {
  return clientFetch(pair, side)(`${pair.nodes[side].url}${path}`, init)
}

describe('evidence retention', () => {
  it('removes records past evidenceYears on both nodes, keeps the logs, and a bundle exported before still verifies offline', async () => {
    await using pair = await startPair({
      config: { testControlSecret: 'evidence-retention-test-control-secret-0123' },
    })
    // Both operators keep letters one day and evidence one year (the law of the test).
    for (const side of ['eg', 'dk'] as const) {
      const profile = pair.configs[side].profile
      pair.configs[side] = {
        ...pair.configs[side],
        profile: {
          ...profile,
          retention: { ...profile.retention, mailboxDays: 1, evidenceYears: 1 },
        },
      }
      await pair.stop(side)
      await pair.start(side)
    }
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    const sender = { authorization: `Bearer ${eta.apiKey}` }

    const old = await sendRegistered(eta, found)
    await lars.client.markOpened('/letters', old)
    const types = ['submission-accepted', 'relay-accepted', 'delivered', 'retrieved']
    const eg = pair.nodes.eg.services
    const dk = pair.nodes.dk.services
    await eventually(async () =>
      expect(
        evidenceChain(await eg.storage.listEvidence(old), lars.address).map((r) => r.type),
      ).toEqual(types),
    )
    // A second letter, stored after the first on both nodes, never opened.
    const later = await sendRegistered(eta, found)
    for (const svc of [eg, dk]) await svc.registered.runOnce()
    for (const svc of [dk, eg]) await svc.registered.witnessAll()

    // The sender takes its receipts, and exports the first letter's bundle.
    const pulled = (await (
      await api(pair, 'eg', '/v1/sender/receipts', { headers: sender })
    ).json()) as {
      receipts: { seq: number }[]
    }
    const ack = await api(pair, 'eg', '/v1/sender/receipts/ack', {
      method: 'POST',
      headers: { ...sender, 'content-type': 'application/json' },
      body: JSON.stringify({ through: pulled.receipts.at(-1)!.seq }),
    })
    expect(ack.status).toBe(200)
    const bundlePath = `/v1/sender/letters/${old}/evidence-bundle?recipient=${lars.address}`
    const exported = await api(pair, 'eg', bundlePath, { headers: sender })
    expect(exported.status).toBe(200)
    const bytes = new Uint8Array(await exported.arrayBuffer())
    expect(readEvidenceBundle(bytes).log).toHaveLength(4)
    expect(await verifyBundleOffline(pair, bytes)).toBe(0)
    const dkRecords = await dk.storage.listEvidence(old)
    expect(dkRecords.map((r) => r.type).sort()).toEqual([...types].sort())
    const logSizes = [eg.registered.log.size, dk.registered.log.size]
    const roots = [
      toHex(await eg.registered.log.root(logSizes[0]!)),
      toHex(await dk.registered.log.root(logSizes[1]!)),
    ]

    // 360 days later, inside the evidence period: no record goes.
    for (const svc of [eg, dk]) clockControl(svc.now)!.advance(360 * DAY)
    for (const svc of [eg, dk]) await svc.registered.runOnce()
    // (The mailboxes are emptied: both deadlines have passed, the first letter was retrieved.)
    expect(await pair.nodes.dk.retention.runOnce()).toMatchObject({
      entries: 2,
      evidence: { records: 0, more: false },
    })
    expect(await dk.storage.listEvidence(old)).toHaveLength(4)
    // Past it: the first letter's records go on both nodes, the second letter's are still held
    // (a record the Danish node issued at its deadline is on its way to the sender).
    for (const svc of [eg, dk]) clockControl(svc.now)!.advance(10 * DAY)
    for (const svc of [eg, dk]) await svc.registered.runOnce()
    const dkRun = await pair.nodes.dk.retention.runOnce()
    expect(dkRun).toMatchObject({ entries: 0, evidence: { records: 4, letters: 1, more: false } })
    const egRun = await pair.nodes.eg.retention.runOnce()
    expect(egRun.evidence).toMatchObject({ records: 4, letters: 1, receipts: 4, more: false })
    expect(await eg.storage.listEvidence(old)).toEqual([])
    expect(await dk.storage.listEvidence(old)).toEqual([])
    expect(await dk.storage.listEvidence(later)).not.toEqual([])
    expect(await dk.metrics.registry.render()).toContain(
      'barid_retention_purged_total{kind="evidence"} 4',
    )

    // The logs are as they were: same size and root, and they still prove the removed records.
    expect([eg.registered.log.size, dk.registered.log.size]).toEqual(logSizes)
    expect(toHex(await eg.registered.log.root(logSizes[0]!))).toBe(roots[0])
    expect(toHex(await dk.registered.log.root(logSizes[1]!))).toBe(roots[1])
    for (const r of dkRecords.filter((r) => r.issuer === 'digitalpost.dk')) {
      const res = await api(pair, 'dk', `/v1/log/inclusion?evidence=${r.id}`)
      expect(res.status).toBe(200)
    }
    // The bundle exported before verifies offline as it did; none can be exported now, and the
    // sender's status still gives the recipient's recorded state.
    expect(await verifyBundleOffline(pair, bytes)).toBe(0)
    const again = await api(pair, 'eg', bundlePath, { headers: sender })
    expect(again.status).toBe(404)
    const status = await eta.client.status(old)
    expect(status.recipients[0]!.state).toBe('delivered')
    expect(status.recipients[0]!.chain ?? []).toEqual([])
    // The letter is still a duplicate if submitted again: its identity stays.
    expect((await eg.storage.getLetter(old))?.id).toBe(old)
  })
})
