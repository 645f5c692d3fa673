/**
 * @module http/errors
 * Turning a node's failed answer into a {@link BaridError} (spec 10.3): the body
 * `{"error": {"code", "message", "details"?}}` gives the code; clients act on the code, never on
 * the message. A code this client does not know becomes `ERR_INTERNAL` with the raw code in
 * `details.code`, so a newer node never makes the client guess. Transport failures (no answer,
 * timeout) become `ERR_UNAVAILABLE` with `details.reason`.
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import {
  BaridError,
  isBaridError,
  isBaridErrorCode,
  parseHttpDate,
  type BaridErrorCode,
} from '../core.js'
import { readBytes } from './read-bytes.js'

/** Largest error body read; anything longer is not a Barid error body. */
const MAX_ERROR_BODY = 64 * 1024

// When a body carries no Barid error (a proxy's HTML page, an empty 502), the status is all
// there is; these are the statuses whose meaning does not depend on the code.
const STATUS_CODES: Readonly<Record<number, BaridErrorCode>> = {
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_NOT_FOUND',
  413: 'ERR_INPUT_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  429: 'ERR_RATE_LIMITED',
  502: 'ERR_UNAVAILABLE',
  503: 'ERR_UNAVAILABLE',
  504: 'ERR_UNAVAILABLE',
}

/**
 * Seconds from a `Retry-After` header (RFC 9110 section 10.2.3: delay-seconds or an HTTP date),
 * or undefined.
 *
 * @example
 * ```ts
 * parseRetryAfter('5', Date.now()) // 5
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined
  const v = value.trim()
  if (/^\d{1,9}$/.test(v)) return Number(v)
  // Strictly an HTTP-date: Date.parse would also read ISO dates and local times.
  const at = parseHttpDate(v, now)
  if (at === undefined) return undefined
  return Math.max(0, Math.ceil((at - now) / 1000))
}

/**
 * Builds the error for an answer with status `status` and (parsed or raw) body.
 *
 * @example
 * ```ts
 * errorFromBody(409, { error: { code: 'ERR_LETTER_CONFLICT', message: 'used id' } }).code // 'ERR_LETTER_CONFLICT'
 * errorFromBody(400, { error: { code: 'ERR_FROM_THE_FUTURE', message: '?' } }).details // { code: 'ERR_FROM_THE_FUTURE', httpStatus: 400 }
 * ```
 */
export function errorFromBody(status: number, body: unknown, retryAfter?: number): BaridError {
  check(status, shape.httpStatus, 'status')
  check(retryAfter, shape.optionalSeconds, 'retryAfter')
  const extra: Record<string, unknown> = { httpStatus: status }
  if (retryAfter !== undefined) extra.retryAfter = retryAfter
  const err =
    typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined
  if (typeof err === 'object' && err !== null) {
    const { code, message, details } = err as {
      code?: unknown
      message?: unknown
      details?: unknown
    }
    const text = typeof message === 'string' ? message.slice(0, 500) : `HTTP ${status}`
    const serverDetails =
      typeof details === 'object' && details !== null && !Array.isArray(details)
        ? (details as Record<string, unknown>)
        : {}
    if (isBaridErrorCode(code))
      return new BaridError(code, text, { details: { ...serverDetails, ...extra } })
    if (typeof code === 'string') {
      return new BaridError(
        'ERR_INTERNAL',
        `the node answered with an unknown error code: ${text}`,
        {
          details: { ...serverDetails, ...extra, code: code.slice(0, 100) },
        },
      )
    }
  }
  const code = STATUS_CODES[status] ?? 'ERR_INTERNAL'
  return new BaridError(code, `the node answered HTTP ${status} without a Barid error body`, {
    details: extra,
  })
}

/**
 * Reads a failed response's body (bounded) and builds its error.
 *
 * @example
 * ```ts
 * if (!res.ok) throw await errorFromResponse(res)
 * ```
 */
export async function errorFromResponse(
  res: Response,
  now: number = Date.now(),
): Promise<BaridError> {
  check(res, shape.response, 'res')
  check(now, shape.finite, 'now')
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), now)
  let body: unknown
  try {
    const text = await readBounded(res, MAX_ERROR_BODY)
    body = text === undefined ? undefined : (JSON.parse(text) as unknown)
  } catch {
    body = undefined
  }
  return errorFromBody(res.status, body, retryAfter)
}

/** The body as text, or undefined past `max` bytes: an error body that large is not one. */
async function readBounded(res: Response, max: number): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await readBytes(res, 'error-body', max))
  } catch (e) {
    if (isBaridError(e, 'ERR_INPUT_TOO_LARGE')) return undefined
    throw e
  }
}

/**
 * The error for a request that got no answer: `ERR_UNAVAILABLE` with `details.reason`
 * `timeout` or `network`, its message naming the node (`baseUrl`) when given, since a program
 * that talks to several nodes (its own, a peer's discovery) cannot tell otherwise which one it
 * could not reach. Whether a submission took effect is then unknown; retrying it with the same
 * `Idempotency-Key` is safe (spec 12.2).
 *
 * @example
 * ```ts
 * throw transportError('timeout', cause, 'http://127.0.0.1:7401')
 * ```
 */
export function transportError(
  reason: 'timeout' | 'network',
  cause: unknown,
  node?: string,
): BaridError {
  const which = node === undefined ? 'the node' : `the node ${node}`
  const message =
    reason === 'timeout' ? `${which} did not answer in time` : `${which} could not be reached`
  return new BaridError('ERR_UNAVAILABLE', message, { cause, details: { reason } })
}
