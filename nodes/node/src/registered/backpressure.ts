/**
 * @module registered/backpressure
 * The log's bound on waiting records (spec 16.5 rule 2): while more evidence waits for the
 * transparency log than the configured bound, requests that create evidence (letter submission
 * and batches, federation transactions) are refused with `ERR_UNAVAILABLE` and `Retry-After`,
 * which senders and peers retry, rather than let the time to a signed checkpoint grow unbounded.
 */
import type { MiddlewareHandler } from 'hono'
import { BaridError } from '../core.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'

const CREATES_EVIDENCE = [
  /^\/v1\/sender\/letters$/,
  /^\/v1\/sender\/batches$/,
  /^\/v1\/citizen\/letters$/,
  /^\/v1\/federation\/transactions\//,
]

/** @example `app.use('/v1/*', logBackpressure(svc))` */
export function logBackpressure(svc: NodeServices): MiddlewareHandler<NodeEnv> {
  return async function logBackpressure(c, next) {
    if (
      (c.req.method === 'POST' || c.req.method === 'PUT') &&
      svc.registered.overloaded() &&
      CREATES_EVIDENCE.some((r) => r.test(c.req.path))
    ) {
      c.header('Retry-After', '1')
      throw new BaridError('ERR_UNAVAILABLE', 'the evidence log is behind; retry shortly')
    }
    await next()
  }
}
