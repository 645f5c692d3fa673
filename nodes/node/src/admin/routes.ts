/**
 * @module admin/routes
 * The admin API (spec 15.5), for the operator's own staff and tooling: bearer token from
 * `<dataDir>/keys/admin-token`, compared in constant time.
 */
import { Hono } from 'hono'
import { BaridError, LOG_RESET_MAX_BYTES, timingSafeEqual } from '../core.js'
import { b64Field, readBody, readJson, strField } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import { exemptionRoutes } from '../paper/exemption-routes.js'
import type { NodeServices } from '../services.js'
import { logKeyResolver } from '../transparency/log-keys.js'
import type { Mailbox } from '../storage/types.js'
import { openMailbox, registerSender, setMailboxStatus } from './admin.js'
import { listSenderApiKeys, revokeSenderApiKey, rotateSenderApiKey } from './sender-api-keys.js'

const view = (m: Mailbox) => ({
  address: m.address,
  identifier: m.identifier,
  kind: m.kind,
  status: m.status,
  displayName: m.displayName,
  displayNames: { ...m.displayNames },
})

/**
 * @example
 * ```ts
 * app.route('/v1/admin', adminRoutes(svc))
 * ```
 */
export function adminRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const expected = new TextEncoder().encode(`Bearer ${svc.keys.adminToken}`)
  app.use('*', async function authenticateAdmin(c, next) {
    const given = new TextEncoder().encode(c.req.header('authorization') ?? '')
    if (!timingSafeEqual(given, expected))
      throw new BaridError('ERR_UNAUTHENTICATED', 'admin token required')
    await next()
  })
  app.post('/mailboxes', async (c) => {
    const b = await readJson(c, 8192)
    const kind = b.kind ?? 'person'
    if (kind !== 'person' && kind !== 'organisation')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'kind must be person or organisation')
    const status = b.status ?? 'active'
    if (status !== 'active' && status !== 'exempt')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'status must be active or exempt')
    const mb = await openMailbox(svc, {
      address: strField(b, 'address', 320),
      ...(b.identifier !== undefined ? { identifier: strField(b, 'identifier', 128) } : {}),
      ...(b.displayName !== undefined ? { displayName: strField(b, 'displayName', 200) } : {}),
      kind,
      status,
    })
    return c.json(view(mb), 201)
  })
  app.put('/mailboxes/:address/status', async (c) => {
    const b = await readJson(c, 1024)
    const status = b.status
    if (status !== 'active' && status !== 'exempt' && status !== 'closed')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'status must be active, exempt or closed')
    return c.json(view(await setMailboxStatus(svc, c.req.param('address'), status)))
  })
  app.route('/exemptions', exemptionRoutes(svc))
  app.post('/senders', async (c) => {
    const b = await readJson(c, 8192)
    const r = await registerSender(svc, {
      id: strField(b, 'id', 63),
      name: strField(b, 'name', 800),
      address: strField(b, 'address', 320),
      ...(b.identifier !== undefined ? { identifier: strField(b, 'identifier', 128) } : {}),
      ...(b.names !== undefined ? { names: b.names } : {}),
    })
    return c.json(
      { id: r.sender.id, name: r.sender.name, mailbox: view(r.mailbox), apiKey: r.apiKey },
      201,
    )
  })
  // Spec 12.1: a new key for a sender, shown once; the previous ones end after `graceSeconds`.
  app.post('/senders/:id/api-keys', async (c) => {
    const b = await readJson(c, 1024)
    const r = await rotateSenderApiKey(svc, c.req.param('id'), { graceSeconds: b.graceSeconds })
    return c.json(
      { sender: r.sender.id, keyId: r.keyId, apiKey: r.apiKey, previous: r.previous },
      201,
    )
  })
  app.get('/senders/:id/api-keys', async (c) =>
    c.json({ sender: c.req.param('id'), keys: await listSenderApiKeys(svc, c.req.param('id')) }),
  )
  app.delete('/senders/:id/api-keys/:keyId', async (c) =>
    c.json(await revokeSenderApiKey(svc, c.req.param('id'), c.req.param('keyId'))),
  )
  // Spec 16.12 and 15.8: after a restore, the governance's reset lets the log go on as a new epoch.
  app.post('/log/resets', async (c) => {
    // The file `barid federation reset-log` wrote, as it is, or JSON with it in base64url.
    const raw = c.req.header('content-type')?.split(';')[0]?.trim() === 'application/cose'
    const bytes = raw
      ? await readBody(c, LOG_RESET_MAX_BYTES)
      : b64Field(await readJson(c, 4096), 'reset', LOG_RESET_MAX_BYTES)
    const { epoch, checkpoint: cp } = await svc.registered.log.installReset(
      bytes,
      logKeyResolver(svc),
    )
    svc.log.warn('log reset installed: checkpoints are now signed in a new epoch', {
      epoch,
      size: cp.size,
    })
    return c.json({ epoch, size: cp.size, checkpoint: cp.digest }, 201)
  })
  return app
}
