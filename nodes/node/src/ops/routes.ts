/**
 * @module ops/routes
 * Operations endpoints (spec 15.2): `/healthz` (the process runs), `/readyz` (it can serve:
 * storage answers, it is not shutting down, and its operator and node certificate are accepted by
 * the trust list it holds), `/metrics` (Prometheus text).
 */
import { Hono } from 'hono'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'

/**
 * @example
 * ```ts
 * app.route('/', opsRoutes(svc, () => shuttingDown))
 * ```
 */
export function opsRoutes(svc: NodeServices, isDraining: () => boolean): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const db = await svc.storage.ping()
    // Spec 15.2: a node whose operator or certificate its held list does not accept can serve
    // nothing its peers take.
    const membership = await svc.trust?.membership()
    const ready = db && !isDraining() && membership?.member !== false
    return c.json(
      {
        status: ready ? 'ready' : 'not-ready',
        storage: db,
        draining: isDraining(),
        ...(membership ? { membership } : {}),
        // Spec 21.4: how long the node certificate has left (renew with rotate-node).
        nodeCertificate: svc.trust?.nodeKeys().certificate,
      },
      ready ? 200 : 503,
    )
  })
  app.get('/metrics', async (c) =>
    c.body(await svc.metrics.registry.render(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    }),
  )
  return app
}
