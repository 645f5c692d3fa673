/**
 * @module trust/endpoints
 * Operator endpoints and the rule that decides which URLs a node may fetch
 * (`spec/20-trust-list.md` section 3.3, `spec/22-discovery.md` section 4). An endpoint is a base
 * URL in canonical form (WHATWG URL serialisation), https, without credentials, query or
 * fragment, ending in `/`. Plain http is allowed only on loopback hosts, for a federation on one
 * machine. A URL is fetchable for an operator only when it lies under one of that operator's
 * endpoints: same scheme, host and port, and a path that extends the endpoint's path. Nothing
 * a peer or a message says can add to that set, which is what closes server-side request
 * forgery through crafted addresses.
 */
import { BaridError, type BaridErrorCode } from '../errors.js'

/** Longest endpoint URL accepted. */
export const MAX_ENDPOINT_LENGTH = 512

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Checks that `input` is an endpoint in canonical form and returns it; throws `code` otherwise.
 *
 * @example
 * ```ts
 * parseEndpoint('https://barid.post.eg/', 'ERR_TRUST_LIST_MALFORMED') // 'https://barid.post.eg/'
 * parseEndpoint('https://barid.post.eg', 'ERR_TRUST_LIST_MALFORMED') // throws: not canonical
 * ```
 */
export function parseEndpoint(input: unknown, code: BaridErrorCode): string {
  if (typeof input !== 'string' || input.length > MAX_ENDPOINT_LENGTH) {
    throw new BaridError(
      code,
      `an endpoint must be a URL of at most ${MAX_ENDPOINT_LENGTH} characters`,
    )
  }
  const url = parseUrl(input)
  const problem = url === undefined ? 'is not an absolute URL' : endpointProblem(url, input)
  if (problem !== undefined)
    throw new BaridError(code, `endpoint ${problem}`, { details: { field: 'endpoints' } })
  return input
}

function endpointProblem(url: URL, input: string): string | undefined {
  if (url.href !== input) return 'is not in canonical form'
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  ) {
    return 'must use https (http only on loopback)'
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials'
  if (url.search !== '' || url.hash !== '' || input.includes('?') || input.includes('#')) {
    return 'must not have a query or fragment'
  }
  if (!url.pathname.endsWith('/')) return 'must end with "/"'
  return undefined
}

/**
 * True when `url` lies under one of `endpoints` (same origin, path prefix at a segment boundary)
 * and has no credentials or fragment. Dot segments and percent-encoded slashes cannot escape the
 * prefix: the comparison is on the parsed, normalised URL, and `%2f`/`%5c` are refused outright.
 *
 * @example
 * ```ts
 * isWithinEndpoints('https://barid.post.eg/.well-known/barid-node', ['https://barid.post.eg/']) // true
 * isWithinEndpoints('https://barid.post.eg.evil.example/', ['https://barid.post.eg/']) // false
 * ```
 */
export function isWithinEndpoints(url: string, endpoints: readonly string[]): boolean {
  if (typeof url !== 'string' || url.length > 2048 || /%2f|%5c|\\/i.test(url)) return false
  const u = parseUrl(url)
  if (u === undefined || u.username !== '' || u.password !== '' || u.hash !== '') return false
  for (const e of endpoints) {
    const base = parseUrl(e)
    if (base === undefined) continue
    if (
      u.protocol === base.protocol &&
      u.host === base.host &&
      u.pathname.startsWith(base.pathname)
    )
      return true
  }
  return false
}

/**
 * Throws `ERR_DISCOVERY_URL_REFUSED` unless {@link isWithinEndpoints}; returns the normalised URL.
 *
 * @example
 * ```ts
 * const target = assertWithinEndpoints(candidate, operator.endpoints)
 * ```
 */
export function assertWithinEndpoints(url: string, endpoints: readonly string[]): string {
  if (!isWithinEndpoints(url, endpoints)) {
    // The URL is not echoed: it may be attacker-chosen and end up in logs.
    throw new BaridError(
      'ERR_DISCOVERY_URL_REFUSED',
      "URL is not within the operator's listed endpoints",
    )
  }
  return (parseUrl(url) as URL).href
}

/**
 * The URL of a well-known document under an endpoint: `<endpoint>.well-known/<name>`. For an
 * endpoint at an origin's root (as spec/20 recommends) this is a well-known URI (RFC 8615
 * section 3); for one with a path it stays under that path, so it is always fetchable.
 *
 * @example
 * ```ts
 * wellKnownUrl('https://barid.post.eg/', 'barid-node') // 'https://barid.post.eg/.well-known/barid-node'
 * ```
 */
export function wellKnownUrl(endpoint: string, name: string): string {
  return new URL(`.well-known/${name}`, endpoint).href
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s)
  } catch {
    return undefined
  }
}
