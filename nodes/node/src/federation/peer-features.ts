/**
 * @module federation/peer-features
 * The optional features each peer advertises in its self-description (spec 11.3), read when a
 * transaction to it would carry a feature's member and kept for at most 5 minutes by the node's
 * clock, the time 11.3 lets a peer keep the document: an operator that starts or stops
 * advertising a feature is seen by its peers within that time.
 *
 * A peer that serves no readable self-description (a 404, a body that is not one) advertises
 * none: its letters go without optional members, as to a node built before they existed. A peer
 * that cannot be reached, or answers 429 or 5xx, is retried like a failed transaction: a letter
 * is never sent without its members because of a glitch that a retry would have passed.
 */
import type { NodeServices } from '../services.js'
import { advertisedFeatures, type Feature } from './features.js'
import { fedRequest, TransportError } from './federation-client.js'
import type { Peer } from './peer-directory.js'

/** How long a peer's features are used before its self-description is read again (11.3). */
export const PEER_FEATURES_MAX_AGE_MS = 5 * 60_000

export interface PeerFeatures {
  /** The features `peer` advertises that this node implements; rejects as a transport failure. */
  of(peer: Peer): Promise<ReadonlySet<Feature>>
}

type Svc = Pick<NodeServices, 'keys' | 'fetch' | 'upload' | 'config' | 'now'> &
  Partial<Pick<NodeServices, 'directory' | 'trust'>>

/**
 * A cache of peers' features, one read in flight per peer at a time.
 *
 * @example
 * ```ts
 * const features = peerFeatures(svc)
 * if ((await features.of(peer)).has('sender-display')) body.senderDisplay = names
 * ```
 */
export function peerFeatures(svc: Svc): PeerFeatures {
  const cache = new Map<string, { at: number; features: Promise<ReadonlySet<Feature>> }>()

  async function read(peer: Peer): Promise<ReadonlySet<Feature>> {
    // A GET of a public document changes nothing at the peer: a failure is never ambiguous.
    let res
    try {
      res = await fedRequest(svc, peer, { method: 'GET', path: '/.well-known/barid' })
    } catch (e) {
      if (e instanceof TransportError) throw new TransportError(e.message, false)
      throw e
    }
    if (res.status === 429 || res.status >= 500)
      throw new TransportError(
        `self-description of ${peer.operator} answered ${res.status}`,
        false,
      )
    if (res.status !== 200) return new Set()
    try {
      return advertisedFeatures(res.json())
    } catch {
      return new Set()
    }
  }

  return {
    of(peer) {
      const now = svc.now()
      const hit = cache.get(peer.operator)
      if (hit && now - hit.at >= 0 && now - hit.at < PEER_FEATURES_MAX_AGE_MS) return hit.features
      const features = read(peer)
      cache.set(peer.operator, { at: now, features })
      // A failed read is not kept: the next attempt reads again.
      features.catch(() => {
        if (cache.get(peer.operator)?.features === features) cache.delete(peer.operator)
      })
      return features
    },
  }
}
