/**
 * @module http/http
 * The suite's HTTP: one `fetch` per call, no retries (a retry would hide what the node did), a
 * timeout, and every error body checked against spec 10.3 and errors.md as it arrives: a
 * failed request must carry `{"error": {"code", "message"}}` with a known code and the HTTP
 * status the code table gives. A departure is recorded as a protocol violation.
 */
import { ERROR_CODES, isBaridErrorCode } from '@barid/core'

/** An HTTP exchange's outcome. */
export interface HttpResult<T = unknown> {
  status: number
  headers: Headers
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: T
  text: string
  /** `error.code` of an error body. */
  code: string | undefined
  message: string | undefined
}

/** A departure from the error conventions of 10.3, seen on some response. */
export interface Violation {
  clause: string
  what: string
}

export interface HttpOptions {
  timeoutMs?: number
  /** Receives every violation of 10.3 seen in error bodies. */
  onViolation?: (v: Violation) => void
}

export type RequestInitLike = {
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
}

/**
 * Calls `url` once.
 *
 * @example
 * ```ts
 * const r = await call(`${base}/v1/citizen/me`, { headers: { authorization: `Bearer ${t}` } })
 * r.code // e.g. 'ERR_UNAUTHENTICATED'
 * ```
 */
export async function call<T = unknown>(
  url: string,
  init: RequestInitLike = {},
  o: HttpOptions = {},
): Promise<HttpResult<T>> {
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), o.timeoutMs ?? 30_000)
  let res: Response
  let text: string
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body as BodyInit | undefined,
      redirect: 'manual',
      signal: ctl.signal,
    })
    text = await res.text()
  } finally {
    clearTimeout(timer)
  }
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  const err = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
  const code = typeof err?.code === 'string' ? err.code : undefined
  const message = typeof err?.message === 'string' ? err.message : undefined
  // A HEAD answer has no body (RFC 9110 9.3.2): only its status can be judged.
  if (res.status >= 400 && o.onViolation && (init.method ?? 'GET') !== 'HEAD') {
    const where = `${init.method ?? 'GET'} ${new URL(url).pathname}`
    if (code === undefined || message === undefined)
      o.onViolation({
        clause: '10.3-4',
        what: `${where}: ${res.status} answer without an error body`,
      })
    else if (!isBaridErrorCode(code))
      o.onViolation({ clause: '10.3-4', what: `${where}: unknown error code ${code}` })
    else if (ERROR_CODES[code].http !== res.status)
      o.onViolation({
        clause: '10.3-4',
        what: `${where}: ${code} answered with HTTP ${res.status}, the code table says ${ERROR_CODES[code].http}`,
      })
    else if (
      res.status >= 500 &&
      (body as { error: { details?: unknown } }).error.details !== undefined
    )
      o.onViolation({
        clause: '10.3-4',
        what: `${where}: ${code}: a 5xx error body carries details`,
      })
  }
  return { status: res.status, headers: res.headers, body: body as T, text, code, message }
}

/** JSON request init. */
export function json(
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): RequestInitLike {
  return {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }
}
