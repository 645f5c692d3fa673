/**
 * @module federation/discovery
 * The node's discovery document at `/.well-known/barid` (spec 11.3): who the node is, where its
 * APIs are, its current keys and limits, as a JWS in flattened JSON serialisation (RFC 7515
 * section 7.2.2) signed with the request-signing key it lists. Peers pin that key through the
 * trust list or the local federation file; the signature lets the document be cached and
 * passed along without losing its origin.
 */
import { FlattenedSign } from 'jose'
import type { NodeServices } from '../services.js'
import { MAX_TRANSACTION_ITEMS } from './transaction-format.js'

export const DISCOVERY_TYP = 'barid-discovery+jws'

/**
 * Builds and signs the discovery document.
 *
 * @example
 * ```ts
 * const jws = await discoveryDocument(svc) // { payload, protected, signature }
 * ```
 */
export async function discoveryDocument(
  svc: Pick<NodeServices, 'config' | 'keys' | 'now'>,
): Promise<{ payload: string; protected: string; signature: string }> {
  const { config, keys } = svc
  const p = config.profile
  const now = svc.now()
  const doc = {
    v: 1,
    operator: p.operator,
    country: p.country,
    displayName: p.displayName,
    languages: p.languages,
    timeZone: p.timeZone,
    identifierSchemes: p.identifierSchemes,
    endpoints: {
      federation: config.publicUrl,
      sender: `${config.publicUrl}/v1/sender`,
      citizen: `${config.publicUrl}/v1/citizen`,
    },
    keys: [
      { use: 'request-signing', kid: keys.request.kidBase64Url, jwk: keys.request.publicJwk },
      { use: 'evidence-signing', kid: keys.evidence.kidBase64Url, jwk: keys.evidence.publicJwk },
    ],
    limits: {
      maxTransactionItems: MAX_TRANSACTION_ITEMS,
      maxLetterBytes: config.limits.maxLetterBytes,
      maxAttachmentBytes: config.limits.maxAttachmentBytes,
    },
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 24 * 3600_000).toISOString(),
  }
  const jws = await new FlattenedSign(new TextEncoder().encode(JSON.stringify(doc)))
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.request.kidBase64Url, typ: DISCOVERY_TYP })
    .sign(keys.request.privateKey)
  return { payload: jws.payload, protected: jws.protected!, signature: jws.signature }
}
