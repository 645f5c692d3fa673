/**
 * @module trust/discovery-client
 * Finding a peer node's key by its key id (`spec/22-discovery.md` section 4). Documents are
 * fetched only from the operator's endpoints in the trust list (never from a URL a message or a
 * peer supplies), with a deadline, a size cap and no redirects; cached up to a maximum age (and
 * never past the document's own expiry); one in-flight fetch per operator is shared. An unknown
 * key id triggers one refresh, at most once per cooldown, so a stream of made-up key ids cannot
 * turn a node into a request amplifier.
 */
import { bytesEqual, toBase64Url } from '../bytes.js'
import { BaridError } from '../errors.js'
import { boundedGet, type FetchLike } from './bounded-fetch.js'
import {
  DISCOVERY_LIMITS,
  verifyDiscoveryDocument,
  type DiscoveryDocument,
  type NodeKey,
  type NodeKeyUse,
} from './discovery-document.js'
import { assertWithinEndpoints, wellKnownUrl } from './endpoints.js'
import type { TrustStore, ValidatedPeer } from './trust-store.js'
import type { UnixSeconds } from './types.js'

/** Name of the well-known resource (RFC 8615) that serves a node's discovery document. */
export const DISCOVERY_WELL_KNOWN = 'barid-node'

/** Options of {@link DiscoveryClient}. */
export interface DiscoveryClientOptions {
  trust: TrustStore
  fetch: FetchLike
  /** Clock, Unix seconds. Default: the system clock. */
  now?: () => UnixSeconds
  /** Longest a document is used before it is fetched again, seconds. Default 3600. */
  maxAge?: number
  /** Least time between two fetches for one operator, seconds (unknown kids, failures). Default 30. */
  cooldown?: number
  /** Deadline of one fetch, milliseconds. Default 3000. */
  timeoutMs?: number
}

/** A peer key valid for a signature made at a given time. */
export interface ResolvedKey extends NodeKey {
  readonly operator: string
  /** The trust-list validation of the key's certificate at that time. */
  readonly peer: ValidatedPeer
}

interface Slot {
  doc?: DiscoveryDocument
  fetchedAt?: UnixSeconds
  inFlight?: Promise<DiscoveryDocument>
  failedAt?: UnixSeconds
  failure?: unknown
}

/**
 * The URL of an operator's discovery document under an endpoint.
 *
 * @example
 * ```ts
 * discoveryUrl('https://barid.post.eg/') // 'https://barid.post.eg/.well-known/barid-node'
 * ```
 */
export function discoveryUrl(endpoint: string): string {
  return wellKnownUrl(endpoint, DISCOVERY_WELL_KNOWN)
}

/**
 * Resolves peer node keys through their discovery documents.
 *
 * @example
 * ```ts
 * const discovery = new DiscoveryClient({ trust: store, fetch: globalThis.fetch })
 * const key = await discovery.resolveKey('post.eg', kidFromHeader, { at: record.time })
 * await verifySign1(evidenceBytes, { key: key.publicKey })
 * ```
 */
export class DiscoveryClient {
  readonly #slots = new Map<string, Slot>()
  readonly #trust: TrustStore
  readonly #fetch: FetchLike
  readonly #now: () => UnixSeconds
  readonly #maxAge: number
  readonly #cooldown: number
  readonly #timeoutMs: number

