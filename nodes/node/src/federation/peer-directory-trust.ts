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
 *
 * This node's own keys, current and retired (spec 21.4), are answered from its key ring without
 * a fetch. Peers' keys as last seen and the operators exchanged with are kept in the node's
 * peer memory (`trust/peer-memory.ts`), which outlives a restart (spec 22.7, 20.6).
 */
import {
  BaridError,
  bytesEqual,
  fromBase64Url,
  importPublicJwk,
  isBaridError,
  toHex,
  type DiscoveryClient,
  type NodeKey,
  type OperatorEntry,
  type ParsedCertificate,
  type PublicKeyHandle,
  type TrustStore,
} from '../core.js'
import type { RingKey } from '../keys/node-key-ring.js'
import type { PeerMemory } from '../trust/peer-memory.js'
import type { Peer, PeerDirectory, PeerKey, PeerKeyUse } from './peer-directory.js'

/** Options of {@link createTrustDirectory}. */
export interface TrustDirectoryOptions {
  /** This node's operator id. */
  self: string
  store: TrustStore
  discovery: DiscoveryClient
  /** This node's own keys, current and retired (read at each use: they rotate). */
  own: () => { byKid(kid: Uint8Array): RingKey | undefined }
  /** Peers' keys as last seen, and the operators exchanged with (kept across restarts). */
  memory: PeerMemory
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
 * const directory = createTrustDirectory({ self: 'post.eg', store, discovery, own: () => ring, memory })
 * const hit = await directory.requestKey(keyidFromSignatureInput)
 * ```
 */
export function createTrustDirectory(o: TrustDirectoryOptions): TrustDirectory {
  const { self, store, discovery } = o
  const { memory } = o
  const byKid = new Map<string, string>()
  // Node keys as last seen in a verified document: what an operator signed while a member stays
  // verifiable after it leaves, when its documents can no longer be (spec 22.3 checks the
  // document's signer now, 21.5 checks a record's key at the record's time). Every key of the
  // document is kept, so that a retirement published later is known too.
  const remember = async (operator: string, key: NodeKey) => {
    const doc = await discovery.document(operator).catch(() => undefined)
    memory.rememberKeys(
      operator,
      doc?.keys.some((k) => bytesEqual(k.kid, key.kid)) ? doc.keys : [key],
    )
  }
  const handles = new Map<string, PublicKeyHandle>()

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

  /** This node's key with id `kid`, current or retired. */
  const ownKey = async (kid: Uint8Array, use: PeerKeyUse): Promise<PeerKey | undefined> => {
    const k = o.own().byKid(kid)
    if (!k) return undefined
    const key: PublicKeyHandle = k.keyPair ?? (await handleOf(k.certificate))
    return {
      use,
      kid: key.kidBase64Url,
      key,
      retiredAt: k.retired === undefined ? null : k.retired * 1000,
      certificate: k.certificate,
    }
  }

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
    async requestKey(kidText, signedAt) {
      const kid = kidOf(kidText)
      if (!kid) return undefined
      // Spec 11.2 step 4: retirement at the signature's `created`, everything else now.
      const created = signedAt === undefined ? undefined : Math.floor(signedAt / 1000)
      const own = await ownKey(kid, 'request-signing')
      if (own) {
        if (own.retiredAt !== null && signedAt !== undefined && signedAt >= own.retiredAt)
          throw new BaridError('ERR_KEY_RETIRED', 'the key was retired before that time', {
            details: { operator: self },
          })
        return { peer: peer(self), key: own }
      }
      const operator = await operatorOf(kid)
      if (operator === undefined) return undefined
      // Spec 20.6: a stale list still serves peers already heard from, never a first contact.
      store.assertActive(operator, { firstContact: !memory.hasContacted(operator) })
      const k = await discovery.resolveKey(operator, kid, {
        use: 'request-signing',
        ...(created === undefined ? {} : { signedAt: created }),
      })
      await remember(operator, k)
      memory.contacted(operator)
      return { peer: peer(operator), key: await peerKey(k, 'request-signing') }
    },
    async evidenceKey(operator, kidText, at) {
      const kid = kidOf(kidText)
      if (!kid) throw new BaridError('ERR_KEY_NOT_FOUND', 'not a key id')
      const seconds = Math.floor(at / 1000)
      const own = operator === self ? await ownKey(kid, 'evidence-signing') : undefined
      if (own) {
        // Spec 21.4: our own retired key is held to its retirement time like anyone's.
        if (own.retiredAt !== null && at >= own.retiredAt)
          throw new BaridError('ERR_KEY_RETIRED', 'the key was retired before that time', {
            details: { operator },
          })
        await store.validatePeerChain(own.certificate!, { operator: self, at: seconds })
        return own
      }
      const last = memory.key(kid)
      if (last?.operator === operator && !store.isActiveAt(operator)) {
        if (last.key.retired !== undefined && seconds >= last.key.retired)
          throw new BaridError('ERR_KEY_RETIRED', 'the key was retired before that time', {
            details: { operator },
          })
        await store.validatePeerChain(last.key.certificate, { operator, at: seconds })
        return peerKey(last.key, 'evidence-signing')
      }
      const k = await discovery.resolveKey(operator, kid, { at: seconds, use: 'evidence-signing' })
      await remember(operator, k)
      return peerKey(k, 'evidence-signing')
    },
    async evidenceKeyByKid(kidText) {
      const kid = kidOf(kidText)
      if (!kid) return undefined
      const own = await ownKey(kid, 'evidence-signing')
      if (own) return { peer: peer(self), key: own }
      const last = memory.key(kid)
      if (last)
        return { peer: peer(last.operator), key: await peerKey(last.key, 'evidence-signing') }
      const operator = await operatorOf(kid)
      if (operator === undefined) return undefined
      const k = await discovery.findKey(operator, kid)
      await remember(operator, k)
      return { peer: peer(operator), key: await peerKey(k, 'evidence-signing') }
    },
    async operatorForScheme(scheme) {
      return store.list.operators.find((x) => x.schemes.includes(scheme) && store.isActiveAt(x.id))
        ?.id
    },
    assertOutbound(operator) {
      store.assertActive(operator, { firstContact: !memory.hasContacted(operator) })
    },
    exchanged(operator) {
      memory.contacted(operator)
    },
    async peers() {
      return store.list.operators.filter((x) => x.id !== self).map((x) => peerOf(store, x))
    },
    listChanged() {
      for (const x of store.list.operators) discovery.forget(x.id)
    },
  }
}
