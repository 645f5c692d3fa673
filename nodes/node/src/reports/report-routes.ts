/**
 * @module reports/report-routes
 * `GET /v1/reports/sustainability` (spec 17.8): the operator's sustainability report for a
 * period, as JSON. Public like the log API: it holds only counts per day, never a letter, a
 * mailbox or a sender.
 */
import { Hono } from 'hono'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import { reportPeriod, sustainabilityReport } from './sustainability.js'

/**
 * Mounted at the app root.
 *
 * @example
 * ```ts
 * app.route('/', reportRoutes(svc))
 * ```
 */
export function reportRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  app.get('/v1/reports/sustainability', async (c) => {
    const period = reportPeriod({ from: c.req.query('from'), to: c.req.query('to') }, svc.now())
    const counts = await svc.storage.deliveryCounts(period.from, period.to)
    return c.json(
      sustainabilityReport(svc.directory.self, period, counts, svc.config.profile.sustainability),
    )
  })
  return app
}
