/**
 * @module http/errors
 * The one place errors become HTTP responses: a {@link BaridError} answers with the status of
 * its code and the body `{"error": {"code", "message"}}` (spec 10.4); a fault of the node's own
 * store is `503 ERR_UNAVAILABLE`, to be retried; anything else is logged and answered as
 * `ERR_INTERNAL` without details.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { isBaridError, type BaridErrorCode } from '../core.js'
import type { NodeMetrics } from '../ops/metrics.js'
import { storeFaultCode } from '../storage/store-fault.js'
import type { NodeEnv } from './context.js'

/** Seconds a caller is asked to wait after a fault of the node's own store. */
const STORE_FAULT_RETRY_AFTER_S = 30

/** The JSON error body of every failed request. */
export interface ErrorBody {
  error: { code: BaridErrorCode; message: string; details?: Record<string, unknown> }
}

/**
 * Builds the error response for `err`.
 *
 * @example
 * ```ts
 * app.onError((err, c) => errorResponse(c, err))
 * ```
 */
export function errorResponse(
  c: Context<NodeEnv>,
  err: unknown,
  metrics?: Pick<NodeMetrics, 'storeFaults'>,
): Response {
  const fault = storeFaultCode(err)
  if (fault !== undefined) return storeFaultResponse(c, fault, metrics)
  if (isBaridError(err)) {
    const status = err.httpStatus as ContentfulStatusCode
    const log = c.get('log')
    if (status >= 500) log?.error('request failed', { code: err.code, reqId: c.get('reqId') })
    if (err.code === 'ERR_RATE_LIMITED' && typeof err.details?.retryAfter === 'number') {
      c.header('Retry-After', String(err.details.retryAfter))
    }
    const body: ErrorBody = { error: { code: err.code, message: err.message } }
    if (err.details !== undefined && status < 500) body.error.details = { ...err.details }
    return c.json(body, status)
  }
  c.get('log')?.error('unexpected error', {
    reqId: c.get('reqId'),
    error: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : 'non-error thrown',
  })
  const body: ErrorBody = { error: { code: 'ERR_INTERNAL', message: 'internal error' } }
  return c.json(body, 500)
}

/**
 * A fault of the node's own store (disk full, I/O error: `storeFaultCode`) is neither the
 * caller's mistake nor a bug: `503 ERR_UNAVAILABLE` with `Retry-After`, so clients retry, and one
 * error line with its code (no message: it may quote SQL or paths beyond the code's meaning).
 */
function storeFaultResponse(
  c: Context<NodeEnv>,
  code: string,
  metrics: Pick<NodeMetrics, 'storeFaults'> | undefined,
): Response {
  metrics?.storeFaults.inc({ code })
  c.get('log')?.error('store fault', { code, reqId: c.get('reqId') })
  c.header('Retry-After', String(STORE_FAULT_RETRY_AFTER_S))
  const body: ErrorBody = {
    error: { code: 'ERR_UNAVAILABLE', message: 'the node cannot store this now; retry later' },
  }
  return c.json(body, 503)
}
