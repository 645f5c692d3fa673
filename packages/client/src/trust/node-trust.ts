/**
 * @module trust/node-trust
 * The trust list as the client's own node serves it (`/.well-known/barid-trust-list`, spec
 * 20.7). The list is self-authenticating: it must verify under the federation's governance
 * keys. Given those keys (distributed out of band, like a root certificate bundle), nothing the
 * node says is taken on faith. Without them, the client takes the keys its node names in its
 * self-description (`/.well-known/barid`, spec 11.3): trust in the channel, which the client
 * already extends to its node by sending it its credentials. The list is fetched again when it
 * is past its next-update, and a newer one replaces it (never an older one).
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import { BaridError, boundedGet, type GovernanceKeyInput, type TrustStore } from '../core.js'
import type { FetchLike } from '../http/transport.js'
import {
  coreFetch,
  openStore,
  trustFromStore,
  type KeyTrust,
  type TrustOptions,
} from './key-trust.js'

/** Options of {@link trustFromNode}. */
export interface TrustFromNodeOptions extends TrustOptions {
  /** The federation's governance keys; default: those the node's self-description names. */
  governanceKeys?: readonly GovernanceKeyInput[]
  /** Deadline of each fetch, ms. Default 10 000. */
  timeoutMs?: number
}

/** Seconds between two fetches of a list past its next-update. */
const REFRESH_COOLDOWN = 300

async function get(
  url: string,
  f: FetchLike | undefined,
  accept: string,
  timeoutMs: number,
): Promise<Uint8Array> {
  return boundedGet(url, { fetch: coreFetch(f), timeoutMs, maxBytes: 1 << 20, accept })
}

/**
 * A {@link KeyTrust} over the trust list a node serves, fetched on first use.
 *
 * @example
 * ```ts
 * const trust = trustFromNode('https://barid.digitalpost.dk', { governanceKeys: [governanceJwk] })
 * const lars = createCitizenClient({ baseUrl, token, keys, trust })
 * ```
 */
export function trustFromNode(baseUrl: string, o: TrustFromNodeOptions = {}): KeyTrust {
  check(baseUrl, shape.baseUrl, 'baseUrl')
  check(o, shape.trustFromNodeOptions, 'options')
  const base = baseUrl.replace(/\/+$/, '')
  const timeoutMs = o.timeoutMs ?? 10_000
  const now = o.now ?? Date.now
  let lastFetch = 0
  const listBytes = () => {
    lastFetch = now()
    return get(
      `${base}/.well-known/barid-trust-list`,
      o.fetch,
      'application/barid-trust-list+cose',
      timeoutMs,
    )
  }
  const governanceKeys = async (): Promise<readonly GovernanceKeyInput[]> => {
    if (o.governanceKeys) return o.governanceKeys
    const bytes = await get(`${base}/.well-known/barid`, o.fetch, 'application/json', timeoutMs)
    let keys: unknown
    try {
      keys = (
        JSON.parse(new TextDecoder().decode(bytes)) as { trust?: { governanceKeys?: unknown } }
      ).trust?.governanceKeys
    } catch {
      keys = undefined
    }
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > 8)
      throw new BaridError(
        'ERR_DISCOVERY_MALFORMED',
        "the node's self-description names no governance keys",
      )
    return keys as GovernanceKeyInput[]
  }
  let loaded: Promise<KeyTrust & { held: TrustStore }> | undefined
  const load = () => {
    loaded ??= (async () => {
      const store = await openStore(await listBytes(), {
        ...o,
        governanceKeys: await governanceKeys(),
      })
      return { ...trustFromStore(store, o), held: store }
    })()
    loaded.catch(() => (loaded = undefined))
    return loaded
  }
  const current = async () => {
    const t = await load()
    const f = t.held.freshness()
    if (f.state !== 'fresh' && now() - lastFetch > REFRESH_COOLDOWN * 1000) {
      // A newer list replaces the held one; an older or broken one changes nothing.
      await listBytes()
        .then((bytes) => t.held.update(bytes))
        .catch(() => undefined)
    }
    return t
  }
  return {
    async store() {
      return (await current()).held
    },
    async nodeKey(kid) {
      return (await current()).nodeKey(kid)
    },
  }
}
