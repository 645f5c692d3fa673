/**
 * @module trust/discovery-trust
 * The evidence key of the operator whose node the client talks to, read from that node's
 * discovery document (`/.well-known/barid`, spec 11.3). The document is signed with the node's
 * request-signing key, which it lists itself, so the signature proves only that it is whole;
 * what makes it trustworthy is the channel: the client already trusts its own node's HTTPS
 * origin with its credentials. Another operator's keys come from a federation file or the
 * trust list, never from a document that introduces itself; pass `requestKid` to pin the
 * node's key when you know it.
 */
import { BaridError, fromBase64Url, importPublicJwk, parseOperatorId } from '../core.js'
import { errorFromResponse, transportError } from '../http/errors.js'
import type { FetchLike } from '../http/transport.js'
import { splitJws, verifyJwsParts } from './jws.js'
import { staticTrust, type KeyTrust, type TrustedKey } from './key-trust.js'

export const DISCOVERY_TYP = 'barid-discovery+jws'

/** What the client uses of a discovery document. */
export interface NodeDiscovery {
  operator: string
  country: string
  endpoints: { federation: string; sender: string; citizen: string }
  evidenceKeys: (TrustedKey & { kid: string })[]
  expiresAt: number
}

/** Options for {@link fetchDiscovery}. */
export interface FetchDiscoveryOptions {
  fetch?: FetchLike
  /** The node's request-signing kid, when known out of band: the document must be signed with it. */
  requestKid?: string
  /** The operator the node must be. */
  operator?: string
  now?: () => number
  timeoutMs?: number
}

function bad(message: string): never {
  throw new BaridError('ERR_DISCOVERY_MALFORMED', `discovery document: ${message}`)
}

/**
 * Fetches and checks a node's discovery document.
 *
 * @example
 * ```ts
 * const d = await fetchDiscovery('http://127.0.0.1:7402')
 * d.operator // 'digitalpost.dk'
 * ```
 */
export async function fetchDiscovery(
  baseUrl: string,
  o: FetchDiscoveryOptions = {},
): Promise<NodeDiscovery> {
  const doFetch = o.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init))
  const now = (o.now ?? Date.now)()
  const signal = AbortSignal.timeout(o.timeoutMs ?? 10_000)
  let res: Response
  let body: unknown
  try {
    res = await doFetch(`${baseUrl.replace(/\/+$/, '')}/.well-known/barid`, {
      redirect: 'error',
      signal,
      headers: { accept: 'application/json' },
    })
    if (!res.ok) throw await errorFromResponse(res, now)
    const text = await res.text()
    if (text.length > 256 * 1024) bad('too large')
    body = JSON.parse(text) as unknown
  } catch (e) {
    if (e instanceof BaridError) throw e
    if (e instanceof SyntaxError) bad('not JSON')
    throw transportError(signal.aborted ? 'timeout' : 'network', e)
  }
  const parts = splitJws(body, DISCOVERY_TYP, 'ERR_DISCOVERY_MALFORMED')
  if (o.requestKid !== undefined && parts.header.kid !== o.requestKid) {
    throw new BaridError(
      'ERR_KEY_NOT_FOUND',
      'the discovery document is not signed with the pinned request-signing key',
    )
  }
  // Read the listed keys to find the signer, then verify, then trust the rest of the payload.
  let unverified: Record<string, unknown>
  try {
    unverified = JSON.parse(new TextDecoder().decode(fromBase64Url(parts.payloadB64))) as Record<
      string,
      unknown
    >
  } catch {
    bad('payload is not JSON')
  }
  const keys = Array.isArray(unverified.keys)
    ? unverified.keys.slice(0, 16)
    : bad('keys must be an array')
  const signer = keys.find(
    (k) =>
      typeof k === 'object' &&
      k !== null &&
      (k as { use?: unknown }).use === 'request-signing' &&
      (k as { kid?: unknown }).kid === parts.header.kid,
  ) as { jwk: unknown } | undefined
  if (!signer)
    throw new BaridError(
      'ERR_KEY_NOT_FOUND',
      'the discovery document is not signed by a key it lists',
    )
  const signerKey = await importPublicJwk(signer.jwk, { use: 'sign' })
  if (signerKey.kidBase64Url !== parts.header.kid)
    throw new BaridError('ERR_KEY_INVALID', 'discovery document: a kid does not match its key')
  const doc = await verifyJwsParts(parts, signerKey.publicKey)
  if (doc.v !== 1)
    throw new BaridError('ERR_UNSUPPORTED_VERSION', 'discovery document version is not 1')
  const operator = parseOperatorId(doc.operator)
  if (o.operator !== undefined && operator !== parseOperatorId(o.operator)) {
    throw new BaridError('ERR_CERT_OPERATOR_MISMATCH', 'the node is not the operator expected')
  }
  const expiresAt = typeof doc.expiresAt === 'string' ? Date.parse(doc.expiresAt) : NaN
  if (Number.isNaN(expiresAt)) bad('expiresAt must be a time')
  if (expiresAt <= now)
    throw new BaridError('ERR_DISCOVERY_EXPIRED', 'the discovery document has expired')
  const evidenceKeys: NodeDiscovery['evidenceKeys'] = []
  for (const k of (Array.isArray(doc.keys) ? doc.keys : []).slice(0, 16)) {
    const entry = k as { use?: unknown; kid?: unknown; jwk?: unknown }
    if (entry.use !== 'evidence-signing') continue
    const h = await importPublicJwk(entry.jwk, { use: 'sign' })
    if (h.kidBase64Url !== entry.kid)
      throw new BaridError('ERR_KEY_INVALID', 'discovery document: a kid does not match its key')
    evidenceKeys.push({ kid: h.kidBase64Url, key: h.publicKey, operator, retiredAt: null })
  }
  const e = (doc.endpoints ?? {}) as Record<string, unknown>
  const str = (v: unknown, what: string) =>
    typeof v === 'string' ? v : bad(`${what} must be a string`)
  return {
    operator,
    country: str(doc.country, 'country'),
    endpoints: {
      federation: str(e.federation, 'endpoints.federation'),
      sender: str(e.sender, 'endpoints.sender'),
      citizen: str(e.citizen, 'endpoints.citizen'),
    },
    evidenceKeys,
    expiresAt,
  }
}

/**
 * A {@link KeyTrust} holding the evidence keys a node's discovery document lists for its own
 * operator. The document is fetched on first use and again after it expires.
 *
 * @example
 * ```ts
 * const trust = trustFromDiscovery('https://barid.digitalpost.dk')
 * ```
 */
export function trustFromDiscovery(baseUrl: string, o: FetchDiscoveryOptions = {}): KeyTrust {
  const now = o.now ?? Date.now
  let cached: Promise<{ trust: KeyTrust; expiresAt: number }> | undefined
  const load = () => {
    const p = fetchDiscovery(baseUrl, o).then((d) => ({
      trust: staticTrust(d.evidenceKeys),
      expiresAt: d.expiresAt,
    }))
    // A failed fetch is not cached: the next call tries again.
    p.catch(() => {
      if (cached === p) cached = undefined
    })
    return p
  }
  return {
    async evidenceKey(kid) {
      cached ??= load()
      let c = await cached
      if (c.expiresAt <= now()) {
        cached = load()
        c = await cached
      }
      return c.trust.evidenceKey(kid)
    },
  }
}
