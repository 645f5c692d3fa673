/**
 * @module evidence/relay-evidence
 * The receiving node's first records about a relayed registered letter, per recipient (spec 07,
 * 17.3): `relay-accepted` after the sender's `submission-accepted`, then `delivered` after it
 * when the letter goes into the mailbox at once. The two of one recipient are issued in chain
 * order (each names the one before); those of different recipients and letters do not depend on
 * each other, so a transaction issues them all at once and the signatures overlap on the
 * thread pool instead of waiting for each other.
 */
import type { NodeServices } from '../services.js'
import type { EvidenceRow } from '../storage/types.js'
import { issueEvidence } from './evidence-records.js'

/** One recipient's records to issue: what they are about, and whether `delivered` follows. */
export interface RelayChainRequest {
  letterId: string
  letterDigest: string
  recipient: string
  time: number
  /** The sender's verified `submission-accepted` record, which the first record names. */
  submission: EvidenceRow
  /** False for a letter held back (17.2) or bound for paper (17.6): `relay-accepted` only. */
  delivered: boolean
}

/**
 * Issues one recipient's `relay-accepted` (and `delivered`) records, in chain order.
 *
 * @example
 * ```ts
 * const request = { letterId, letterDigest, recipient, time: now, submission, delivered: true }
 * const [relay, delivered] = await issueRelayChain(svc, request)
 * ```
 */
export async function issueRelayChain(
  svc: Pick<NodeServices, 'evidence'>,
  o: RelayChainRequest,
): Promise<EvidenceRow[]> {
  const base = { letterId: o.letterId, letterDigest: o.letterDigest, recipient: o.recipient }
  const relay = await issueEvidence(svc, {
    ...base,
    type: 'relay-accepted',
    time: o.time,
    prev: o.submission.record,
  })
  if (!o.delivered) return [relay]
  const delivered = await issueEvidence(svc, {
    ...base,
    type: 'delivered',
    time: o.time,
    prev: relay.record,
  })
  return [relay, delivered]
}

/**
 * Issues many recipients' chains at once; the answer is in the order of `requests`.
 *
 * @example
 * ```ts
 * const rows = await issueRelayChains(svc, requests)
 * ```
 */
export function issueRelayChains(
  svc: Pick<NodeServices, 'evidence'>,
  requests: readonly RelayChainRequest[],
): Promise<EvidenceRow[][]> {
  // All started together, all awaited together: a failure rejects the whole, none is unhandled.
  return Promise.all(requests.map((r) => issueRelayChain(svc, r)))
}
