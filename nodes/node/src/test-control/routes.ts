/**
 * @module test-control/routes
 * The test-control interface (spec 30.4) under `/v1/test-control`: what a conformance suite
 * needs to drive a node as a black box. Create mailboxes with certified keys, sender accounts
 * and citizen tokens; read a mailbox's contents; move the clock forward; install a test
 * federation; run the delivery queue now; reset. Authentication is `mount.ts`'s job.
 */
import { Hono } from 'hono'
import { randomBytes } from 'node:crypto'
import { openMailbox, registerSender } from '../admin/admin.js'
import type { DevIdp } from '../citizen/dev-idp.js'
import { BaridError, parseMailboxAddress, parseSenderName } from '../core.js'
import type { PeerDirectory } from '../federation/peer-directory.js'
import { readJson } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import type { Mailbox, MailboxEntry } from '../storage/types.js'
import { clockControl } from './clock.js'
import { parseTestFederation, testFederationDirectory } from './federation-config.js'
import { freshIdentifier } from './identifiers.js'

/** Spec 30.4 feature names, as `GET /v1/test-control` lists them. */
export type TestControlFeature =
  | 'mailboxes'
  | 'senders'
  | 'tokens'
  | 'mailbox-state'
  | 'clock'
  | 'federation'
  | 'delivery'
  | 'reset'

const MAX_ADVANCE_SECONDS = 10 * 365 * 24 * 3600
const MAX_STATE_ENTRIES = 10_000
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString())
const localPart = () => `t${randomBytes(9).toString('hex')}`

function addressAt(svc: NodeServices, address: string): string {
  const full = address.includes('@') ? address : `${address}@${svc.directory.self}`
  const p = parseMailboxAddress(full)
  if (p.operator !== svc.directory.self)
    throw new BaridError('ERR_MISROUTED', 'that address is not served by this node')
  return p.address
}

async function mailboxOf(svc: NodeServices, address: string): Promise<Mailbox> {
  const mb = await svc.storage.getMailboxByAddress(addressAt(svc, address))
  if (!mb) throw new BaridError('ERR_NOT_FOUND', 'no such mailbox')
  return mb
}

async function certifyKeys(svc: NodeServices, mb: Mailbox, raw: unknown) {
  if (raw === undefined) return []
  if (!Array.isArray(raw) || raw.length > 8)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'keys must be an array of at most 8 keys')
  const out: { kid: string; use: 'enc' | 'sig'; certificate: string }[] = []
  for (const k of raw as { use?: unknown; jwk?: unknown }[]) {
    if (k?.use !== 'enc' && k?.use !== 'sig')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'key use must be enc or sig')
    const now = svc.now()
    const { kid, certificate, jwk, notAfter, issuer } = await svc.certifier.certify({
      sub: mb.address,
      use: k.use,
      jwk: k.jwk,
      now,
    })
    await svc.storage.addMailboxKey({
      mailboxId: mb.id,
      kid,
      use: k.use,
      jwk: JSON.stringify(jwk),
      certificate,
      label: 'test-control',
      createdAt: now,
      revokedAt: null,
      certNotAfter: notAfter,
      certIssuer: issuer,
    })
    out.push({ kid, use: k.use, certificate })
  }
  return out
}

async function runDelivery(svc: NodeServices): Promise<number> {
  const now = svc.now()
  const peers = new Set((await svc.directory.peers()).map((p) => p.operator))
  for (const q of await svc.storage.queueDepth()) peers.add(q.peer)
  let items = 0
  for (const p of peers) items += await svc.storage.resetBackoff(p, now)
  // As if each peer had been heard from: lifts the engine's holds too (spec 14.3).
  for (const p of peers) svc.outbox.heardFrom(p)
  svc.outbox.wake()
  return items
}

/**
 * @example
 * ```ts
 * app.route('/v1/test-control', testControlRoutes(svc, { devIdp }))
 * ```
 */
