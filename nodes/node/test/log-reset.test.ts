/**
 * A node restored from a backup, and its transparency log (spec 15.8, 16.12): its witness proves
 * the fork the restore makes and stops cosigning; the federation's governance signs a reset with
 * `barid federation reset-log`; the operator installs it through the admin API; the witness then
 * cosigns the log as a new epoch, and goes on cosigning it as it grows. All over HTTP.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { backupNode } from '../src/ops/backup.js'
import { fromBase64Url, readEvidenceBundle, verifyCheckpoint } from '../src/core.js'
import { barid } from '../src/trust/barid-cli.js'
import { logKeyResolver } from '../src/transparency/log-keys.js'
import { sealFor } from './clients.js'
import {
  clientFetch,
  eventually,
  makeAgency,
  makeCitizen,
  restoredConfig,
  startPair,
} from './harness.js'

let dir: string | undefined
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('a log reset after a restore', () => {
  it('lets the witness cosign the restored log again, as a new epoch, only once the governance signed it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-log-reset-'))
    await using pair = await startPair({ config: { registered: { batchIntervalMs: 20 } } })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error(to.status)
    const eg = () => pair.nodes.eg.services.registered
    const witness = async () => (await pair.nodes.dk.services.registered.witnessAll())[0]!.outcome
    const send = async (n: number) => {
      const ids: string[] = []
      for (let i = 0; i < n; i++) {
        const l = await sealFor({
          from: { address: eta.address, keys: eta.keys },
          to: [{ address: to.address, keys: to }],
          kind: 'registered',
          subject: 'Notice',
          body: 'Body',
          lang: 'en',
        })
        await eta.client.submit(l.bytes)
        ids.push(l.id)
      }
      await eventually(async () => {
        await eg().runOnce()
        expect(await eg().log.backlog()).toBe(0)
      })
      return ids
    }
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await clientFetch(pair, 'eg')(`${pair.nodes.eg.url}${path}`, init)
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }
    const admin = { authorization: `Bearer ${pair.nodes.eg.services.keys.adminToken}` }
    const install = (reset: string) =>
      call('/v1/admin/log/resets', {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ reset }),
      })
    // The file as the CLI wrote it, posted as it is.
    const installFile = (bytes: Uint8Array<ArrayBuffer>) =>
      call('/v1/admin/log/resets', {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/cose' },
        body: bytes,
      })

    await send(2)
    expect((await witness()).status).toBe('cosigned')
    const target = join(dir, 'eg-backup')
    const manifest = await backupNode(pair.configs.eg, target)
    await send(3)
    expect(await witness()).toMatchObject({ status: 'cosigned', size: eg().log.size })
    const lostSize = eg().log.size
    expect(lostSize).toBeGreaterThan(manifest.log.size)

    // Post Egypt's disk is lost; the node comes back on the backup, at the same address.
    const old = pair.configs.eg
    await pair.stop('eg')
    pair.configs.eg = restoredConfig(old, target, { registered: { batchIntervalMs: 20 } })
    await new Promise((r) => setTimeout(r, 1100)) // its next checkpoint is signed a second later
    await pair.start('eg')
    expect(eg().log.size).toBe(manifest.log.size)
    await send(1)
    expect(await witness()).toMatchObject({ status: 'fork' })
    expect((await witness()).status).toBe('skipped')

    // The governance signs a reset for the tree the node holds now; the operator installs it.
    const { body: head } = await call('/v1/log/checkpoint')
    const size = head.size as number
    const { body: atSize } = await call(`/v1/log/root?size=${size}`)
    const root = Buffer.from(fromBase64Url(atSize.root as string)).toString('hex')
    const reason = `restored from the backup of ${new Date(manifest.takenAt).toISOString()}`
    const reset = async (epoch: number, r = root) =>
      (
        await pair.federation.federation([
          ...['reset-log', '--operator', 'post.eg', '--epoch', String(epoch)],
          ...['--size', String(size), '--root', r, '--reason', reason],
          ...['--out', join(dir!, `reset-${epoch}-${r}.cose`)],
        ])
      ).reset as string
    const good = await reset(1)
    // A reset naming a tree the node does not hold is refused.
    const elsewhere = await reset(2, 'ab'.repeat(32))
    expect(await install(elsewhere)).toMatchObject({
      status: 400,
      body: { error: { code: 'ERR_LOG_RESET_INVALID' } },
    })
    const installed = await installFile(await readFile(join(dir, `reset-1-${root}.cose`)))
    expect(installed).toMatchObject({ status: 201, body: { epoch: 1, size } })
    expect(await install(good)).toMatchObject({
      status: 400,
      body: { error: { code: 'ERR_LOG_RESET_INVALID' } },
    })
    expect(await installFile(new Uint8Array(2048))).toMatchObject({ status: 413 })
    const { body: listed } = await call('/v1/log/resets')
    expect(listed.resets).toMatchObject([{ epoch: 1, reset: good }])
    const { body: newest } = await call('/v1/log/checkpoint')
    const cp = await verifyCheckpoint(fromBase64Url(newest.checkpoint as string), {
      resolveKey: logKeyResolver(pair.nodes.eg.services),
    })
    expect([cp.epoch, cp.size, newest.epoch]).toEqual([1, size, 1])
    expect(head.epoch).toBe(0)

    expect(await witness()).toEqual({ status: 'cosigned', size })
    const [later] = await send(2)
    expect(await witness()).toEqual({ status: 'cosigned', size: size + 2 })
    // An auditor verifying a later letter's evidence offline is told the log was reset.
    const file = join(dir, 'bundle.cbor')
    await eventually(async () => {
      const res = await clientFetch(pair, 'eg')(
        `${pair.nodes.eg.url}/v1/sender/letters/${later}/evidence-bundle?recipient=${lars.address}`,
        { headers: { authorization: `Bearer ${eta.apiKey}` } },
      )
      const bytes = new Uint8Array(await res.arrayBuffer())
      const bundle = readEvidenceBundle(bytes)
      expect(bundle.log?.length).toBe(bundle.records.length)
      await writeFile(file, bytes)
    })
    const verified = await barid([
      ...['evidence', 'verify', file, '--trust-list', pair.federation.trustListFile],
      ...['--governance-key', pair.federation.governanceKeyFile],
    ])
    const logs = verified.log as { logId: string; epoch: number }[]
    expect(logs.find((l) => l.logId === 'post.eg')?.epoch).toBe(1)
    expect(logs.find((l) => l.logId === 'digitalpost.dk')?.epoch).toBe(0)
    // What happened stays on record: the fork statement is still served.
    const forks = await clientFetch(pair, 'dk')(`${pair.nodes.dk.url}/v1/log/forks`)
    expect(((await forks.json()) as { statements: unknown[] }).statements).toHaveLength(1)
  }, 60_000)
})
