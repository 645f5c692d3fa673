/**
 * @module evidence/bundle-revocations
 * The revocation lists an exported evidence bundle carries (spec 21.7): for every operator CA
 * that issued a certificate in the bundle, the newest list this node holds of it. An offline
 * verifier given some lists treats a certificate whose CA has none as of unknown status and
 * refuses the whole bundle, so a list is found for every such CA or the export is refused,
 * naming the CA. Our own CAs' lists come from the operator directory (as served, spec 21.6.2);
 * a peer's from the lists this node keeps of it, fetched from the peer once, within the bounds
 * of spec 21.6.3, when none is held or the one held is past the staleness bound.
 */
import { parseCertificate, toBase64Url } from '../core.js'
import type { NodeServices } from '../services.js'

/**
 * The revocation list of each CA that issued one of `certificates` (DER), each once.
 * `ERR_CERT_REVOCATION_UNAVAILABLE` (503, retry later), naming the operator and CA key id in
 * its message, when the list of one of them is neither held nor can be fetched.
 *
 * @example
 * ```ts
 * const revocationLists = await bundleRevocationLists(svc, [...certificates.values()])
 * ```
 */
export async function bundleRevocationLists(
  svc: NodeServices,
  certificates: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const store = svc.trust.held.store
  const lists = new Map<string, Uint8Array>()
  for (const der of certificates) {
    const cert = await parseCertificate(der)
    const issuer = store.issuerOf(cert)
    // Not issued by a listed CA: the verifier refuses it whatever lists the bundle carries.
    if (issuer?.kid === undefined || cert.operatorId === undefined) continue
    const kid = toBase64Url(issuer.kid)
    if (lists.has(kid)) continue
    const operator = cert.operatorId
    const own =
      operator === svc.directory.self ? await svc.trust.revocationList(kid) : undefined
    if (own !== undefined) {
      lists.set(kid, own)
      continue
    }
    const held = await svc.trust.revocation.newestList({
      operator,
      issuer,
      endpoints: store.endpointsOf(operator),
    })
    lists.set(kid, held.bytes)
  }
  return [...lists.values()]
}
