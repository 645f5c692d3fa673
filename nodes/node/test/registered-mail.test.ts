/**
 * Registered mail between two real nodes (spec 16, 17): the evidence lifecycle by category, the
 * transparency log and witnessing, the receipt queue, an evidence bundle verified offline by the
 * real `barid evidence verify`, delayed visibility, the paper channel, failed notifications, and
 * the sustainability report.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '@barid/cli'
import {
  importPublicJwk,
  readEvidenceBundle,
  sealLetter,
  verifyEvidenceChain,
} from '../src/core.js'
import type { LookupResult } from '../src/directory/lookup.js'
import { readPdfText } from '../src/paper/pdf-text-reader.js'
import { deadlineStep } from '../src/registered/deadlines.js'
import type { NodeServices } from '../src/services.js'
import type { Agency } from './harness.js'
import {
  clientFetch,
  eventually,
  makeAgency,
  makeCitizen,
  startPair,
  type Pair,
} from './harness.js'

const DAY = 86_400_000
const work = await mkdtemp(join(tmpdir(), 'barid-registered-'))
afterAll(() => rm(work, { recursive: true, force: true }))

const FAST = {
  registered: {
    batchIntervalMs: 20,
    notifications: { retryScheduleMs: [10, 10], webhookUrl: 'http://notify.invalid/hook' },
  },
}

interface Terms {
  category?: 'registered' | 'proof-of-receipt' | 'service-of-process'
  visibleFrom?: number
  title?: string
  replyBy?: number
  /** The letter's language (default `da`). */
  lang?: string
}

async function sealRegistered(
  from: Agency,
  to: LookupResult & { status: 'active' },
  terms: Terms,
  body = 'Afgørelse om ejendomsvurdering.\nDu kan klage inden 4 uger.',
  past = false,
) {
  const keys = []
  for (const k of to.keys.filter((k) => k.use === 'enc')) {
    const h = await importPublicJwk(k.jwk, { use: 'encrypt' })
    keys.push({ publicKey: h.publicKey, kid: h.kid })
  }
  return sealLetter({
    ...(past ? { now: Date.now() - 2 * DAY, expires: Math.floor((Date.now() - DAY) / 1000) } : {}),
    sender: {
      address: from.address,
      signingKey: from.keys.sign.privateKey,
      kid: from.keys.sign.kid,
      encryptionKey: { publicKey: from.keys.enc.publicKey, kid: from.keys.enc.kid },
    },
    recipients: [{ address: to.address, keys }],
    kind: 'registered',
    contentType: 'text/plain; charset=utf-8',
    lang: 'da',
    subject: 'Afgørelse',
    body: new TextEncoder().encode(body),
    ...terms,
  })
}

async function api<T>(
  pair: Pair,
  side: 'eg' | 'dk',
  path: string,
  init: RequestInit = {},
): Promise<T> {
  const res = await clientFetch(pair, side)(`${pair.nodes[side].url}${path}`, init)
  const text = await res.text()
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

const sender = (a: Agency) => ({ authorization: `Bearer ${a.apiKey}` })
const admin = (pair: Pair, side: 'eg' | 'dk') => ({
  authorization: `Bearer ${pair.nodes[side].services.keys.adminToken}`,
  'content-type': 'application/json',
})

async function chainTypes(svc: NodeServices, letterId: string, recipient: string) {
  const { evidenceChain } = await import('../src/letters/submit.js')
  return evidenceChain(await svc.storage.listEvidence(letterId), recipient).map((r) => r.type)
}

/** Runs `barid` in-process; returns the exit code and its JSON answer. */
async function barid(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  let out = ''
  const code = await runCli([...args, '--json'], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (out += s),
    cwd: work,
  })
  const line = out
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('{'))
  if (line === undefined) throw new Error(out)
  return { code, json: JSON.parse(line) as Record<string, unknown> }
}

