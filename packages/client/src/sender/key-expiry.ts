/**
 * @module sender/key-expiry
 * Reads `Api-Key-Expires` on the sender API's answers (spec 12.1): the API key in use is in the
 * grace period of a rotation and stops working at the time given. The organisation is told once
 * per end the node gives, so that whoever holds the key moves its systems to the new one before
 * they start failing with `ERR_UNAUTHENTICATED`; an alert each request would be noise.
 */

/** The answer header, as `Headers` reads it. */
const HEADER = 'api-key-expires'

const RFC_3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i

/** What `onKeyExpiring` is told: which key ends, and when (RFC 3339, UTC). */
export interface KeyExpiring {
  /** The `keyId` part of the API key (`barid_sk_<keyId>.<secret>`): never the secret. */
  keyId: string
  expiresAt: string
}

/**
 * A watcher for the transport's answers that calls `tell` the first time an answer gives the
 * key an end, and again whenever the end changes (a later rotation can shorten it). An end that
 * is not an RFC 3339 time is ignored; what `tell` throws or rejects with is ignored too, so that
 * the organisation's alerting can never fail the call that brought the news.
 *
 * @example
 * ```ts
 * const watch = keyExpiryWatcher(apiKey, (e) => alert(`API key ${e.keyId} ends ${e.expiresAt}`))
 * const transport = createTransport({ baseUrl, onResponse: watch })
 * ```
 */
export function keyExpiryWatcher(
  apiKey: string,
  tell: (e: KeyExpiring) => unknown,
): (res: Response) => void {
  const keyId = apiKey.slice('barid_sk_'.length).split('.')[0]!
  let told: string | undefined
  return (res) => {
    const value = res.headers.get(HEADER)?.trim()
    if (value === undefined || !RFC_3339.test(value)) return
    const ms = Date.parse(value)
    if (!Number.isFinite(ms)) return
    const expiresAt = new Date(ms).toISOString()
    if (expiresAt === told) return
    told = expiresAt
    try {
      const r = tell({ keyId, expiresAt })
      if (r instanceof Promise) r.catch(() => undefined)
    } catch {
      // the organisation's callback failing is its own affair
    }
  }
}