export function testControlRoutes(svc: NodeServices, o: { devIdp?: DevIdp }): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const original: PeerDirectory = svc.directory
  const clock = clockControl(svc.now)
  const features: TestControlFeature[] = ['mailboxes', 'senders', 'mailbox-state', 'federation']
  if (o.devIdp) features.push('tokens')
  if (clock) features.push('clock')
  features.push('delivery', 'reset')

  app.get('/', (c) => c.json({ v: 1, operator: svc.directory.self, features, now: iso(svc.now()) }))

  app.post('/mailboxes', async (c) => {
    const b = await readJson(c, 64 * 1024)
    const kind = b.kind ?? 'person'
    if (kind !== 'person' && kind !== 'organisation')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'kind must be person or organisation')
    const status = b.status ?? 'active'
    if (status !== 'active' && status !== 'exempt')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'status must be active or exempt')
    const identifier =
      typeof b.identifier === 'string'
        ? b.identifier
        : await freshIdentifier(
            svc.config.profile.identifierSchemes,
            async (id) => (await svc.storage.getMailboxByIdentifier(id)) !== undefined,
          )
    const mb = await openMailbox(svc, {
      address: typeof b.address === 'string' ? b.address : localPart(),
      identifier,
      kind,
      status,
    })
    const keys = await certifyKeys(svc, mb, b.keys)
    return c.json(
      { address: mb.address, identifier: mb.identifier, kind, status: mb.status, keys },
      201,
    )
  })

  app.post('/senders', async (c) => {
    const b = await readJson(c, 8192)
    const id = `t-${randomBytes(8).toString('hex')}`
    const r = await registerSender(svc, {
      id,
      // Checked as the admin API checks it (spec 15.5), never cut: a cut can split a
      // surrogate pair, and a suite must get back the name its letters will carry.
      name: b.name === undefined ? 'Conformance sender' : parseSenderName(b.name),
      address: typeof b.address === 'string' ? b.address : localPart(),
    })
    return c.json({ id, address: r.mailbox.address, apiKey: r.apiKey }, 201)
  })

  app.post('/tokens', async (c) => {
    if (!o.devIdp)
      throw new BaridError('ERR_NOT_FOUND', 'this node cannot issue citizen tokens for tests')
    const b = await readJson(c, 4096)
    if (typeof b.address !== 'string')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'address is required')
    const mb = await mailboxOf(svc, b.address)
    if (!mb.identifier)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'that mailbox has no participant identifier')
    const expiresIn = 24 * 3600
    const token = await o.devIdp.issue(mb.identifier, { lifetimeSeconds: expiresIn })
    return c.json({ token, tokenType: 'Bearer', expiresIn })
  })

  app.get('/mailboxes/:address', async (c) => {
    const mb = await mailboxOf(svc, c.req.param('address'))
    const entries: MailboxEntry[] = []
    let before: number | undefined
    for (;;) {
      const page = await svc.storage.listMailbox(mb.id, { before, limit: 200 })
      entries.push(...page)
      if (page.length < 200 || entries.length >= MAX_STATE_ENTRIES) break
      before = page[page.length - 1]!.cursor
    }
    return c.json({
      address: mb.address,
      status: mb.status,
      kind: mb.kind,
      letters: entries.map((e) => ({
        letterId: e.letter.id,
        digest: e.letter.digest,
        sender: e.letter.senderAddress,
        kind: e.letter.kind,
        cursor: e.cursor,
        receivedAt: iso(e.receivedAt),
        openedAt: iso(e.openedAt),
      })),
    })
  })

  app.put('/federation', async (c) => {
    const federation = await parseTestFederation(await readJson(c, 1024 * 1024))
    svc.directory = testFederationDirectory(original.self, federation, svc.now)
    c.get('log').warn('test control installed a federation configuration', {
      operators: federation.peers.length,
    })
    await runDelivery(svc)
    return c.json({ operators: federation.peers.map((p) => p.operator) })
  })

  app.get('/clock', (c) => {
    if (!clock) throw new BaridError('ERR_NOT_FOUND', 'this node has no adjustable clock')
    return c.json({ now: iso(svc.now()), offsetSeconds: clock.offsetMs / 1000 })
  })

  app.post('/clock', async (c) => {
    if (!clock) throw new BaridError('ERR_NOT_FOUND', 'this node has no adjustable clock')
    const b = await readJson(c, 1024)
    const s = b.advanceSeconds
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > MAX_ADVANCE_SECONDS)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'advanceSeconds must be a whole number >= 0')
    clock.advance(s * 1000)
    c.get('log').warn('test control moved the clock forward', { seconds: s })
    await runDelivery(svc)
    return c.json({ now: iso(svc.now()), offsetSeconds: clock.offsetMs / 1000 })
  })

  app.post('/delivery/run', async (c) => c.json({ items: await runDelivery(svc) }))

  app.post('/reset', async (c) => {
    svc.directory = original
    clock?.reset()
    c.get('log').warn('test control reset the clock and the federation configuration')
    await runDelivery(svc)
    return c.json({ reset: true })
  })

  return app
}
