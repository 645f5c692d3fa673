/**
 * @module http/request-id
 * Gives every request an id (a caller's well-formed `X-Request-Id`, else a random one), echoes
 * it, and writes one access log line per request: method, route pattern (not the raw path,
 * which may carry letter ids), status and duration. Never headers, queries or bodies.
 */
import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { randomUUID } from 'node:crypto'
import type { Logger } from '../ops/logger.js'
import type { NodeMetrics } from '../ops/metrics.js'
import type { NodeEnv } from './context.js'

const ID_RE = /^[A-Za-z0-9._-]{8,64}$/

/**
 * @example
 * ```ts
 * app.use('*', requestId({ log, metrics }))
 * ```
 */
export function requestId(opts: {
  log: Logger
  metrics?: NodeMetrics
}): MiddlewareHandler<NodeEnv> {
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header('x-request-id')
    // randomUUID draws from a buffered pool: randomBytes per request was a visible cost.
    const id = given && ID_RE.test(given) ? given : randomUUID()
    const log = opts.log.child({ reqId: id })
    c.set('reqId', id)
    c.set('log', log)
    const start = performance.now()
    // Set before the handler runs, so that it is part of the response the handler makes: set
    // on a finished response, Hono rebuilds it as a full WHATWG Response, which costs the
    // Node adapter its fast path on every request (seen in the benchmark's profiles).
    c.header('X-Request-Id', id)
    await next()
    if (!c.res.headers.has('X-Request-Id')) c.header('X-Request-Id', id)
    const status = c.res.status
    // The handler's pattern (the last route matched), not the raw path: paths carry letter ids.
    const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL')
    const route = routes[routes.length - 1]?.path ?? 'unmatched'
    const api = route.split('/')[2] ?? 'root'
    opts.metrics?.httpRequests.inc({ api, status: `${Math.floor(status / 100)}xx` })
    log.info('request', {
      method: c.req.method,
      route,
      status,
      ms: Math.round((performance.now() - start) * 10) / 10,
    })
  }
}
