import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../config/profile.js'
import { resolveConfig } from '../config/config.js'
import { createLogger } from '../ops/logger.js'
import { createNodeMetrics } from '../ops/metrics.js'
import type { NodeServices } from '../services.js'
import { createDiskBlobStore } from '../storage/blob-store.js'
import { createSqliteStorage } from '../storage/sqlite-storage.js'
import { adjustableClock, clockControl } from '../test-control/clock.js'
import { createRetentionWorker } from './retention-worker.js'

const DAY = 86_400_000
const work = await mkdtemp(join(tmpdir(), 'barid-retention-worker-'))
afterAll(() => rm(work, { recursive: true, force: true }))
const profile = await loadProfile(fileURLToPath(new URL('../../../denmark', import.meta.url)))

/** The parts of a node the worker uses, real ones, on a SQLite file and a blob directory. */
async function parts(name: string, letters: number) {
  const dir = join(work, name)
  const config = resolveConfig(
    { ...profile, retention: { ...profile.retention, mailboxDays: 30 } },
    { dataDir: dir },
  )
  const storage = createSqliteStorage({ file: join(work, `${name}.db`) })
  const blobs = createDiskBlobStore(config.blobDir)
  const lines: Record<string, unknown>[] = []
  // A clock that moves only when the test moves it.
  const now = adjustableClock(() => 1_800_000_000_000)
  const svc = {
    config,
    storage,
    blobs,
    metrics: createNodeMetrics(async () => []),
    log: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l)) }),
    now,
  } as Pick<NodeServices, 'config' | 'storage' | 'blobs' | 'metrics' | 'log' | 'now'>
  const mb = await storage.createMailbox({
    address: 'a@digitalpost.dk',
    kind: 'person',
    createdAt: now(),
  })
  for (let i = 0; i < letters; i++) {
    const body = new Uint8Array([i % 256, 1, 2, 3])
    const blob = await blobs.put(new Blob([body]).stream(), { maxBytes: 100 })
    await storage.putBlob(blob.digest, blob.size, now())
    await storage.writeLetter({
      letter: {
        id: `L${i}`,
        digest: 'd'.repeat(64),
        senderAddress: 'tax@post.eg',
        senderKid: 'kid',
        kind: 'letter',
        createdAt: now(),
        expiresAt: null,
        threadId: null,
        replyTo: null,
        lang: null,
        origin: 'post.eg',
        receivedAt: now(),
        size: 4,
        attachments: [blob],
      },
      bytes: body,
      recipients: [],
      deliveries: [{ mailboxId: mb.id, address: mb.address, evidence: [] }],
      outbox: [],
      evidence: [],
    })
  }
  const fed = await storage.deliveriesAfter(0, 10_000)
  await storage.applyDeliveryPlan({
    from: 0,
    to: fed.at(-1)?.position ?? 0,
    at: now(),
    deadlines: [],
    printJobs: [],
    notifications: [],
  })
  return {
    svc: svc as NodeServices,
    storage,
    blobs,
    lines,
    mailbox: mb.id,
    clock: clockControl(now)!,
  }
}

describe('mailbox retention worker', () => {
  it('removes letters past mailboxDays in bounded steps, deletes their blob files, and reports progress in logs and metrics', async () => {
    const p = await parts('steps', 12)
    const worker = createRetentionWorker(p.svc, { step: 5, maxSteps: 2 })
    const digests = (await p.storage.listMailbox(p.mailbox, { limit: 50 })).map(
      (e) => e.letter.attachments[0]!.digest,
    )
    expect(await worker.runOnce()).toMatchObject({ entries: 0, steps: 1, more: false })
    p.clock.advance(30 * DAY + 1)
    expect(await worker.runOnce()).toMatchObject({ entries: 10, steps: 2, more: true })
    expect(await worker.runOnce()).toMatchObject({ entries: 2, letters: 2, blobs: 2, more: false })
    expect(await p.storage.listMailbox(p.mailbox, { limit: 50 })).toEqual([])
    for (const d of digests) expect(await p.blobs.size(d)).toBeUndefined()
    const text = await p.svc.metrics.registry.render()
    expect(text).toContain('barid_retention_purged_total{kind="entries"} 12')
    expect(text).toContain('barid_retention_purged_total{kind="blobs"} 12')
    expect(text).toContain('barid_retention_runs_total{outcome="partial"} 1')
    const logged = p.lines.filter((l) => l.msg === 'mailbox retention' && l.level === 'info')
    expect(logged.map((l) => l.entries)).toEqual([10, 2])
    await worker.stop()
    await p.storage.close()
  })

  it('keeps a letter one millisecond inside its retention period', async () => {
    const p = await parts('edge', 1)
    const worker = createRetentionWorker(p.svc)
    p.clock.advance(30 * DAY)
    expect((await worker.runOnce()).entries).toBe(0)
    p.clock.advance(1)
    expect((await worker.runOnce()).entries).toBe(1)
    await worker.stop()
    await p.storage.close()
  })

  it('stops after the step in flight when the node shuts down, and runs on its timer until then', async () => {
    const p = await parts('stop', 40)
    p.clock.advance(31 * DAY)
    const worker = createRetentionWorker(p.svc, { step: 1, maxSteps: 1000 })
    const run = worker.runOnce()
    await new Promise((r) => setImmediate(r))
    await worker.stop()
    const r = await run
    expect(r.more).toBe(true)
    expect(r.steps).toBeLessThan(40)
    expect(await worker.runOnce()).toMatchObject({ steps: 0, more: true })
    expect((await p.storage.listMailbox(p.mailbox, { limit: 50 })).length).toBe(40 - r.entries)

    const timed = createRetentionWorker(p.svc, { firstRunMs: 0, intervalMs: 10, step: 7 })
    timed.start()
    await expect
      .poll(async () => (await p.storage.listMailbox(p.mailbox, { limit: 50 })).length)
      .toBe(0)
    await timed.stop()
    await p.storage.close()
  })
})

