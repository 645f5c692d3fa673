/**
 * @module transparency/log-keys
 * Which keys sign logs and witness statements (spec 16.4.3 step 2): a node signs its checkpoints,
 * cosignatures and fork statements with its evidence-signing key, which the trust list binds to
 * its operator. A key id is resolved to that key and operator through the peer directory (its
 * own key included), for either role. Log resets (spec 16.12) are signed by a governance key of
 * the held trust list; its owner is the federation.
 */
import { bytesEqual, toBase64Url, type KeyResolver } from '../core.js'
import type { NodeServices } from '../services.js'
import type { HeldTrust } from '../trust/held-list.js'

/**
 * @example
 * ```ts
 * const cp = await verifyCheckpoint(bytes, { resolveKey: logKeyResolver(svc) })
 * ```
 */
export function logKeyResolver(
  svc: Pick<NodeServices, 'directory' | 'keys'> & { trust?: { held: Pick<HeldTrust, 'store'> } },
): KeyResolver {
  return async (kid, role) => {
    if (role === 'governance') {
      const list = svc.trust?.held.store.list
      const k = list?.governanceKeys.find((g) => bytesEqual(g.kid, kid))
      return k && list && { key: k.publicKey, owner: list.federation }
    }
    const own = svc.keys.evidence
    if (bytesEqual(kid, own.kid)) return { key: own.publicKey, owner: svc.directory.self }
    const found = await svc.directory.evidenceKeyByKid(toBase64Url(kid))
    return found && { key: found.key.key.publicKey, owner: found.peer.operator }
  }
}
