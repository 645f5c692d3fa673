/**
 * @module trust/key-trust
 * What a client trusts, and how it finds keys: the federation trust list (spec 20), verified
 * with the federation's governance keys, is the root of everything. Mailbox certificates
 * (spec 13.4) and node certificates are validated against it (spec 21.3); the node keys that
 * signed evidence are found by key id in the operators' key-discovery documents (spec 22),
 * fetched only from the endpoints the list gives each operator, or among node certificates the
 * caller already holds (an evidence bundle). {@link KeyTrust} is the seam the rest of the client
 * uses; {@link trustFromTrustList} builds it from a list in hand, `trustFromNode` from the list
 * the client's own node serves.
 */
import {
  BaridError,
  DiscoveryClient,
  RevocationCache,
  TrustStore,
  bytesEqual,
  importPublicJwk,
  isBaridError,
  parseCertificate,
  toHex,
  verifyTrustList,
  type CoreFetchLike,
  type GovernanceKeyInput,
  type NodeKey,
  type ParsedCertificate,
} from '../core.js'
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import type { FetchLike } from '../http/transport.js'

/** A node key and the operator whose discovery document (or certificate) names it. */
export interface TrustedNodeKey {
  readonly operator: string
  readonly key: NodeKey
}

/** The client's trust: a trust store over a verified list, and node keys by key id. */
export interface KeyTrust {
  /** The trust store certificates are validated against (may fetch the list on first use). */
  store(): Promise<TrustStore>
  /** The node key with this key id, or undefined when no active operator publishes it. */
  nodeKey(kid: Uint8Array): Promise<TrustedNodeKey | undefined>
}

/** Options shared by the trust builders. */
export interface TrustOptions {
  /** Transport for discovery documents and revocation lists. Default: the global `fetch`. */
  fetch?: FetchLike
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number
  /**
   * Check certificates against their operators' revocation lists (spec 21.6), fetched from the
   * operators' listed endpoints. Default true.
   */
  revocation?: boolean
  /** Node certificates held already (an evidence bundle): their keys are found without a fetch. */
  certificates?: readonly (Uint8Array | ParsedCertificate)[]
}

const MAX_INDEXED = 4096

/** Adapts the client's fetch to core's bounded fetch. */
export function coreFetch(f: FetchLike | undefined): CoreFetchLike {
  const doFetch = f ?? ((input: string, init?: RequestInit) => fetch(input, init))
  return (url, init) => doFetch(url, init as RequestInit)
}

/**
 * A {@link KeyTrust} over a trust store the caller built.
 *
 * @example
 * ```ts
 * const trust = trustFromStore(store, { certificates: bundle.certificates })
 * ```
 */
export function trustFromStore(store: TrustStore, o: TrustOptions = {}): KeyTrust {
  check(store, shape.trustStore, 'store')
  check(o, shape.trustOptions, 'options')
  const now = o.now ?? Date.now
  const seconds = () => Math.floor(now() / 1000)
  const discovery = new DiscoveryClient({ trust: store, fetch: coreFetch(o.fetch), now: seconds })
  const known = new Map<string, TrustedNodeKey>()
  const remember = (k: TrustedNodeKey) => {
    if (known.size >= MAX_INDEXED) known.delete(known.keys().next().value!)
    known.set(toHex(k.key.kid), k)
  }
  const held = (async () => {
    for (const c of o.certificates ?? []) {
      const cert = c instanceof Uint8Array ? await parseCertificate(c) : c
      if (cert.role !== 'node' || !cert.kid || !cert.operatorId || !cert.publicJwk) continue
      const { publicKey } = await importPublicJwk(cert.publicJwk, { use: 'sign' })
      remember({
        operator: cert.operatorId,
        key: {
          kid: cert.kid,
          uses: ['request-signing', 'evidence-signing'],
          certificate: cert,
          publicKey,
        },
      })
    }
  })()
  return {
    async store() {
      return store
    },
    async nodeKey(kid) {
      await held
      const hit = known.get(toHex(kid))
      if (hit) return hit
      // Each active operator's document is consulted; the discovery client fetches each at most
      // once per cooldown, so a made-up key id costs little (spec 22.4).
      const candidates = store.list.operators.map((x) => x.id).filter((id) => store.isActiveAt(id))
      const found = await Promise.allSettled(
        candidates.map(async (operator) => ({
          operator,
          key: await discovery.findKey(operator, kid),
        })),
      )
      for (const r of found) {
        if (r.status === 'fulfilled' && bytesEqual(r.value.key.kid, kid)) {
          remember(r.value)
          return r.value
        }
      }
      for (const r of found)
        if (
          r.status === 'rejected' &&
          isBaridError(r.reason) &&
          !['ERR_KEY_NOT_FOUND', 'ERR_DISCOVERY_UNAVAILABLE', 'ERR_DISCOVERY_TIMEOUT'].includes(
            r.reason.code,
          )
        )
          throw r.reason
      return undefined
    },
  }
}

/**
 * Verifies a trust list with the federation's governance keys and trusts what it lists.
 *
 * @example
 * ```ts
 * const trust = await trustFromTrustList(await readFile('trust-list.cose'), {
 *   governanceKeys: [JSON.parse(await readFile('governance.pub.jwk', 'utf8'))],
 * })
 * ```
 */
export async function trustFromTrustList(
  list: Uint8Array,
  o: TrustOptions & { governanceKeys: readonly GovernanceKeyInput[] },
): Promise<KeyTrust> {
  check(list, shape.bytes, 'list')
  check(o, shape.trustFromTrustListOptions, 'options')
  return trustFromStore(await openStore(list, o), o)
}

/** Verifies `list` and opens a trust store over it, with revocation unless disabled. */
export async function openStore(
  list: Uint8Array,
  o: TrustOptions & { governanceKeys: readonly GovernanceKeyInput[] },
): Promise<TrustStore> {
  if (o.governanceKeys.length === 0)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'at least one governance key is required')
  const now = o.now ?? Date.now
  const seconds = () => Math.floor(now() / 1000)
  const verified = await verifyTrustList(list, { governanceKeys: o.governanceKeys, now: seconds() })
  return TrustStore.open(verified, {
    now: seconds,
    governanceKeys: o.governanceKeys,
    ...(o.revocation === false
      ? {}
      : { revocation: new RevocationCache({ fetch: coreFetch(o.fetch), now: seconds }) }),
  })
}
