/**
 * @module http/transport
 * One HTTP request to a node, with what every call needs: the credential, a timeout, the error
 * mapping of {@link errorFromResponse}, and retries of repeatable requests under
 * {@link RetryPolicy}. Uses the global `fetch` (or an injected one), so it runs in browsers,
 * Node 20 and workers alike.
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import { BaridError } from '../core.js'
import { errorFromResponse, transportError } from './errors.js'
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelay, type RetryPolicy } from './retry-policy.js'

/** The subset of `fetch` the client uses. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/** Options shared by every client's HTTP layer. */
export interface TransportOptions {
  /** The node's base URL, e.g. `https://barid.digitalpost.dk` (no trailing slash needed). */
  baseUrl: string
  /** The `Authorization` header value, asked for before each attempt (tokens may be refreshed). */
  authorization?: () => string | Promise<string>
  fetch?: FetchLike
  /** Time allowed for a request until the response headers arrive. Default 30 s. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /**
   * Shown every answer the node gives, refusals included, before it is read: for signals that
   * ride on any answer (spec 12.1 `Api-Key-Expires`). Must not throw.
   */
  onResponse?: (res: Response) => void
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
}

/** One request. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Path below the base URL, starting with `/`. */
  path: string
  query?: Record<string, string | number | boolean | undefined>
  /** A JSON body. */
  json?: unknown
  /** A raw body; a function so that a retry gets a fresh stream. */
  body?: () => BodyInit | Promise<BodyInit>
  headers?: Record<string, string>
  /** Safe to repeat (reads, uploads by digest, submissions with an Idempotency-Key). */
  repeatable: boolean
  /** Overrides the transport's timeout (0: none, e.g. large uploads). */
  timeoutMs?: number
}

/** An HTTP layer bound to one node and credential. */
export interface Transport {
  readonly baseUrl: string
  /** Sends the request; resolves with a 2xx response, or throws a {@link BaridError}. */
  send(spec: RequestSpec): Promise<Response>
  /** Sends the request and parses a JSON answer (undefined for 204). */
  json<T>(spec: RequestSpec): Promise<{ status: number; headers: Headers; data: T }>
}

const sleeper = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

function url(baseUrl: string, path: string, query: RequestSpec['query']): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v))
  const s = q.toString()
  return `${baseUrl}${path}${s ? `?${s}` : ''}`
}

/**
 * Creates the HTTP layer for one node.
 *
 * @example
 * ```ts
 * const t = createTransport({ baseUrl: 'http://127.0.0.1:7401', authorization: () => `Bearer ${apiKey}` })
 * const { data } = await t.json<{ keys: unknown[] }>({ method: 'GET', path: '/v1/sender/keys', repeatable: true })
 * ```
 */
export function createTransport(o: TransportOptions): Transport {
  check(o.baseUrl, shape.baseUrl, 'options.baseUrl')
  const baseUrl = o.baseUrl.replace(/\/+$/, '')
  const doFetch: FetchLike = o.fetch ?? ((input, init) => fetch(input, init))
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...o.retry }
  const sleep = o.sleep ?? sleeper
  const random = o.random ?? Math.random
  const now = o.now ?? Date.now
  const defaultTimeout = o.timeoutMs ?? 30_000

  // `read`: the body is read within the timeout too (JSON answers); otherwise the caller
  // streams it (attachments) and the timeout ends with the headers.
  async function attempt(
    spec: RequestSpec,
    read: boolean,
  ): Promise<{ res: Response; text?: string }> {
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers }
    if (o.authorization) headers.authorization = await o.authorization()
    let body: BodyInit | undefined
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(spec.json)
    } else if (spec.body) {
      body = await spec.body()
    }
    const timeout = spec.timeoutMs ?? defaultTimeout
    const controller = new AbortController()
    const timer = timeout > 0 ? setTimeout(() => controller.abort(), timeout) : undefined
    const init: RequestInit & { duplex?: 'half' } = {
      method: spec.method,
      headers,
      signal: controller.signal,
      redirect: 'error',
    }
    if (body !== undefined) init.body = body
    // A stream body needs half duplex (Fetch standard); other bodies ignore it.
    if (body instanceof ReadableStream) init.duplex = 'half'
    try {
      const res = await doFetch(url(baseUrl, spec.path, spec.query), init)
      o.onResponse?.(res)
      if (!res.ok) throw await errorFromResponse(res, now())
      return read ? { res, text: await res.text() } : { res }
    } catch (e) {
      if (e instanceof BaridError) throw e
      throw transportError(controller.signal.aborted ? 'timeout' : 'network', e, baseUrl)
    } finally {
      if (timer !== undefined) clearTimeout(timer)
    }
  }

  async function run(spec: RequestSpec, read: boolean): Promise<{ res: Response; text?: string }> {
    for (let n = 0; ; n++) {
      try {
        return await attempt(spec, read)
      } catch (e) {
        if (
          !(e instanceof BaridError) ||
          !spec.repeatable ||
          n >= policy.retries ||
          !isRetryable(e)
        )
          throw e
        const retryAfter =
          typeof e.details?.retryAfter === 'number' ? e.details.retryAfter : undefined
        const wait = retryDelay(n, policy, random, retryAfter)
        if (wait === undefined) throw e
        await sleep(wait)
      }
    }
  }

  return {
    baseUrl,
    async send(spec) {
      return (await run(spec, false)).res
    },
    async json<T>(spec: RequestSpec) {
      const { res, text = '' } = await run(spec, true)
      let data: T
      try {
        data = (text === '' ? undefined : JSON.parse(text)) as T
      } catch (e) {
        throw new BaridError('ERR_INTERNAL', 'the node answered with a body that is not JSON', {
          cause: e,
          details: { httpStatus: res.status },
        })
      }
      return { status: res.status, headers: res.headers, data }
    },
  }
}
