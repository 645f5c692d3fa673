/**
 * @module http/http
 * The suite's HTTP: one `fetch` per call, no retries (a retry would hide what the node did), a
 * timeout, and every error body checked against spec 10.3 and errors.md as it arrives: a
 * failed request must carry `{"error": {"code", "message"}}` with a known code and the HTTP
 * status the code table gives. A departure is recorded as a protocol violation.
 *
 * Every exchange is also kept, secrets masked and bodies cut, so that a failed check can show
 * what was sent and what came back (30.6); a request that gets no answer throws a
 * {@link TransportError} naming the node, the request and the cause.
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
  /** The request and answer as the reports show them. */
  exchange: Exchange
}

/** One request and what came back, as a report shows it: secrets masked, bodies cut. */
export interface Exchange {
  /** Who was called: `node A`, `node B`, or the URL's origin for anything else. */
  target: string
  request: { method: string; url: string; headers: Record<string, string>; body?: string }
  response?: { status: number; body: string }
  /** Why no answer came (transport failure), when none did. */
  error?: string
}

/** A request that got no HTTP answer: refused, reset, timed out, or an unusable URL. */
export class TransportError extends Error {
  constructor(readonly exchange: Exchange) {
    super(
      `${exchange.target}: ${exchange.request.method} ${exchange.request.url}: ${exchange.error}`,
    )
    this.name = 'TransportError'
  }
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

/** Longest body excerpt a report keeps. */
export const BODY_EXCERPT = 200

const targets = new Map<string, string>()
const secrets = new Set<string>()
let last: Exchange | undefined

/** Names the endpoint at `url` (its origin) in messages and reports, e.g. `node A`. */
export function nameTarget(url: string, name: string): void {
  targets.set(new URL(url).origin, name)
}

/** Masks `secret` wherever it would appear in a recorded exchange. */
export function maskSecret(secret: string): void {
  if (secret.length >= 8) secrets.add(secret)
}

/** The last exchange since {@link forgetExchanges} (what a failed check last did). */
export function lastExchange(): Exchange | undefined {
  return last
}

export function forgetExchanges(): void {
  last = undefined
}

function targetOf(url: string): string {
  try {
    const origin = new URL(url).origin
    const name = targets.get(origin)
    return name ? `${name} (${origin})` : origin
  } catch {
    return url
  }
}

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$|token|secret/i
const SECRET_FIELD =
  /("(?:token|accessToken|refreshToken|idToken|apiKey|secret|password)"\s*:\s*)"[^"]*"/g

function mask(text: string): string {
  let out = text.replace(SECRET_FIELD, '$1"[masked]"')
  for (const s of secrets) out = out.split(s).join('[masked]')
  return out
}

/** `text` masked and cut to {@link BODY_EXCERPT} characters, saying how long it was. */
export function excerpt(text: string, max = BODY_EXCERPT): string {
  const t = mask(text).replace(/\s+/g, ' ').trim()
  return t.length > max ? `${t.slice(0, max)}… (${text.length} characters)` : t
}

function bodyText(body: string | Uint8Array | undefined): string | undefined {
  if (body === undefined) return undefined
  if (typeof body === 'string') return excerpt(body)
  try {
    const t = new TextDecoder('utf-8', { fatal: true }).decode(body)
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(t)) return excerpt(t)
  } catch {
    // not text
  }
  return `<${body.length} bytes, binary>`
}

function maskedHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (SECRET_HEADER.test(k)) {
      const scheme = /^(\w+) /.exec(v)?.[1]
      out[k] = scheme ? `${scheme} [masked]` : '[masked]'
    } else out[k] = mask(v).slice(0, 300)
  }
  return out
}

/** What a fetch failure was, in words: the socket error's code, or the timeout. */
export function transportCause(e: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs / 1000} s (timeout)`
  const err = e as {
    message?: string
    cause?: { code?: string; message?: string; errors?: unknown[] }
  }
  const cause = err?.cause
  const code =
    cause?.code ??
    (cause?.errors?.find((x) => (x as { code?: string })?.code) as { code?: string } | undefined)
      ?.code
  const detail = cause?.message && cause.message !== code ? cause.message : undefined
  if (code) return detail ? `${code} (${detail})` : code
  return detail ?? err?.message ?? String(e)
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
  const timeoutMs = o.timeoutMs ?? 30_000
  const ctl = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    ctl.abort()
  }, timeoutMs)
  const exchange: Exchange = {
    target: targetOf(url),
    request: {
      method: init.method ?? 'GET',
      url,
      headers: maskedHeaders(init.headers),
      ...(init.body !== undefined ? { body: bodyText(init.body) } : {}),
    },
  }
  last = exchange
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
  } catch (e) {
    exchange.error = transportCause(e, timedOut, timeoutMs)
    throw new TransportError(exchange)
  } finally {
    clearTimeout(timer)
  }
  exchange.response = { status: res.status, body: excerpt(text) }
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
  return {
    status: res.status,
    headers: res.headers,
    body: body as T,
    text,
    code,
    message,
    exchange,
  }
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
