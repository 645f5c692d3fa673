/**
 * Node key rotation without downtime, with real nodes on loopback (spec 21.4, 22): Egypt Post's
 * node rotates its key with `barid operator rotate-node` while it is delivering to Denmark; the
 * node publishes both keys at once, switches at the retirement time, Denmark takes requests
 * under the new key id (one refresh on the unknown kid), letters keep flowing, and what the old
 * key signed before its retirement keeps verifying, online and offline, while what it signs
 * afterwards is refused with ERR_KEY_RETIRED.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createEvidence,
  createEvidenceBundle,
  decodeStrict,
  fromBase64Url,
  importKeyPair,
  newLetterId,
  readEvidenceBundle,
  toBase64Url,
  type CborTag,
} from '../src/core.js'
import { verifyDiscoveryDocument } from '@barid/core'
import { exportEvidenceBundle } from '../src/evidence/evidence-bundle.js'
import { verifyPeerEvidence } from '../src/evidence/evidence-records.js'
import type { RunningNode } from '../src/node.js'
import { barid } from '../src/trust/barid-cli.js'
import { etaToLars, eventually, startPair } from './harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z')

function kidOf(record: Uint8Array): string {
  const t = decodeStrict(record, { tags: new Set([18]), maxBytes: 8192 }) as CborTag
  const prot = decodeStrict((t.value as Uint8Array[])[0]!) as Map<number, unknown>
  return toBase64Url(prot.get(4) as Uint8Array)
}

async function admin(node: RunningNode, method: string, path: string) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${node.services.keys.adminToken}` },
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('node key rotation (loopback)', () => {
  it('rotates a node key while letters flow, and keeps what the old key signed verifiable', async () => {
    await using pair = await startPair({
      listen: true,
      config: { trust: { discoveryCooldownSeconds: 1 } },
    })
    const { eta, lars, send } = await etaToLars(pair)
    const delivered = (id: string) =>
      eventually(async () => {
        const s = await eta.client.status(id)
        expect(s.recipients[0]!.state).toBe('delivered')
        expect(s.recipients[0]!.chain?.length).toBe(3)
        return { id, chain: s.recipients[0]!.chain!.map(fromBase64Url) }
      })
    const first = await delivered(await send('before the rotation'))

    const eg = pair.nodes.eg
    const dk = pair.nodes.dk.services
    const oldKid = eg.services.keys.request.kidBase64Url
    expect(kidOf(first.chain[0]!)).toBe(oldKid)

    // The operator rotates; the node is told through the admin API (SIGHUP does the same).
    const retireAt = Math.floor(Date.now() / 1000) + 2
    const rotated = await barid([
      'operator',
      'rotate-node',
      '--dir',
      pair.configs.eg.operatorDir,
      '--retire-at',
      String(retireAt),
    ])
    const newKid = rotated.kid as string
    const reload = await admin(eg, 'POST', '/v1/admin/node-keys/reload')
    expect(reload.status).toBe(200)
    expect(reload.body).toMatchObject({
      changed: true,
      signing: oldKid,
      keys: [{ kid: newKid }, { kid: oldKid, retired: iso(retireAt) }],
      certificate: { renewSoon: false },
    })

    // Both keys are published at once, signed by the key still in force.
    const res = await fetch(`${eg.url}/.well-known/barid-node`)
    const doc = await verifyDiscoveryDocument(new Uint8Array(await res.arrayBuffer()), {
      operator: 'post.eg',
      trust: dk.trust.held.store,
      now: Math.floor(Date.now() / 1000),
    })
    expect(doc.keys.map((k) => [toBase64Url(k.kid), k.retired])).toEqual([
      [newKid, undefined],
      [oldKid, retireAt],
    ])
    expect(toBase64Url(doc.signerKid)).toBe(oldKid)

    // Letters keep flowing across the switch.
    const ids: string[] = []
    while (Date.now() < (retireAt + 1) * 1000) {
      ids.push(await send(`letter ${ids.length}`))
      await sleep(200)
    }
    const flowed = await Promise.all(ids.map(delivered))
    const signers = flowed.map((l) => kidOf(l.chain[0]!))
    expect(signers).toContain(oldKid)
    expect(signers.at(-1)).toBe(newKid)
    // Never back to the old key once the new one signed.
    expect(signers.slice(signers.indexOf(newKid)).every((k) => k === newKid)).toBe(true)
    // Denmark took Egypt Post's requests under the new key id.
    expect((await dk.directory.requestKey(newKid))?.peer.operator).toBe('post.eg')
    expect(eg.services.keys.request.kidBase64Url).toBe(newKid)
    expect(kidOf(await eg.services.trust.discoveryDocument())).toBe(newKid)

    // What the old key signed before retiring verifies at Denmark ...
    for (const record of first.chain) await verifyPeerEvidence(dk, record, { letterId: first.id })
    // ... and offline, from a bundle the node exports after the rotation.
    const bytes = await exportEvidenceBundle(eg.services, first.id, lars.address)
    const file = join(pair.dir, 'bundle.cbor')
    await writeFile(file, bytes)
    const verifyOffline = (f: string) =>
      barid([
        'evidence',
        'verify',
        f,
        '--trust-list',
        pair.federation.trustListFile,
        '--governance-key',
        pair.federation.governanceKeyFile,
      ])
    const offline = await verifyOffline(file)
    expect((offline.records as { kid: string }[])[0]!.kid).toBe(oldKid)
    // The bundle carries the old key's retirement time (spec 21.7), for offline verifiers.
    const exported = readEvidenceBundle(bytes)
    expect(exported.retiredKeys?.map((k) => [toBase64Url(k.kid), k.retired])).toEqual([
      [oldKid, retireAt],
    ])

    // What the old key signs after its retirement is refused, at the peer and at home.
    const m = JSON.parse(
      await readFile(join(pair.configs.eg.operatorDir, 'node-keys.json'), 'utf8'),
    )
    const oldKey = await importKeyPair(
      JSON.parse(await readFile(join(pair.configs.eg.operatorDir, m.retired[0].key), 'utf8')),
      { use: 'sign' },
    )
    const late = await createEvidence({
      type: 'submission-accepted',
      letterId: newLetterId((retireAt + 1) * 1000),
      letterDigest: new Uint8Array(32).fill(7),
      issuer: 'post.eg',
      time: (retireAt + 1) * 1000,
      prev: null,
      key: oldKey,
    })
    for (const svc of [dk, eg.services])
      await expect(
        verifyPeerEvidence(svc, late.bytes, { issuer: 'post.eg' }),
      ).rejects.toMatchObject({ code: 'ERR_KEY_RETIRED' })
    // ... and offline, by the retirement time the node's bundle carries.
    const lateFile = join(pair.dir, 'late.cbor')
    await writeFile(
      lateFile,
      createEvidenceBundle({
        records: [late.bytes],
        certificates: exported.certificates,
        revocationLists: [],
        ...(exported.retiredKeys ? { retiredKeys: exported.retiredKeys } : {}),
      }),
    )
    await expect(verifyOffline(lateFile)).rejects.toMatchObject({ code: 'ERR_KEY_RETIRED' })
  })

  it('renews a certificate by rotation, picked up without a signal, and says how many days are left', async () => {
    await using pair = await startPair({
      listen: true,
      config: { trust: { reloadIntervalMs: 100 } },
    })
    const eg = pair.nodes.eg
    const daysLeft = async () => {
      const ready = (await (await fetch(`${eg.url}/readyz`)).json()) as {
        nodeCertificate: { daysLeft: number; renewSoon: boolean }
      }
      const metrics = await (await fetch(`${eg.url}/metrics`)).text()
      const gauge = /^barid_node_certificate_days_left (\d+)$/m.exec(metrics)?.[1]
      expect(Number(gauge)).toBe(ready.nodeCertificate.daysLeft)
      return ready.nodeCertificate
    }
    // Full days, rounded down: 364 or 365 for a certificate made a moment ago for 365 days.
    const year = { daysLeft: expect.toSatisfy((d: number) => d >= 364 && d <= 365) }
    expect(await daysLeft()).toMatchObject({ ...year, renewSoon: false })
    const rotate = (args: string[]) =>
      barid(['operator', 'rotate-node', '--dir', pair.configs.eg.operatorDir, ...args])
    // A short-lived certificate (as one close to its end would be) is reported for renewal ...
    const now = Math.floor(Date.now() / 1000)
    const short = await rotate(['--days', '20', '--retire-at', String(now)])
    await eventually(async () => expect(eg.services.keys.request.kidBase64Url).toBe(short.kid))
    expect(await daysLeft()).toMatchObject({
      daysLeft: expect.toSatisfy((d: number) => d >= 19 && d <= 20),
      renewSoon: true,
    })
    // ... and renewed by the next rotation, which the node finds by itself too.
    const renewed = await rotate(['--retire-at', String(now + 1)])
    await eventually(async () => expect(await daysLeft()).toMatchObject(year))
    const keys = await admin(eg, 'GET', '/v1/admin/node-keys')
    expect(keys.body).toMatchObject({
      keys: [
        { kid: renewed.kid },
        { kid: short.kid, retired: iso(now + 1) },
        { retired: iso(now) },
      ],
    })
    expect(await admin(eg, 'GET', '/v1/admin/node-keys').then((r) => r.status)).toBe(200)
    const anonymous = await fetch(`${eg.url}/v1/admin/node-keys/reload`, { method: 'POST' })
    expect(anonymous.status).toBe(401)
  })
})
