/**
 * @module sender/routes
 * The sender API (spec 12) for organisations: submit letters one at a time or in batches,
 * upload attachments, register keys, look up recipients, follow status and evidence, and read
 * the organisation's own inbox (replies).
 */
import { Hono } from 'hono'
import { createHmac, randomBytes } from 'node:crypto'
import {
  BaridError,
  fromBase64Url,
  type BatchAccepted,
  type BatchProgressView,
} from '../core.js'
import type { InFlight } from '../federation/idempotent.js'
import { parseJsonObject, readBody } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import {
  directoryLookup,
  listKeys,
  registerKey,
  revokeKey,
  sentStatus,
  submitHandler,
  uploadAttachment,
  withIdempotencyKey,
} from '../mailbox/account-routes.js'
import { mailboxRoutes } from '../mailbox/mailbox-routes.js'
import type { NodeServices } from '../services.js'
import { receiptRoutes } from '../registered/receipt-routes.js'
import { senderAuth } from './auth.js'
import type { BatchWorker } from './batch-worker.js'
import { createRateLimiter } from './rate-limit.js'

/**
 * @example
 * ```ts
 * app.route('/v1/sender', senderRoutes(svc, batchWorker))
 * ```
 */
export function senderRoutes(svc: NodeServices, batches: BatchWorker): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const inflight: InFlight = new Map()
  const lookups = createRateLimiter({ perMinute: svc.config.limits.lookupsPerMinute, now: svc.now })
  app.use('*', senderAuth(svc))

  app.post('/letters', submitHandler(svc, inflight))
  app.get('/letters/:id', (c) => sentStatus(svc, c))
  app.route('/', receiptRoutes(svc))

  app.post('/batches', async (c) => {
    const type = c.req.header('content-type') ?? ''
    if (!/^application\/json(\s*;|$)/i.test(type))
      throw new BaridError('ERR_UNSUPPORTED_MEDIA_TYPE', 'expected application/json')
    const raw = await readBody(c, svc.config.limits.maxRequestBytes)
    const run = async () => {
      const list = parseJsonObject(raw).letters
      const max = svc.config.limits.maxBatchLetters
      if (!Array.isArray(list) || list.length === 0)
        throw new BaridError('ERR_INVALID_ARGUMENT', 'letters must be a non-empty array')
      if (list.length > max)
        throw new BaridError('ERR_INPUT_TOO_LARGE', `a batch holds at most ${max} letters`, {
          details: { limit: max },
        })
      const items = list.map((v, i) => {
        if (typeof v !== 'string')
          throw new BaridError('ERR_INVALID_ARGUMENT', `letters[${i}] must be base64url`, {
            details: { index: i },
          })
        return fromBase64Url(v)
      })
      const id = randomBytes(12).toString('base64url')
      await svc.storage.createBatch(id, c.get('sender').id, items, svc.now())
      batches.wake()
      c.get('log').info('batch stored', { batchId: id, total: items.length })
      const accepted: BatchAccepted = { batchId: id, total: items.length }
      return { status: 202, body: JSON.stringify(accepted) }
    }
    const key = c.req.header('idempotency-key')
    const r =
      key === undefined
        ? { ...(await run()), replayed: false }
        : await withIdempotencyKey(svc, inflight, c, key, raw, run)
    if (r.replayed) c.header('Idempotent-Replayed', 'true')
    return c.body(r.body, r.status as 202, { 'content-type': 'application/json' })
  })

  app.get('/batches/:id', async (c) => {
    const b = await svc.storage.getBatch(c.req.param('id'))
    if (!b || b.senderId !== c.get('sender').id)
      throw new BaridError('ERR_NOT_FOUND', 'no such batch')
    const offset = Number(c.req.query('offset') ?? 0)
    const limit = Number(c.req.query('limit') ?? 1000)
    if (
      !Number.isInteger(offset) ||
      offset < 0 ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > 10_000
    ) {
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        'offset and limit must be integers (limit at most 10000)',
      )
    }
    const results = await svc.storage.listBatchItems(b.id, offset, limit)
    return c.json({
      batchId: b.id,
      total: b.total,
      processed: b.accepted + b.rejected,
      accepted: b.accepted,
      rejected: b.rejected,
      completedAt: b.completedAt === null ? null : new Date(b.completedAt).toISOString(),
      results: results.map((r) => ({
        index: r.idx,
        status: r.status,
        letterId: r.letterId,
        // The worker stores a code and its message together (sender/batch-worker.ts).
        ...(r.code ? { code: r.code, message: r.message ?? '' } : {}),
      })),
    } satisfies BatchProgressView)
  })

  app.put('/attachments/:digest', (c) => uploadAttachment(svc, c))
  app.post('/keys', (c) => registerKey(svc, c))
  app.get('/keys', (c) => listKeys(svc, c))
  app.delete('/keys/:kid', (c) => revokeKey(svc, c))

  app.get('/directory', async (c) => {
    const sender = c.get('sender')
    lookups.take(sender.id)
    const id = c.req.query('identifier')
    // Audit line: who looked up what, with the identifier pseudonymised (HMAC under the node's
    // audit secret), so an auditor holding the secret can answer "who looked up X".
    c.get('log').info('directory lookup', {
      audit: true,
      sender: sender.id,
      subject: id
        ? createHmac('sha256', svc.keys.auditSecret).update(id).digest('base64url').slice(0, 22)
        : null,
    })
    return directoryLookup(svc, c, true)
  })

  app.route('/inbox', mailboxRoutes(svc))
  return app
}
