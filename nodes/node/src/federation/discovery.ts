/**
 * @module federation/discovery
 * The node's self-description at `/.well-known/barid` (spec 11.3): who the node is, its
 * languages and time zone, where its APIs and its trust documents are, and its limits. It is
 * informative, unsigned JSON and lists no keys: peers and clients take keys only from the
 * key-discovery document (`/.well-known/barid-node`, spec 22), validated against the trust
 * list (spec 22.5). It names the federation and the governance keys of the list the node holds,
 * so that a client which already trusts the node's HTTPS origin can find its trust anchors, and
 * the optional features of the federation API it accepts, so that peers know what to send it.
 */
import type { NodeServices } from '../services.js'
import { MAX_TRANSACTION_ITEMS } from './transaction-format.js'

/**
 * The self-description document.
 *
 * @example
 * ```ts
 * const doc = selfDescription(svc) // { v: 1, operator: 'post.eg', endpoints: { keyDiscovery, … }, … }
 * ```
 */
export function selfDescription(svc: Pick<NodeServices, 'config' | 'trust'>) {
  const { config } = svc
  const p = config.profile
  const list = svc.trust.held.store.list
  const base = config.publicUrl
  return {
    v: 1,
    operator: p.operator,
    country: p.country,
    displayName: p.displayName,
    languages: p.languages,
    timeZone: p.timeZone,
    identifierSchemes: p.identifierSchemes,
    endpoints: {
      federation: base,
      sender: `${base}/v1/sender`,
      citizen: `${base}/v1/citizen`,
      keyDiscovery: `${base}/.well-known/barid-node`,
      trustList: `${base}/.well-known/barid-trust-list`,
    },
    trust: {
      federation: list.federation,
      sequence: list.sequence,
      governanceKeys: list.governanceKeys.map((k) => k.publicJwk),
    },
    limits: {
      maxTransactionItems: MAX_TRANSACTION_ITEMS,
      maxLetterBytes: config.limits.maxLetterBytes,
      maxAttachmentBytes: config.limits.maxAttachmentBytes,
    },
    features: config.features,
  }
}
