/**
 * What a node remembers of the federation, with real nodes on loopback: while its trust list is
 * stale it does not start talking to an operator it never exchanged with, in either direction,
 * but goes on with those it did, even after a restart (spec 20.6); and the keys of an operator
 * that left stay known across a restart, so the evidence it signed as a member still verifies
 * (spec 22.7).
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fromBase64Url } from '../src/core.js'
import { verifyPeerEvidence } from '../src/evidence/evidence-records.js'
import { fedRequest } from '../src/federation/federation-client.js'
import { clockControl } from '../src/test-control/clock.js'
import { sealFor } from './clients.js'
import { eventually, makeAgency, makeCitizen, startPair, type Pair, type Side } from './harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const SECRET = 'test-control-secret-for-the-trust-memory-tests'
/** Past the list's next-update (7 days after issue) but within the maximum staleness (72 h). */
const INTO_STALENESS = (7 * 24 + 1) * 3600_000

const lookup = (pair: Pair, from: Side) => {
  const svc = pair.nodes[from].services
  return async () =>
    fedRequest(svc, (await svc.directory.getPeer(from === 'eg' ? 'digitalpost.dk' : 'post.eg'))!, {
      method: 'POST',
      path: '/v1/federation/directory/lookup',
      json: { address: from === 'eg' ? 'nobody@digitalpost.dk' : 'nobody@post.eg' },
    })
}

describe('trust memory (loopback)', () => {
  it('makes no first contact while its trust list is stale, and keeps the peers it exchanged with, across a restart', async () => {
    const sent: string[] = []
    await using pair = await startPair({
      listen: true,
      config: { testControlSecret: SECRET },
      wrapFetch: (side, f) => async (input, init) => {
        if (side === 'eg') sent.push(input)
        return f(input, init)
      },
    })
    const advance = (side: Side) =>
      clockControl(pair.nodes[side].services.now)!.advance(INTO_STALENESS)

    // Never exchanged with Denmark, and the list goes stale: nothing is sent.
    advance('eg')
    expect(pair.nodes.eg.services.trust.held.store.freshness().state).toBe('stale')
    await expect(lookup(pair, 'eg')()).rejects.toMatchObject({ code: 'ERR_TRUST_LIST_STALE' })
    expect(sent).toEqual([])
    // A sender's directory lookup through the node is refused the same way, and retryable.
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax', fetch)
    await expect(eta.client.lookup({ address: 'lars@digitalpost.dk' })).rejects.toMatchObject({
      code: 'ERR_TRUST_LIST_STALE',
      details: { status: 503 },
    })
    expect(sent).toEqual([])

    // Once they have exchanged while the list was fresh, a stale list does not stop them.
    clockControl(pair.nodes.eg.services.now)!.reset()
    expect((await lookup(pair, 'eg')()).status).toBe(200)
    advance('eg')
    advance('dk')
    expect((await lookup(pair, 'eg')()).status).toBe(200)
    expect((await lookup(pair, 'dk')()).status).toBe(200)

    // Remembered across a restart.
    await pair.stop('eg')
    await pair.start('eg')
    advance('eg')
    expect(pair.nodes.eg.services.trust.held.store.freshness().state).toBe('stale')
    expect((await lookup(pair, 'eg')()).status).toBe(200)
  })

  it("still verifies a withdrawn operator's earlier evidence after a restart, from the keys it remembered", async () => {
    await using pair = await startPair({ listen: true })
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax', fetch)
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234', fetch)
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error('lookup')
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: 'registered',
      subject: 's',
      body: 'b',
      lang: 'en',
    })
    await eta.client.submit(l.bytes)
    const chain = await eventually(async () => {
      const s = await eta.client.status(l.id)
      expect(s.recipients[0]!.chain?.length).toBe(3)
      return s.recipients[0]!.chain!.map(fromBase64Url)
    })
    const submitted = chain[0]!

    const effective = Math.floor(Date.now() / 1000) + 1
    await pair.federation.federation([
      'withdraw',
      '--operator',
      'post.eg',
      '--effective',
      String(effective),
    ])
    while (Date.now() < (effective + 1) * 1000) await sleep(50)
    // Denmark restarts, reads the new list, and can no longer fetch Egypt Post's document.
    await pair.stop('dk')
    await pair.start('dk')
    const dk = pair.nodes.dk.services
    expect(dk.trust.held.store.stateAt('post.eg')).toBe('withdrawn')
    await expect(verifyPeerEvidence(dk, submitted, { letterId: l.id })).resolves.toMatchObject({
      issuer: 'post.eg',
    })

    // Without what it remembered, the key could not be found at all.
    await pair.stop('dk')
    await rm(join(pair.configs.dk.dataDir, 'trust', 'peers.json'))
    await pair.start('dk')
    await expect(
      verifyPeerEvidence(pair.nodes.dk.services, submitted, { letterId: l.id }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
  })
})