describe('evidence retention in the retention worker', () => {
  /** Records of letters `ids`, issued at `at`, read by the evidence feed (so logged). */
  async function records(p: Awaited<ReturnType<typeof parts>>, ids: string[], at: number) {
    await p.storage.addEvidence(
      ids.map((id) => ({
        id: `${id}.submission-accepted`,
        letterId: id,
        recipient: null,
        type: 'submission-accepted',
        issuer: 'digitalpost.dk',
        issuedAt: at,
        prev: null,
        record: new TextEncoder().encode(id),
      })),
    )
    const from = await p.storage.feedPosition('evidence')
    await p.storage.commitLog(null, [], { from, to: await p.storage.evidenceHead() }, [], at)
  }
  const left = async (p: Awaited<ReturnType<typeof parts>>, ids: string[]) => {
    const out: string[] = []
    for (const id of ids) if ((await p.storage.listEvidence(id)).length > 0) out.push(id)
    return out
  }

  it('removes evidence past evidenceYears in bounded steps after the mailboxes, resumes its pass where a run stopped, and reports it in logs and metrics', async () => {
    const p = await parts('evidence', 0)
    const issued = p.svc.now()
    // A letter held by a delivery not yet made, at the front of the pass; five free ones behind.
    await p.storage.scheduleDeliveries([
      { letterId: 'H', mailboxId: p.mailbox, address: 'a@digitalpost.dk', visibleAt: 4e12 },
    ])
    await records(p, ['H'], issued - 1)
    await records(p, ['E0', 'E1', 'E2', 'E3', 'E4'], issued)
    await records(p, ['young'], issued + 30 * DAY)
    const worker = createRetentionWorker(p.svc, { step: 2, maxSteps: 1 })
    expect((await worker.runOnce()).evidence).toMatchObject({ records: 0, more: false })

    p.clock.advance(Date.parse('2037-02-01T00:00:00Z') - p.svc.now())
    const runs = []
    for (let i = 0; i < 4; i++) runs.push(await worker.runOnce())
    // Each run goes on after the last: the held letter at the front is met once per pass.
    expect(runs.map((r) => [r.evidence.records, r.evidence.more, r.more])).toEqual([
      [1, true, true],
      [2, true, true],
      [2, true, true],
      [0, false, false],
    ])
    expect(runs[0]!.evidence.cutoff).toBe(Date.parse('2027-02-01T00:00:00Z'))
    expect(await left(p, ['H', 'E0', 'E1', 'E2', 'E3', 'E4', 'young'])).toEqual(['H', 'young'])
    const text = await p.svc.metrics.registry.render()
    expect(text).toContain('barid_retention_purged_total{kind="evidence"} 5')
    expect(text).toContain('barid_retention_runs_total{outcome="partial"} 3')
    const logged = p.lines.filter((l) => l.msg === 'evidence retention' && l.level === 'info')
    expect(logged.map((l) => l.records)).toEqual([1, 2, 2])
    expect(logged[0]).toMatchObject({ cutoff: '2027-02-01T00:00:00.000Z', more: true })
    await worker.stop()
    await p.storage.close()
  })

  it('keeps a record until its tenth anniversary (calendar years, UTC) has passed', async () => {
    const p = await parts('evidence-edge', 0)
    const issued = p.svc.now() // 2027-01-15T08:00:00Z
    await records(p, ['L'], issued)
    await records(p, ['young'], issued + 3650 * 2 * DAY)
    const worker = createRetentionWorker(p.svc)
    // Ten years of 365 days, and the three leap days in between: the anniversary, not yet past.
    p.clock.advance(Date.parse('2037-01-15T08:00:00Z') - issued)
    expect((await worker.runOnce()).evidence.records).toBe(0)
    p.clock.advance(1)
    expect((await worker.runOnce()).evidence.records).toBe(1)
    await worker.stop()
    await p.storage.close()
  })
})
