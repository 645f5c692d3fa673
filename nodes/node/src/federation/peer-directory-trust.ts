/**
 * @module federation/peer-directory-trust
 * The {@link PeerDirectory} over the federation trust list (spec 20) and node key discovery
 * (spec 22): operators, their endpoints and identifier schemes come from the held list; their
 * node keys from their key-discovery documents, fetched only from their listed endpoints and
 * cached (core's `DiscoveryClient`); every key is checked against the list when it is used, at
 * the time of the signature it verifies (spec 21.3, 21.5). A request-signing key id arrives
 * without its operator (RFC 9421 `keyid`): the directory remembers which operator published each
 * key id it has seen, and for one it has not, consults each active operator's document, which
 * the discovery client fetches at most once per cooldown (spec 22.4 step 3).
 */
import {
  BaridError,
  bytesEqual,
  fromBase64Url,
  importPublicJwk,
  isBaridError,
  toHex,
  type DiscoveryClient,
  type KeyPair,
  type NodeKey,
  type OperatorEntry,
  type ParsedCertificate,
  type PublicKeyHandle,
  type TrustStore,
} from '../core.js'
import type { Peer, PeerDirectory, PeerKey, PeerKeyUse } from './peer-directory.js'

/** Options of {@link createTrustDirectory}. */
export interface TrustDirectoryOptions {
  /** This node's operator id. */
  self: string
  store: TrustStore
  discovery: DiscoveryClient
  /** This node's own key and node certificate: its own key ids are answered without a fetch. */
  own: { key: KeyPair; certificate: ParsedCertificate }
}

/** The trust-list directory, with a hook for list changes. */
export interface TrustDirectory extends PeerDirectory {
  /** Drops cached discovery documents (after the held list changed). */
  listChanged(): void
}

const MAX_INDEXED_KIDS = 4096

/** Failures of a discovery lookup that say nothing about the key: absent, or unreachable. */
const SILENT: ReadonlySet<string> = new Set([
  'ERR_KEY_NOT_FOUND',
  'ERR_DISCOVERY_UNAVAILABLE',
  'ERR_DISCOVERY_TIMEOUT',
  'ERR_DISCOVERY_REDIRECT',
])

function kidOf(text: string): Uint8Array | undefined {
  try {
    const b = fromBase64Url(text)
    return b.length === 32 ? b : undefined
  } catch {
    return undefined
  }
}

function peerOf(store: TrustStore, op: OperatorEntry): Peer {
  const state = store.stateAt(op.id)
  return {
    operator: op.id,
    country: op.country,
    baseUrl: (op.endpoints[0] ?? '').replace(/\/+$/, ''),
    displayName: { ...op.names },
    identifierSchemes: [...op.schemes],
    status: state,
    keys: [],
  }
}

/**
 * Creates the directory.
 *
 * @example
 * ```ts
 * const directory = createTrustDirectory({ self: 'post.eg', store: held.store, discovery, own })
 * const hit = await directory.requestKey(keyidFromSignatureInput)
 * ```
 */
