/**
 * @module federation/peer-mailbox-key
 * Checks a mailbox certificate a peer gives (spec 13.4): the sender certificate of a transaction
 * (11.4) and each key of a lookup answer this node relays (11.6). It must speak for the peer's
 * operator at the given time under the trust list (21.3), or under the test federation's PKI
 * when one is installed (30.4).
 */
import type { NodeServices } from '../services.js'
import {
  mailboxCertificateVerifier,
  type CertifiedMailboxKey,
  type KeyUse,
} from '../keys/key-certificate.js'

/** Per node: parsing and key import cached, trust (and time) checked on every call. */
const verifiers = new WeakMap<NodeServices, ReturnType<typeof mailboxCertificateVerifier>>()

/**
 * The key `certificate` certifies, checked as speaking for `operator` in the role of `use` at
 * `at` (milliseconds). Throws the codes of {@link mailboxCertificateVerifier}.
 *
 * @example
 * ```ts
 * const at = svc.now()
 * const k = await peerMailboxKey(svc, entry.senderCertificate, { operator, use: 'sig', at })
 * ```
 */
export async function peerMailboxKey(
  svc: NodeServices,
  certificate: unknown,
  o: { operator: string; use: KeyUse; at: number },
): Promise<CertifiedMailboxKey> {
  if (svc.directory.mailboxKey) return svc.directory.mailboxKey(certificate, o)
  let verify = verifiers.get(svc)
  if (!verify) verifiers.set(svc, (verify = mailboxCertificateVerifier(svc.trust.held.store)))
  return verify(certificate, { ...o, at: Math.floor(o.at / 1000) })
}
