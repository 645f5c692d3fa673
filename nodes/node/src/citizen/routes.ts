/**
 * @module citizen/routes
 * The citizen API (spec 13): the caller's mailbox and keys, sending and replying, the status of
 * letters they sent, and address lookup (to reply to an organisation).
 */
import { Hono } from 'hono'
import type { JWTVerifyGetKey } from 'jose'
import { BaridError, type CitizenProfileView } from '../core.js'
import type { InFlight } from '../federation/idempotent.js'
import type { NodeEnv } from '../http/context.js'
import {
  directoryLookup,
  listKeys,
  registerKey,
  revokeKey,
  sentStatus,
  submitHandler,
  uploadAttachment,
} from '../mailbox/account-routes.js'
import { mailboxRoutes } from '../mailbox/mailbox-routes.js'
import { targetRoutes } from '../notify/target-routes.js'
import type { NodeServices } from '../services.js'
import { citizenAuth } from './auth.js'

/**
 * @example
 * ```ts
 * app.route('/v1/citizen', citizenRoutes(svc, keySet))
 * ```
 */
export function citizenRoutes(svc: NodeServices, keySet: JWTVerifyGetKey): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const inflight: InFlight = new Map()
  app.use('*', citizenAuth(svc, keySet))
  app.get('/me', (c) => {
    const m = c.get('mailbox')
    // Authentication refuses a closed mailbox (spec 13.2); the check keeps the answer's closed
    // set of values (active, exempt) true if that ever changes.
    if (m.status === 'closed') throw new BaridError('ERR_FORBIDDEN', 'the mailbox is closed')
    return c.json({
      address: m.address,
      identifier: m.identifier,
      status: m.status,
      operator: svc.directory.self,
    } satisfies CitizenProfileView)
  })
  app.post('/letters', submitHandler(svc, inflight, { repliesOnly: true }))
  app.route('/letters', mailboxRoutes(svc))
  app.get('/sent/:id', (c) => sentStatus(svc, c))
  app.put('/attachments/:digest', (c) => uploadAttachment(svc, c))
  app.post('/keys', (c) => registerKey(svc, c))
  app.get('/keys', (c) => listKeys(svc, c))
  app.delete('/keys/:kid', (c) => revokeKey(svc, c))
  app.get('/directory', (c) => directoryLookup(svc, c, false))
  app.route('/notifications', targetRoutes(svc))
  return app
}
