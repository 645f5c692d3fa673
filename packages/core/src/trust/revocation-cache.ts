/**
 * @module trust/revocation-cache
 * Revocation lists fetched from operators and kept, with bounded staleness
 * (`spec/21-operator-pki.md` section 6.4). A check never waits on the network while a usable
 * list is held: a list is used as is before its next-update, and for up to `maxStaleness` after
 * it while a refresh runs in the background. Only with no usable list does a check wait, for one
 * fetch with a deadline; after a failed fetch, further checks fail at once until `retryAfter` has
 * passed. So an unreachable operator costs at most one timeout per `retryAfter`, never a hang per
 * delivery, and past the bound deliveries fail with `ERR_CERT_REVOCATION_UNAVAILABLE` (503,
 * retried later) rather than being accepted blind.
 */
import { toBase64Url, toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import type { RevocationStatus } from '../x509/validate.js'
import { boundedGet, type FetchLike } from './bounded-fetch.js'
import { assertWithinEndpoints, wellKnownUrl } from './endpoints.js'
import {
  findRevoked,
  REVOCATION_LIST_LIMITS,
  verifyRevocationList,
  type RevocationList,
} from './revocation-list.js'
import type {
  RevocationChecker,
  RevocationContext,
  RevocationSource,
} from './revocation-checker.js'
import type { UnixSeconds } from './types.js'

/** Default bound on staleness: 24 hours past a list's next-update. */
export const DEFAULT_REVOCATION_STALENESS = 86_400

/** Options of {@link RevocationCache}. */
export interface RevocationCacheOptions {
  /** Transport; without one the cache holds only lists given to {@link RevocationCache.install}. */
  fetch?: FetchLike
  /** Clock, Unix seconds. Default: the system clock. */
  now?: () => UnixSeconds
  /** Seconds past next-update a list is still used. Default {@link DEFAULT_REVOCATION_STALENESS}. */
  maxStaleness?: number
  /** Deadline of one fetch, milliseconds. Default 2000. */
  timeoutMs?: number
  /** Seconds after a failed fetch before the next attempt. Default 60. */
  retryAfter?: number
  /**
   * Called with each list fetched and verified, so a node can keep it across restarts (spec 21.6:
   * a verifier keeps the newest list it has) and {@link RevocationCache.install} it at start.
   * Errors it throws are ignored: keeping a copy must never fail a check.
   */
  onFetched?: (bytes: Uint8Array, list: RevocationList, operator: string) => void | Promise<void>
}

interface Slot {
  list?: RevocationList
  inFlight?: Promise<RevocationList>
  failedAt?: UnixSeconds
}

/**
 * The path of an operator CA's revocation list under an endpoint.
 *
 * @example
 * ```ts
 * revocationListUrl('https://barid.post.eg/', caCert) // 'https://barid.post.eg/.well-known/barid-revocations/<kid>'
 * ```
 */
export function revocationListUrl(endpoint: string, ca: ParsedCertificate): string {
  return wellKnownUrl(endpoint, `barid-revocations/${toBase64Url(ca.kid ?? new Uint8Array())}`)
}

/**
 * A {@link RevocationChecker} over fetched and installed revocation lists.
 *
 * @example
 * ```ts
 * const revocation = new RevocationCache({ fetch, now })
 * const store = await TrustStore.open(list, { revocation, now })
 * ```
 */
export class RevocationCache implements RevocationChecker {
  readonly #slots = new Map<string, Slot>()
  readonly #fetch: FetchLike | undefined
  readonly #now: () => UnixSeconds
  readonly #maxStaleness: number
  readonly #timeoutMs: number
  readonly #retryAfter: number
  readonly #onFetched: RevocationCacheOptions['onFetched']

  constructor(options: RevocationCacheOptions = {}) {
    this.#fetch = options.fetch
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000))
    this.#maxStaleness = options.maxStaleness ?? DEFAULT_REVOCATION_STALENESS
    this.#timeoutMs = options.timeoutMs ?? 2000
    this.#retryAfter = options.retryAfter ?? 60
    this.#onFetched = options.onFetched
  }

  /**
   * Verifies and keeps a revocation list obtained another way (pushed, read from a file). A list
   * with a lower sequence than the one held is ignored. Returns the list now held.
   *
   * @example
   * ```ts
   * await cache.install(bytes, { operator: 'post.eg', cas: store.casOf('post.eg') })
   * ```
   */
  async install(
    bytes: Uint8Array,
    options: { operator: string; cas: readonly ParsedCertificate[] },
  ): Promise<RevocationList> {
    const list = await verifyRevocationList(bytes, options)
    return this.#keep(toHex(list.caKid), list)
  }

  /** `revoked` when the certificate is revoked from a time at or before `context.at`, else `good`. */
  async status(cert: ParsedCertificate, context: RevocationContext): Promise<RevocationStatus> {
    const list = await this.#usableList(context)
    const entry = findRevoked(list, cert.serialNumber)
    return entry !== undefined && context.at >= entry.at ? 'revoked' : 'good'
  }

  /**
   * The newest list held for the CA `source.issuer`, for an evidence bundle (spec 21.7): a usable
   * list as {@link RevocationCache.status} would use, fetched once within the deadline when none
   * is held or the one held is past the staleness bound; failing that fetch, the newest one held
   * all the same (an offline verifier judges a list by its signed content, not by its age, and a
   * retired CA's list may no longer be served, 21.6.2). `ERR_CERT_REVOCATION_UNAVAILABLE`, naming
   * the operator and the CA's key id, when there is none at all.
   *
   * @example
   * ```ts
   * const list = await cache.newestList({ operator: 'digitalpost.dk', issuer: ca, endpoints })
   * bundleLists.push(list.bytes)
   * ```
   */
  async newestList(source: RevocationSource): Promise<RevocationList> {
    try {
      return await this.#usableList(source)
    } catch (cause) {
      const held = this.#slots.get(toHex(source.issuer.kid ?? new Uint8Array()))?.list
      if (held !== undefined) return held
      const ca = toBase64Url(source.issuer.kid ?? new Uint8Array())
      throw new BaridError(
        'ERR_CERT_REVOCATION_UNAVAILABLE',
        `no revocation list of ${source.operator} CA ${ca} is held or can be fetched`,
        { cause, details: { operator: source.operator, ca } },
      )
    }
  }

  async #usableList(context: RevocationSource): Promise<RevocationList> {
    const { issuer } = context
    const key = toHex(issuer.kid ?? new Uint8Array())
    const slot = this.#slots.get(key) ?? {}
    this.#slots.set(key, slot)
    const now = this.#now()
    const held = slot.list
    if (held !== undefined && now < held.nextUpdate) return held
    if (held !== undefined && now < held.nextUpdate + this.#maxStaleness) {
      // Stale but within the bound: use it, and refresh without making this check wait.
      this.#refresh(slot, key, context).catch(() => undefined)
      return held
    }
    try {
      const fresh = await this.#refresh(slot, key, context)
      if (now >= fresh.nextUpdate + this.#maxStaleness)
        throw new Error('the newest list is past the staleness bound')
      return fresh
    } catch (cause) {
      throw new BaridError(
        'ERR_CERT_REVOCATION_UNAVAILABLE',
        'no revocation list within the allowed staleness',
        {
          cause,
          details: { operator: context.operator },
        },
      )
    }
  }

  #refresh(slot: Slot, key: string, context: RevocationSource): Promise<RevocationList> {
    if (slot.inFlight !== undefined) return slot.inFlight
    const now = this.#now()
    if (this.#fetch === undefined) return Promise.reject(new Error('no transport'))
    if (slot.failedAt !== undefined && now - slot.failedAt < this.#retryAfter)
      return Promise.reject(new Error('cooling down'))
    const fetch = this.#fetch
    slot.inFlight = (async () => {
      let last: unknown
      for (const endpoint of context.endpoints) {
        try {
          const url = assertWithinEndpoints(
            revocationListUrl(endpoint, context.issuer),
            context.endpoints,
          )
          const bytes = await boundedGet(url, {
            fetch,
            timeoutMs: this.#timeoutMs,
            maxBytes: REVOCATION_LIST_LIMITS.maxBytes,
            accept: 'application/barid-revocation-list+cose',
          })
          const list = await verifyRevocationList(bytes, {
            operator: context.operator,
            cas: [context.issuer],
          })
          slot.failedAt = undefined
          if (this.#onFetched !== undefined) {
            await Promise.resolve()
              .then(() => this.#onFetched?.(bytes, list, context.operator))
              .catch(() => undefined)
          }
          return this.#keep(key, list)
        } catch (e) {
          last = e
        }
      }
      slot.failedAt = this.#now()
      throw last ?? new Error('no endpoints')
    })().finally(() => {
      slot.inFlight = undefined
    })
    return slot.inFlight
  }

  #keep(key: string, list: RevocationList): RevocationList {
    const slot = this.#slots.get(key) ?? {}
    this.#slots.set(key, slot)
    if (slot.list === undefined || list.sequence >= slot.list.sequence) slot.list = list
    return slot.list
  }
}