export function createTrustDirectory(o: TrustDirectoryOptions): TrustDirectory {
  const { self, store, discovery } = o
  const byKid = new Map<string, string>()
  // Node keys as last seen in a verified document: what an operator signed while a member stays
  // verifiable after it leaves, when its documents can no longer be (spec 22.3 checks the
  // document's signer now, 21.5 checks a record's key at the record's time).
  const seen = new Map<string, { operator: string; key: NodeKey }>()
  const remember = (operator: string, key: NodeKey) => {
    const hex = toHex(key.kid)
    if (!seen.has(hex) && seen.size >= MAX_INDEXED_KIDS) seen.delete(seen.keys().next().value!)
    seen.set(hex, { operator, key })
  }
  const handles = new Map<string, PublicKeyHandle>()
  const contacted = new Set<string>()
  const ownKid = o.own.key.kid

  const peer = (id: string): Peer => {
    const op = store.operator(id)
    if (!op)
      throw new BaridError('ERR_OPERATOR_UNKNOWN', 'operator is not in the trust list', {
        details: { operator: id },
      })
    return peerOf(store, op)
  }

  const handleOf = async (cert: ParsedCertificate): Promise<PublicKeyHandle> => {
    const hex = toHex(cert.kid ?? new Uint8Array())
    let h = handles.get(hex)
    if (!h) {
      h = await importPublicJwk(cert.publicJwk, { use: 'sign' })
      if (handles.size >= MAX_INDEXED_KIDS) handles.delete(handles.keys().next().value!)
      handles.set(hex, h)
    }
    return h
  }

  const peerKey = async (k: NodeKey, use: PeerKeyUse): Promise<PeerKey> => {
    const key = await handleOf(k.certificate)
    return {
      use,
      kid: key.kidBase64Url,
      key,
      retiredAt: k.retired === undefined ? null : k.retired * 1000,
      certificate: k.certificate,
    }
  }

  const ownKey = (use: PeerKeyUse): PeerKey => ({
    use,
    kid: o.own.key.kidBase64Url,
    key: o.own.key,
    retiredAt: null,
    certificate: o.own.certificate,
  })

  /** The operator whose discovery document lists `kid`, if any active one does. */
  const operatorOf = async (kid: Uint8Array): Promise<string | undefined> => {
    const hex = toHex(kid)
    const known = byKid.get(hex)
    if (known !== undefined) return known
    const candidates = store.list.operators
      .map((x) => x.id)
      .filter((id) => id !== self && store.isActiveAt(id))
    const found = await Promise.allSettled(
      candidates.map(async (id) => {
        await discovery.findKey(id, kid)
        return id
      }),
    )
    for (const r of found) {
      if (r.status !== 'fulfilled') continue
      if (byKid.size >= MAX_INDEXED_KIDS) byKid.delete(byKid.keys().next().value!)
      byKid.set(hex, r.value)
      return r.value
    }
    // No document lists the key. If an operator's document could not be trusted (its node
    // certificate fails the chain, is revoked, ...), that is the likelier story: say so, rather
    // than that nobody holds the key. A peer that is merely unreachable says nothing.
    for (const r of found)
      if (r.status === 'rejected' && isBaridError(r.reason) && !SILENT.has(r.reason.code))
        throw r.reason
    return undefined
  }

  return {
    self,
    async getPeer(operator) {
      const op = store.operator(operator)
      return op && peerOf(store, op)
    },
    async requestKey(kidText) {
      const kid = kidOf(kidText)
      if (!kid) return undefined
      if (bytesEqual(kid, ownKid)) return { peer: peer(self), key: ownKey('request-signing') }
      const operator = await operatorOf(kid)
      if (operator === undefined) return undefined
      // Spec 20.6: a stale list still serves peers already heard from, never a first contact.
      store.assertActive(operator, { firstContact: !contacted.has(operator) })
      const k = await discovery.resolveKey(operator, kid, { use: 'request-signing' })
      remember(operator, k)
      contacted.add(operator)
      return { peer: peer(operator), key: await peerKey(k, 'request-signing') }
    },
    async evidenceKey(operator, kidText, at) {
      const kid = kidOf(kidText)
      if (!kid) throw new BaridError('ERR_KEY_NOT_FOUND', 'not a key id')
      const seconds = Math.floor(at / 1000)
      if (operator === self && bytesEqual(kid, ownKid)) {
        await store.validatePeerChain(o.own.certificate, { operator: self, at: seconds })
        return ownKey('evidence-signing')
      }
      const last = seen.get(toHex(kid))
      if (last?.operator === operator && !store.isActiveAt(operator)) {
        if (last.key.retired !== undefined && seconds >= last.key.retired)
          throw new BaridError('ERR_KEY_RETIRED', 'the key was retired before that time', {
            details: { operator },
          })
        await store.validatePeerChain(last.key.certificate, { operator, at: seconds })
        return peerKey(last.key, 'evidence-signing')
      }
      const k = await discovery.resolveKey(operator, kid, { at: seconds, use: 'evidence-signing' })
      remember(operator, k)
      return peerKey(k, 'evidence-signing')
    },
    async evidenceKeyByKid(kidText) {
      const kid = kidOf(kidText)
      if (!kid) return undefined
      if (bytesEqual(kid, ownKid)) return { peer: peer(self), key: ownKey('evidence-signing') }
      const last = seen.get(toHex(kid))
      if (last)
        return { peer: peer(last.operator), key: await peerKey(last.key, 'evidence-signing') }
      const operator = await operatorOf(kid)
      if (operator === undefined) return undefined
      const k = await discovery.findKey(operator, kid)
      remember(operator, k)
      return { peer: peer(operator), key: await peerKey(k, 'evidence-signing') }
    },
    async operatorForScheme(scheme) {
      return store.list.operators.find((x) => x.schemes.includes(scheme) && store.isActiveAt(x.id))
        ?.id
    },
    async peers() {
      return store.list.operators.filter((x) => x.id !== self).map((x) => peerOf(store, x))
    },
    listChanged() {
      for (const x of store.list.operators) discovery.forget(x.id)
    },
  }
}
