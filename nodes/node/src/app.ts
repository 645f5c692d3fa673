/**
 * @module app
 * The node's HTTP application: every API mounted on one Hono app, with request ids, access
 * logs, one error handler and a drain switch for graceful shutdown.
 */
import { Hono } from 'hono'
import type { JWTVerifyGetKey } from 'jose'
import { adminRoutes } from './admin/routes.js'
import type { DevIdp } from './citizen/dev-idp.js'
import { citizenRoutes } from './citizen/routes.js'
import { BaridError } from './core.js'
import { federationRoutes } from './federation/routes.js'
import type { NodeEnv } from './http/context.js'
import { errorResponse } from './http/errors.js'
import { requestId } from './http/request-id.js'
import { opsRoutes } from './ops/routes.js'
import { logBackpressure } from './registered/backpressure.js'
import { reportRoutes } from './reports/report-routes.js'
import type { BatchWorker } from './sender/batch-worker.js'
import { senderRoutes } from './sender/routes.js'
import { trustRoutes } from './trust/routes.js'
import type { NodeServices } from './services.js'
import { mountTestControl } from './test-control/mount.js'
import { logRoutes } from './transparency/log-routes.js'

export interface AppOptions {
  batches: BatchWorker
  /** Verifies citizens' tokens. */
  citizenKeys: JWTVerifyGetKey
  devIdp?: DevIdp
  /** True once shutdown began: new API requests get 503. */
  isDraining: () => boolean
}

/**
 * Builds the app; serve it with `@hono/node-server` or call `app.request()` in tests.
 *
 * @example
 * ```ts
 * const app = createNodeApp(svc, { batches, citizenKeys, isDraining: () => false })
 * const res = await app.request('/healthz')
 * ```
 */
export function createNodeApp(svc: NodeServices, o: AppOptions): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  app.use('*', requestId({ log: svc.log, metrics: svc.metrics }))
  app.use('/v1/*', async function drain(c, next) {
    if (o.isDraining()) {
      c.header('Connection', 'close')
      c.header('Retry-After', '5')
      throw new BaridError('ERR_UNAVAILABLE', 'the node is shutting down')
    }
    await next()
  })
  app.use('/v1/*', logBackpressure(svc))
  app.route('/', opsRoutes(svc, o.isDraining))
  app.route('/', logRoutes(svc))
  app.route('/', reportRoutes(svc))
  app.route('/', federationRoutes(svc))
  app.route('/', trustRoutes(svc))
  app.route('/v1/sender', senderRoutes(svc, o.batches))
  app.route('/v1/citizen', citizenRoutes(svc, o.citizenKeys))
  app.route('/v1/admin', adminRoutes(svc))
  if (o.devIdp) app.route('/dev/idp', o.devIdp.routes())
  mountTestControl(app, svc, { devIdp: o.devIdp })
  app.notFound((c) => errorResponse(c, new BaridError('ERR_NOT_FOUND', 'no such resource')))
  app.onError((err, c) => errorResponse(c, err, svc.metrics))
  return app
}
