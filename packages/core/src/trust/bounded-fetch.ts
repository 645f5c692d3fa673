/**
 * @module trust/bounded-fetch
 * The one way this module talks to the network (`spec/22-discovery.md` section 4): a GET with a
 * deadline covering headers and body, a size cap enforced while reading, and redirects refused
 * rather than followed (a redirect could lead anywhere, defeating the endpoint rule). The fetch
 * function is injected, so tests and nodes choose the transport.
 */
import { concatBytes } from '../bytes.js'
import { BaridError } from '../errors.js'

/** The subset of the WHATWG `fetch` this module uses. */
export type FetchLike = (
  input: string,
  init: { method: 'GET'; redirect: 'manual'; signal: AbortSignal; headers: Record<string, string> },
) => Promise<Response>

/** Options for {@link boundedGet}. */
export interface BoundedGetOptions {
  fetch: FetchLike
  /** Deadline for the whole exchange, in milliseconds. */
  timeoutMs: number
  /** Largest body accepted, in bytes. */
  maxBytes: number
  /** Value of the Accept header. */
  accept: string
}

/**
 * GETs `url` and returns the body bytes of a 200 answer. Throws `ERR_DISCOVERY_REDIRECT` on any
 * redirect, `ERR_DISCOVERY_TIMEOUT` past the deadline, `ERR_DISCOVERY_UNAVAILABLE` on a network
 * error, any other status, or a body over `maxBytes`. Messages never echo the URL or the body.
 *
 * @example
 * ```ts
 * const body = await boundedGet(url, { fetch, timeoutMs: 3000, maxBytes: 65536, accept: 'application/cose' })
 * ```
 */
export async function boundedGet(url: string, options: BoundedGetOptions): Promise<Uint8Array> {
  const controller = new AbortController()
  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true
      controller.abort()
      reject(
        new BaridError('ERR_DISCOVERY_TIMEOUT', 'fetch did not complete in time', {
          details: { timeoutMs: options.timeoutMs },
        }),
      )
    }, options.timeoutMs)
  })
  try {
    // Racing the deadline also covers a fetch implementation that ignores the abort signal.
    return await Promise.race([exchange(url, options, controller.signal), deadline])
  } catch (e) {
    if (timedOut) {
      throw new BaridError('ERR_DISCOVERY_TIMEOUT', 'fetch did not complete in time', {
        details: { timeoutMs: options.timeoutMs },
      })
    }
    if (e instanceof BaridError) throw e
    throw new BaridError('ERR_DISCOVERY_UNAVAILABLE', 'fetch failed', {
      cause: e,
      details: { reason: 'network' },
    })
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
}

async function exchange(
  url: string,
  o: BoundedGetOptions,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const res = await o.fetch(url, {
    method: 'GET',
    redirect: 'manual',
    signal,
    headers: { accept: o.accept },
  })
  // 'opaqueredirect' is what browsers return for redirect: 'manual'; Node returns the 3xx itself.
  // `redirected` and a changed `url` catch an injected fetch that followed one anyway.
  if (
    res.type === 'opaqueredirect' ||
    (res.status >= 300 && res.status < 400) ||
    res.redirected ||
    (res.url !== '' && res.url !== url)
  ) {
    await res.body?.cancel().catch(() => undefined)
    throw new BaridError('ERR_DISCOVERY_REDIRECT', 'redirects are never followed', {
      details: { status: res.status },
    })
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined)
    throw new BaridError('ERR_DISCOVERY_UNAVAILABLE', 'unexpected HTTP status', {
      details: { reason: 'status', status: res.status },
    })
  }
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > o.maxBytes) {
    await res.body?.cancel().catch(() => undefined)
    throw tooLarge(o.maxBytes)
  }
  if (res.body === null) return new Uint8Array(0)
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > o.maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(o.maxBytes)
    }
    parts.push(value)
  }
  return concatBytes(...parts)
}

function tooLarge(maxBytes: number): BaridError {
  return new BaridError('ERR_DISCOVERY_UNAVAILABLE', 'response body exceeds the size limit', {
    details: { reason: 'size', maxBytes },
  })
}