  constructor(options: DiscoveryClientOptions) {
    this.#trust = options.trust
    this.#fetch = options.fetch
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000))
    this.#maxAge = options.maxAge ?? 3600
    this.#cooldown = options.cooldown ?? 30
    this.#timeoutMs = options.timeoutMs ?? 3000
  }

  /**
   * The operator's current discovery document: cached while younger than the maximum age and
   * not expired, else fetched. Throws the fetch or verification error.
   */
  async document(operator: string): Promise<DiscoveryDocument> {
    const slot = this.#slot(operator)
    const now = this.#now()
    if (
      slot.doc !== undefined &&
      slot.fetchedAt !== undefined &&
      now - slot.fetchedAt < this.#maxAge &&
      now < slot.doc.expires
    ) {
      return slot.doc
    }
    return this.#refresh(operator, slot)
  }

  /**
   * The key `kid` of `operator`, checked for a signature made at `at` (default now): not retired
   * at `at`, and its certificate valid for the operator at `at` in the trust list (status,
   * chain, CA retirement, revocation). An unknown kid refreshes the document once (subject to
   * the cooldown). Throws `ERR_KEY_NOT_FOUND`, `ERR_KEY_RETIRED`, the trust store's codes, or
   * the discovery codes of a failed fetch; `ERR_KEY_INVALID` when `use` is given and the key is
   * not published for it.
   *
   * `signedAt` separates the signature's claimed time from the time of the check: a federation
   * request is checked now (`at`) but its key's retirement is judged at its `created` time
   * (`signedAt`, spec 11.2 step 4), which the caller has already bounded by its freshness window.
   *
   * @example
   * ```ts
   * const key = await discovery.resolveKey('digitalpost.dk', kid, { at: signedAt, use: 'evidence-signing' })
   * const peer = await discovery.resolveKey('post.eg', kid, { signedAt: created, use: 'request-signing' })
   * ```
   */
  async resolveKey(
    operator: string,
    kid: Uint8Array,
    options: {
      at?: UnixSeconds
      signedAt?: UnixSeconds
      offline?: boolean
      use?: NodeKeyUse
    } = {},
  ): Promise<ResolvedKey> {
    const at = options.at ?? this.#now()
    const signedAt = options.signedAt ?? at
    // Refuse unlisted or inactive operators before any network traffic.
    this.#trust.assertActive(operator, { at, offline: options.offline === true })
    const key = await this.findKey(operator, kid)
    if (options.use !== undefined && !key.uses.includes(options.use)) {
      throw new BaridError('ERR_KEY_INVALID', `the key is not published for ${options.use}`, {
        details: { operator },
      })
    }
    if (key.retired !== undefined && signedAt >= key.retired) {
      throw new BaridError('ERR_KEY_RETIRED', 'the key was retired before that time', {
        details: { operator, retired: key.retired },
      })
    }
    const peer = await this.#trust.validatePeerChain(key.certificate, {
      operator,
      at,
      role: 'node',
      offline: options.offline === true,
    })
    return { ...key, operator, peer }
  }

  /**
   * The key `kid` as the operator's discovery document lists it, without any check of time: for
   * callers that learn the signing time only after the signature is verified (evidence), and then
   * call {@link TrustStore.validatePeerChain} at that time. Refreshes once on an unknown kid.
   * Throws `ERR_KEY_NOT_FOUND` or the discovery codes of a failed fetch.
   *
   * @example
   * ```ts
   * const key = await discovery.findKey('post.eg', kid)
   * ```
   */
  async findKey(operator: string, kid: Uint8Array): Promise<NodeKey> {
    let doc = await this.document(operator)
    let key = doc.keys.find((k) => bytesEqual(k.kid, kid))
    if (key === undefined) {
      const slot = this.#slot(operator)
      if (slot.fetchedAt === undefined || this.#now() - slot.fetchedAt >= this.#cooldown) {
        doc = await this.#refresh(operator, slot)
        key = doc.keys.find((k) => bytesEqual(k.kid, kid))
      }
    }
    if (key === undefined) {
      throw new BaridError(
        'ERR_KEY_NOT_FOUND',
        "no key with that id in the operator's discovery document",
        {
          details: { operator, kid: toBase64Url(kid) },
        },
      )
    }
    return key
  }

  /**
   * Fetches the discovery document from an explicit URL, which must lie within the operator's
   * endpoints in the trust list (`ERR_DISCOVERY_URL_REFUSED` otherwise, without any request).
   *
   * @example
   * ```ts
   * await discovery.fetchDocument('post.eg', 'https://barid.post.eg/.well-known/barid-node')
   * ```
   */
  async fetchDocument(operator: string, url: string): Promise<DiscoveryDocument> {
    const target = assertWithinEndpoints(url, this.#trust.endpointsOf(operator))
    const bytes = await this.#get(target)
    return verifyDiscoveryDocument(bytes, { operator, trust: this.#trust, now: this.#now() })
  }

  /** Drops what is cached for `operator` (e.g. after a trust list update). */
  forget(operator: string): void {
    this.#slots.delete(operator)
  }

  #slot(operator: string): Slot {
    let slot = this.#slots.get(operator)
    if (slot === undefined) {
      slot = {}
      this.#slots.set(operator, slot)
    }
    return slot
  }

  #refresh(operator: string, slot: Slot): Promise<DiscoveryDocument> {
    if (slot.inFlight !== undefined) return slot.inFlight
    if (slot.failedAt !== undefined && this.#now() - slot.failedAt < this.#cooldown) {
      return Promise.reject(slot.failure)
    }
    slot.inFlight = (async () => {
      const endpoints = this.#trust.endpointsOf(operator)
      if (endpoints.length === 0) {
        throw new BaridError('ERR_OPERATOR_UNKNOWN', 'operator is not in the trust list', {
          details: { operator },
        })
      }
      let last: unknown
      for (const endpoint of endpoints) {
        try {
          const bytes = await this.#get(assertWithinEndpoints(discoveryUrl(endpoint), endpoints))
          const doc = await verifyDiscoveryDocument(bytes, {
            operator,
            trust: this.#trust,
            now: this.#now(),
          })
          Object.assign(slot, {
            doc,
            fetchedAt: this.#now(),
            failedAt: undefined,
            failure: undefined,
          })
          return doc
        } catch (e) {
          last = e
        }
      }
      Object.assign(slot, { failedAt: this.#now(), failure: last })
      throw last
    })().finally(() => {
      slot.inFlight = undefined
    })
    return slot.inFlight
  }

  #get(url: string): Promise<Uint8Array> {
    return boundedGet(url, {
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      maxBytes: DISCOVERY_LIMITS.maxBytes,
      accept: 'application/barid-node-keys+cose',
    })
  }
}