/** Lars Jensen asks the Danish node to notify him through its webhook gateway (spec 17.7). */
async function larsWantsWebhook(pair: Pair): Promise<void> {
  const { devToken } = await import('./clients.js')
  const token = await devToken(pair.nodes.dk.url, 'dk:cpr:0101901234', clientFetch(pair, 'dk'))
  await api(pair, 'dk', '/v1/citizen/notifications', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'webhook', contact: 'lars@example.dk' }),
  })
}

describe('registered mail across the border', () => {
  it('chains, logs, witnesses and returns the evidence of a service of process, verifiable offline', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    const now = Math.floor(Date.now() / 1000)
    const sealed = await sealRegistered(eta, found, {
      category: 'service-of-process',
      title: 'Decision from the tax authority',
      replyBy: now + 28 * 86_400,
    })
    await eta.client.submit(sealed.bytes)
    await eventually(async () => {
      const s = await eta.client.status(sealed.id)
      expect(s.recipients[0]!.state).toBe('delivered')
    })
    const terms = await pair.nodes.dk.services.storage.getLetterTerms([sealed.id])
    expect(terms.get(sealed.id)).toMatchObject({
      category: 'service-of-process',
      title: 'Decision from the tax authority',
    })

    await lars.client.markOpened('/letters', sealed.id)
    await eventually(async () =>
      expect(await chainTypes(pair.nodes.eg.services, sealed.id, lars.address)).toEqual([
        'submission-accepted',
        'relay-accepted',
        'delivered',
        'retrieved',
      ]),
    )
    // Every node logged what it issued; each witnesses the other and the cosignature goes back.
    for (const side of ['eg', 'dk'] as const) await pair.nodes[side].services.registered.runOnce()
    const eg = pair.nodes.eg.services.registered
    const dk = pair.nodes.dk.services.registered
    expect(eg.log.size).toBe(1)
    expect(dk.log.size).toBe(3)
    expect((await dk.witnessAll())[0]!.outcome.status).toBe('cosigned')
    expect((await eg.witnessAll())[0]!.outcome.status).toBe('cosigned')
    const cp = await api<{ cosignatures: string[]; size: number }>(pair, 'dk', '/v1/log/checkpoint')
    expect(cp.size).toBe(3)
    expect(cp.cosignatures).toHaveLength(1)

    // The receipt queue: all four records, in order, once acknowledged never again.
    const pulled = await api<{ receipts: { seq: number; type: string }[] }>(
      pair,
      'eg',
      '/v1/sender/receipts',
      { headers: sender(eta) },
    )
    expect(pulled.receipts.map((r) => r.type)).toEqual([
      'submission-accepted',
      'relay-accepted',
      'delivered',
      'retrieved',
    ])
    await api(pair, 'eg', '/v1/sender/receipts/ack', {
      method: 'POST',
      headers: { ...sender(eta), 'content-type': 'application/json' },
      body: JSON.stringify({ through: pulled.receipts.at(-1)!.seq }),
    })
    const again = await api<{ receipts: unknown[] }>(pair, 'eg', '/v1/sender/receipts', {
      headers: sender(eta),
    })
    expect(again.receipts).toEqual([])

    // The bundle, verified offline by the operator CLI against the federation's trust list.
    const res = await clientFetch(pair, 'eg')(
      `${pair.nodes.eg.url}/v1/sender/letters/${sealed.id}/evidence-bundle?recipient=${lars.address}`,
      { headers: sender(eta) },
    )
    expect(res.headers.get('content-type')).toBe('application/cbor')
    const bytes = new Uint8Array(await res.arrayBuffer())
    const bundle = readEvidenceBundle(bytes)
    expect(bundle.records).toHaveLength(4)
    expect(bundle.log).toHaveLength(4)
    const file = join(work, 'bundle.cbor')
    await writeFile(file, bytes)
    const trust = [
      '--trust-list',
      pair.federation.trustListFile,
      '--governance-key',
      pair.federation.governanceKeyFile,
    ]
    const ok = await barid(['evidence', 'verify', file, ...trust])
    expect(ok.code).toBe(0)
    const logged = ok.json.log as { logId: string; witnesses: string[] }[]
    expect(logged.map((l) => l.logId)).toEqual([
      'post.eg',
      'digitalpost.dk',
      'digitalpost.dk',
      'digitalpost.dk',
    ])
    expect(logged[0]!.witnesses).toEqual(['digitalpost.dk'])
    expect(logged[3]!.witnesses).toEqual(['post.eg'])

    // Any changed byte of a checkpoint or a proof in the bundle fails verification.
    const { createEvidenceBundle } = await import('../src/core.js')
    const l0 = bundle.log![1]!
    const flipped = l0.checkpoint.slice()
    flipped[flipped.length - 5]! ^= 1
    const badPath = l0.proof.path.map((h, i) =>
      i === 0 ? h.map((b, j) => (j === 0 ? b ^ 1 : b)) : h,
    )
    for (const [name, log] of [
      ['checkpoint', [{ ...l0, checkpoint: flipped }]],
      ['proof', [{ ...l0, proof: { ...l0.proof, path: badPath } }]],
      ['index', [{ ...l0, proof: { ...l0.proof, index: (l0.proof.index + 1) % l0.proof.size } }]],
    ] as const) {
      const tampered = join(work, `tampered-${name}.cbor`)
      await writeFile(tampered, createEvidenceBundle({ ...bundle, log }))
      const r = await barid(['evidence', 'verify', tampered, ...trust])
      expect(r.code, name).toBe(1)
      expect(r.json.ok, name).toBe(false)
    }
    const chain = await verifyEvidenceChain(bundle.records, async (kid) => {
      const k = await pair.nodes.eg.services.directory.evidenceKeyByKid(
        Buffer.from(kid).toString('base64url'),
      )
      return { key: k!.key.key.publicKey, issuer: k!.peer.operator }
    })
    expect(chain.map((c) => c.record.type).at(-1)).toBe('retrieved')
  })

  it('deems a service of process delivered at its deadline and lets the recipient still open it', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    const served = await sealRegistered(eta, found, { category: 'service-of-process' })
    const collected = await sealRegistered(eta, found, { category: 'proof-of-receipt' })
    await eta.client.submit(served.bytes)
    await eta.client.submit(collected.bytes)
    const dk = pair.nodes.dk.services
    await eventually(async () =>
      expect(await dk.storage.dueDeadlines(Date.now() + 30 * DAY, 10)).toHaveLength(2),
    )
    // Fifteen days later: past both retrieval periods of the Danish profile.
    await deadlineStep({ ...dk, now: () => Date.now() + 15 * DAY })
    await lars.client.markOpened('/letters', served.id)
    await lars.client.markOpened('/letters', collected.id)
    await eventually(async () => {
      expect(await chainTypes(pair.nodes.eg.services, served.id, lars.address)).toEqual([
        'submission-accepted',
        'relay-accepted',
        'delivered',
        'deemed-delivered',
        'retrieved',
      ])
      expect(await chainTypes(pair.nodes.eg.services, collected.id, lars.address)).toEqual([
        'submission-accepted',
        'relay-accepted',
        'delivered',
        'expired',
      ])
    })
  })

  it('holds a letter back until its date, then delivers it with its evidence', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    const at = Math.floor(Date.now() / 1000) + 2
    const sealed = await sealRegistered(eta, found, { visibleFrom: at })
    await eta.client.submit(sealed.bytes)
    await eventually(async () =>
      expect(await chainTypes(pair.nodes.eg.services, sealed.id, lars.address)).toEqual([
        'submission-accepted',
        'relay-accepted',
      ]),
    )
    expect((await lars.client.list('/letters')).letters).toEqual([])
    await eventually(async () => {
      expect((await lars.client.list('/letters')).letters.map((l) => l.letterId)).toEqual([
        sealed.id,
      ])
      expect(await chainTypes(pair.nodes.eg.services, sealed.id, lars.address)).toEqual([
        'submission-accepted',
        'relay-accepted',
        'delivered',
      ])
    }, 8000)
    const delivered = (await pair.nodes.dk.services.storage.listEvidence(sealed.id)).find(
      (e) => e.type === 'delivered',
    )!
    expect(delivered.issuedAt).toBeGreaterThanOrEqual(at * 1000)
  })

  it('serves a resident exempt from digital post on paper, with evidence and a sustainability report', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    await api(pair, 'dk', '/v1/admin/exemptions', {
      method: 'PUT',
      headers: admin(pair, 'dk'),
      body: JSON.stringify({
        identifier: 'dk:cpr:0202501234',
        address: 'karen.holm@digitalpost.dk',
        reason: 'no-internet-access',
        name: 'Karen Holm',
        postalAddress: ['Nørregade 1, 2. th.', '1165 København K'],
      }),
    })
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0202501234' })
    expect(found).toMatchObject({ status: 'active', address: 'karen.holm@digitalpost.dk' })
    if (found.status !== 'active') return
    const dk = pair.nodes.dk.services
    expect(found.keys.map((k) => k.kid)).toEqual([dk.registered.printKey.kidBase64Url])
    const sealed = await sealRegistered(eta, found, { category: 'registered' })
    await eta.client.submit(sealed.bytes)
    await eventually(async () =>
      expect(
        await chainTypes(pair.nodes.eg.services, sealed.id, 'karen.holm@digitalpost.dk'),
      ).toEqual(['submission-accepted', 'relay-accepted', 'handed-to-paper']),
    )
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(
      Date.now(),
    )
    const files = await readdir(join(dk.config.registered.printDir, day))
    const pdf = await readFile(
      join(
        dk.config.registered.printDir,
        day,
        files.find((f) => f.endsWith('.pdf'))!,
      ),
    )
    const text = Buffer.from(pdf).toString('latin1')
    expect(text.startsWith('%PDF-1.4')).toBe(true)
    expect(readPdfText(pdf).pages[0]!.runs.map((r) => r.text)).toContain('Karen Holm')
    const report = await api<{
      letters: { digital: number; paper: number }
      printed: { pages: number }
    }>(pair, 'dk', '/v1/reports/sustainability')
    expect(report.letters).toMatchObject({ digital: 0, paper: 1 })
    expect(report.printed.pages).toBeGreaterThanOrEqual(2)
  })

  it('issues notification-failed when every attempt of a notification fails', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    await larsWantsWebhook(pair)
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    const sealed = await sealRegistered(eta, found, { title: 'A notice' })
    await eta.client.submit(sealed.bytes)
    await eventually(async () =>
      expect(await chainTypes(pair.nodes.eg.services, sealed.id, lars.address)).toEqual([
        'submission-accepted',
        'relay-accepted',
        'delivered',
        'notification-failed',
      ]),
    )
    await lars.client.markOpened('/letters', sealed.id)
    await eventually(async () =>
      expect((await chainTypes(pair.nodes.eg.services, sealed.id, lars.address)).at(-1)).toBe(
        'retrieved',
      ),
    )
  })

  it('notifies in the letter language when the operator serves it, and tells the webhook which', async () => {
    // Digital Post's notification gateway: what the node POSTs to its configured webhook URL.
    const hooks: Record<string, unknown>[] = []
    await using pair = await startPair({
      config: FAST,
      wrapFetch: (side, f) => async (input, init) => {
        if (side !== 'dk' || !String(input).startsWith('http://notify.invalid/'))
          return f(input, init)
        hooks.push(JSON.parse(String(init?.body)) as Record<string, unknown>)
        return new Response(null, { status: 204 })
      },
    })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    await larsWantsWebhook(pair)
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    const english = await sealRegistered(eta, found, { lang: 'en-GB' })
    const arabic = await sealRegistered(eta, found, { lang: 'ar' })
    await eta.client.submit(english.bytes)
    await eta.client.submit(arabic.bytes)
    await eventually(async () => expect(hooks).toHaveLength(2))
    const langOf = (id: string) => hooks.find((h) => h.letterId === id)?.lang
    // Digital Post serves English, not Arabic: the Arabic letter is notified in Danish.
    expect(langOf(english.id)).toBe('en')
    expect(langOf(arabic.id)).toBe('da')
    // The node kept each letter's language from its signed header.
    expect((await pair.nodes.dk.services.storage.getLetter(arabic.id))?.lang).toBe('ar')
  })

  it('detects a node that rewrote its log: its witness signs a fork statement, counts and reports it', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    for (let i = 0; i < 3; i++)
      await eta.client.submit((await sealRegistered(eta, found, {})).bytes)
    await pair.nodes.eg.services.registered.runOnce()
    expect(pair.nodes.eg.services.registered.log.size).toBe(3)
    expect((await pair.nodes.dk.services.registered.witnessAll())[0]!.outcome.status).toBe(
      'cosigned',
    )

    // Post Egypt rewrites history: it drops its log and one record it had logged, and logs again.
    const file = pair.configs.eg.dbFile
    await pair.stop('eg')
    const Database = (await import('better-sqlite3')).default
    const db = new Database(file)
    const first = db
      .prepare("SELECT id FROM evidence WHERE issuer = 'post.eg' ORDER BY rowid LIMIT 1")
      .get() as { id: string }
    db.exec(`DELETE FROM log_nodes; DELETE FROM log_leaves; DELETE FROM log_checkpoints; DELETE FROM log_state;
             DELETE FROM feed_cursors WHERE name = 'evidence'`)
    db.prepare('DELETE FROM evidence WHERE id = ?').run(first.id)
    db.close()
    await new Promise((r) => setTimeout(r, 1100)) // its next checkpoint is signed a second later
    await pair.start('eg')
    await pair.nodes.eg.services.registered.runOnce()
    expect(pair.nodes.eg.services.registered.log.size).toBe(2)

    const [r] = await pair.nodes.dk.services.registered.witnessAll()
    expect(r!.outcome).toMatchObject({ status: 'fork', kind: 'rollback' })
    const forks = await api<{ statements: { log: string; kind: string }[] }>(
      pair,
      'dk',
      '/v1/log/forks',
    )
    expect(forks.statements).toMatchObject([{ log: 'post.eg', kind: 'rollback' }])
    const metrics = await (await clientFetch(pair, 'dk')(`${pair.nodes.dk.url}/metrics`)).text()
    expect(metrics).toContain('barid_log_forks_total{log="post.eg"} 1')
    // And it cosigns that log no more.
    expect((await pair.nodes.dk.services.registered.witnessAll())[0]!.outcome.status).toBe(
      'skipped',
    )
  })

  it('returns a submission-rejected record with the refusal of a registered letter that expired', async () => {
    await using pair = await startPair({ config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')
    const sealed = await sealRegistered(eta, found, {}, 'late', true)
    const res = await clientFetch(pair, 'eg')(`${pair.nodes.eg.url}/v1/sender/letters`, {
      method: 'POST',
      headers: { ...sender(eta), 'content-type': 'application/json' },
      body: JSON.stringify({ letter: Buffer.from(sealed.bytes).toString('base64url') }),
    })
    const body = (await res.json()) as { error: { code: string; details: { evidence: string } } }
    expect(body.error.code).toBe('ERR_LETTER_EXPIRED')
    const { verifyEvidence } = await import('../src/core.js')
    const k = pair.nodes.eg.services.keys.evidence
    const v = await verifyEvidence(Buffer.from(body.error.details.evidence, 'base64url'), {
      resolveKey: async () => ({ key: k.publicKey, issuer: 'post.eg' }),
    })
    expect(v.record).toMatchObject({
      type: 'submission-rejected',
      reason: 'ERR_LETTER_EXPIRED',
      letterId: sealed.id,
    })
    // Logged like every record this node issues.
    await pair.nodes.eg.services.registered.runOnce()
    expect(
      await pair.nodes.eg.services.registered.log.inclusion(Buffer.from(v.digest).toString('hex')),
    ).toBeDefined()
  })
})
