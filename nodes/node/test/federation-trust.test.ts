/**
 * The federation of trust with real nodes on loopback (spec 20-22): a withdrawn operator's new
 * letters are refused while what it signed before stays verifiable; a peer whose certificate
 * fails the chain is refused with the rule's code; discovery fetches nothing outside the trust
 * list and follows no redirect; a node never goes back to an older trust list, not even when
 * restarted with one.
 */
import { cp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createEvidenceBundle,
  fromBase64Url,
  readEvidenceBundle,
  verifyEvidenceWithTrust,
} from '../src/core.js'
import { issueEvidence, verifyPeerEvidence } from '../src/evidence/evidence-records.js'
import { fedRequest } from '../src/federation/federation-client.js'
import { barid } from '../src/trust/barid-cli.js'
import { createLocalFederation } from '../src/trust/local-federation.js'
import { etaToLars, eventually, makeAgency, startPair, type Pair, type Side } from './harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function offerList(pair: Pair, side: Side, file: string) {
  const node = pair.nodes[side]
  const res = await fetch(`${node.url}/v1/admin/trust-list`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${node.services.keys.adminToken}`,
      'content-type': 'application/barid-trust-list+cose',
    },
    body: await readFile(file),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function heldSequence(pair: Pair, side: Side): Promise<number> {
  const node = pair.nodes[side]
  const res = await fetch(`${node.url}/v1/admin/trust-list`, {
    headers: { authorization: `Bearer ${node.services.keys.adminToken}` },
  })
  return ((await res.json()) as { sequence: number }).sequence
}

describe('federation of trust (loopback)', () => {
  it("refuses a withdrawn operator's new letters, while the evidence it signed before still verifies", async () => {
    await using pair = await startPair({ listen: true })
    const { eta, lars, send } = await etaToLars(pair)
    const first = await send('before')
    const delivered = await eventually(async () => {
      const s = await eta.client.status(first)
      expect(s.recipients[0]!.state).toBe('delivered')
      expect(s.recipients[0]!.chain?.length).toBe(3)
      return s
    })

    // Governance withdraws Egypt Post from the next second on; Denmark gets the new list (Egypt
    // Post, not told, keeps sending).
    const effective = Math.floor(Date.now() / 1000) + 1
    await pair.federation.federation([
      'withdraw',
      '--operator',
      'post.eg',
      '--effective',
      String(effective),
    ])
    expect(await offerList(pair, 'dk', pair.federation.trustListFile)).toMatchObject({
      status: 200,
      body: { changed: true },
    })
    while (Date.now() < (effective + 1) * 1000) await sleep(50)

    const second = await send('after')
    await eventually(async () => {
      const s = await eta.client.status(second)
      expect(s.recipients[0]).toMatchObject({
        state: 'not-delivered',
        code: 'ERR_OPERATOR_WITHDRAWN',
      })
    })
    expect((await lars.client.list('/letters')).letters.map((l) => l.letterId)).toEqual([first])

    // What Egypt Post signed while a member still verifies at Denmark, online ...
    const dk = pair.nodes.dk.services
    const chain = delivered.recipients[0]!.chain!.map(fromBase64Url)
    for (const record of chain) await verifyPeerEvidence(dk, record, { letterId: first })
    // ... and offline, from an evidence bundle, against the list that withdrew it.
    const bundle = readEvidenceBundle(
      createEvidenceBundle({
        records: chain,
        certificates: [
          pair.nodes.eg.services.trust.credentials.nodeCertificate.der,
          dk.trust.credentials.nodeCertificate.der,
        ],
        revocationLists: [],
      }),
    )
    const trail = await verifyEvidenceWithTrust(bundle.records, {
      store: dk.trust.held.store,
      keys: { certificates: bundle.certificates },
    })
    expect(trail.map((v) => [v.record.type, v.record.issuer])).toEqual([
      ['submission-accepted', 'post.eg'],
      ['relay-accepted', 'digitalpost.dk'],
      ['delivered', 'digitalpost.dk'],
    ])
    // What it signs now does not.
    const late = await issueEvidence(pair.nodes.eg.services, {
      type: 'submission-accepted',
      letterId: second,
      letterDigest: delivered.digest,
      recipient: null,
      time: Date.now(),
    })
    await expect(verifyPeerEvidence(dk, late.record, { issuer: 'post.eg' })).rejects.toMatchObject({
      code: 'ERR_OPERATOR_WITHDRAWN',
    })
  })

  it('refuses a peer whose node certificate does not chain to a CA the trust list holds for it', async () => {
    await using pair = await startPair({ listen: true })
    // Egypt Post's node comes back with a key certified by a CA of its own making.
    const rogue = join(pair.dir, 'rogue')
    await createLocalFederation({
      dir: join(rogue, 'federation'),
      operators: [
        {
          profile: pair.configs.eg.profile,
          url: pair.nodes.eg.url,
          operatorDir: join(rogue, 'operator'),
        },
      ],
    })
    await pair.stop('eg')
    await rm(pair.configs.eg.operatorDir, { recursive: true })
    await cp(join(rogue, 'operator'), pair.configs.eg.operatorDir, { recursive: true })
    const eg = await pair.start('eg')
    const dkPeer = (await eg.services.directory.getPeer('digitalpost.dk'))!
    const r = await fedRequest(eg.services, dkPeer, {
      method: 'POST',
      path: '/v1/federation/directory/lookup',
      json: { address: 'lars@digitalpost.dk' },
    })
    expect([r.status, r.code]).toEqual([400, 'ERR_CERT_UNTRUSTED'])
  })

  it('refuses a peer whose node certificate its operator revoked', async () => {
    await using pair = await startPair({ listen: true })
    const dir = pair.configs.eg.operatorDir
    await barid(['operator', 'revoke', '--dir', dir, '--cert', join(dir, 'node.crt.pem')])
    const eg = pair.nodes.eg
    const dkPeer = (await eg.services.directory.getPeer('digitalpost.dk'))!
    const r = await fedRequest(eg.services, dkPeer, {
      method: 'POST',
      path: '/v1/federation/directory/lookup',
      json: { address: 'lars@digitalpost.dk' },
    })
    expect([r.status, r.code]).toEqual([400, 'ERR_CERT_REVOKED'])
  })

  it('fetches nothing outside the trust list and follows no redirect', async () => {
    const calls: string[] = []
    let redirect = false
    await using pair = await startPair({
      listen: true,
      wrapFetch: (side, f) => async (input, init) => {
        if (side !== 'dk') return f(input, init)
        calls.push(input)
        if (redirect && input.endsWith('/.well-known/barid-node'))
          return new Response(null, { status: 302, headers: { location: 'http://127.0.0.1:9/' } })
        return f(input, init)
      },
    })
    const dk = pair.nodes.dk.services
    const egUrl = pair.nodes.eg.url
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      `http://127.0.0.1:1/.well-known/barid-node`,
      `${egUrl}@evil.example/.well-known/barid-node`,
      `${egUrl}/..%2f..%2f/.well-known/barid-node`,
    ]) {
      await expect(dk.trust.discovery.fetchDocument('post.eg', url)).rejects.toMatchObject({
        code: 'ERR_DISCOVERY_URL_REFUSED',
      })
    }
    // A mailbox at an operator outside the list is unknown: nothing is asked of its "node".
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    expect(await skat.client.lookup({ address: 'someone@evil.example' })).toEqual({
      status: 'unknown',
      operator: 'evil.example',
    })
    expect(calls).toEqual([])
    redirect = true
    await expect(dk.trust.discovery.document('post.eg')).rejects.toMatchObject({
      code: 'ERR_DISCOVERY_REDIRECT',
    })
    expect(calls).toEqual([`${egUrl}/.well-known/barid-node`])
  })

  it('never goes back to an older trust list, not even when restarted with one', async () => {
    await using pair = await startPair({ listen: true })
    const start = await heldSequence(pair, 'dk')
    await pair.federation.federation(['reissue'])
    const older = join(pair.federation.dir, 'lists', `${String(start + 1).padStart(6, '0')}.cose`)
    await pair.federation.federation(['reissue'])
    expect(await offerList(pair, 'dk', pair.federation.trustListFile)).toMatchObject({
      status: 200,
      body: { changed: true, sequence: start + 2 },
    })
    expect(await offerList(pair, 'dk', older)).toMatchObject({
      status: 409,
      body: { error: { code: 'ERR_TRUST_LIST_ROLLBACK' } },
    })
    // Restarted with the older list as its configured file, the node keeps the newer one.
    await pair.stop('dk')
    pair.configs.dk.trust.listFile = older
    await pair.start('dk')
    expect(await heldSequence(pair, 'dk')).toBe(start + 2)
    const served = await fetch(`${pair.nodes.dk.url}/.well-known/barid-trust-list`)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(
      new Uint8Array(await readFile(pair.federation.trustListFile)),
    )
  })
})
