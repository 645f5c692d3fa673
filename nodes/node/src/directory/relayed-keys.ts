/**
 * @module directory/relayed-keys
 * The keys of a peer's lookup answer that this node relays (spec 11.6): those a sender would
 * accept now. Each certificate is checked as a sender checks it (13.4), at this node's time; a
 * key whose certificate fails is left out and the others are relayed in the peer's order. A
 * sender refuses a whole answer in which one certificate fails (12.5), so relaying one that a
 * peer failed to renew would make every key of the mailbox unusable, not just that one.
 */
import { isBaridError } from '../core.js'
import { peerMailboxKey } from '../federation/peer-mailbox-key.js'
import type { NodeServices } from '../services.js'
import type { CertifiedKey, LookupResult } from './lookup.js'

/**
 * Failures that condemn one certificate, and so leave its key out. Any other failure (the
 * trust list unusable, the operator's status, a revocation status that could not be had) would
 * hold for every key alike and says nothing about them: it is the lookup's answer instead.
 */
const CERTIFICATE_FAULTS: ReadonlySet<string> = new Set([
  'ERR_CERT_MALFORMED',
  'ERR_CERT_PROFILE',
  'ERR_CERT_EXPIRED',
  'ERR_CERT_NOT_YET_VALID',
  'ERR_CERT_UNTRUSTED',
  'ERR_CERT_REVOKED',
  'ERR_CERT_SIGNATURE_INVALID',
  'ERR_CERT_OPERATOR_MISMATCH',
  'ERR_CERT_KEY_USAGE',
  'ERR_CERT_EXT_KEY_USAGE',
  'ERR_CERT_NAME_CHAINING',
  'ERR_CERT_NOT_CA',
  'ERR_CERT_PATH_LENGTH',
  'ERR_OPERATOR_CA_RETIRED',
  'ERR_KEY_INVALID',
  'ERR_UNSUPPORTED_ALGORITHM',
])

/** Why `k` may not be relayed for mailbox `address` of `operator` at `at`, if it may not. */
async function fault(
  svc: NodeServices,
  k: CertifiedKey,
  o: { address: string; operator: string; at: number },
): Promise<string | undefined> {
  try {
    const c = await peerMailboxKey(svc, k.certificate, {
      operator: o.operator,
      use: k.use,
      at: o.at,
    })
    if (c.address !== o.address) return 'ERR_CERT_OPERATOR_MISMATCH'
    if (c.kid !== k.kid) return 'ERR_KEY_INVALID'
    return undefined
  } catch (e) {
    if (isBaridError(e) && CERTIFICATE_FAULTS.has(e.code)) return e.code
    throw e
  }
}

/**
 * `answer` with only the keys whose certificates verify now, in the order the peer gave them,
 * each key left out logged. An answer left with no key is relayed so, as a mailbox with no key
 * yet (11.6). Throws the trust codes that concern no key in particular (see above).
 *
 * @example
 * ```ts
 * const relayed = await withRelayableKeys(svc, readPeerLookup(res.json(), operator))
 * ```
 */
export async function withRelayableKeys(
  svc: NodeServices,
  answer: LookupResult,
): Promise<LookupResult> {
  if (answer.status !== 'active') return answer
  const { address, operator } = answer
  const at = svc.now()
  const faults = await Promise.all(answer.keys.map((k) => fault(svc, k, { address, operator, at })))
  const keys = answer.keys.filter((k, i) => {
    const code = faults[i]
    if (code === undefined) return true
    svc.log.warn('relayed lookup key left out: its certificate does not verify', {
      operator,
      kid: k.kid,
      use: k.use,
      code,
    })
    return false
  })
  return { ...answer, keys }
}
