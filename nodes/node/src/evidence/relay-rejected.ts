/**
 * @module evidence/relay-rejected
 * Evidence of a refusal from the sending node (spec 17.3, ETSI EN 319 522 RelayRejection): when
 * this node refuses a transaction entry for good (11.4, `not-delivered`) and the entry carries a
 * `submission-accepted` record of the calling operator about exactly these letter bytes, it
 * issues one `relay-rejected` record per listed recipient it serves, with the refusal's code as
 * reason, chained to that submission record. The record is stored (hence logged, 17.9) before
 * the answer is given, and is answered again, never issued twice, when the same letter is
 * refused again for the same recipient (a retried or resent transaction).
 *
 * Without such a submission record the letter is not identified (its header is not trusted
 * before its signature verifies), so nothing is issued: an ordinary letter, or a registered
 * letter whose submission record is missing, forged or about other bytes.
 */
import { createHash } from 'node:crypto'
import { isBaridError, parseMailboxAddress } from '../core.js'
import type { TxLetter } from '../federation/transaction-format.js'
import type { NodeServices } from '../services.js'
import type { EvidenceRow } from '../storage/types.js'
import { chainKey, withChainLock } from './chain-tip.js'
import { issueEvidence, verifyPeerEvidence } from './evidence-records.js'

/** The verified submission record of an entry, or undefined when the letter is not identified. */
async function identify(
  svc: NodeServices,
  operator: string,
  e: TxLetter,
  letterDigest: string,
): Promise<EvidenceRow | undefined> {
  const first = e.evidence[0]
  if (!first) return undefined
  try {
    const row = await verifyPeerEvidence(svc, first, { issuer: operator, letterDigest })
    return row.type === 'submission-accepted' && row.recipient === null ? row : undefined
  } catch (err) {
    if (isBaridError(err)) return undefined
    throw err
  }
}

/** The recipient's address when it is a mailbox address this node serves. */
function served(svc: NodeServices, address: string): string | undefined {
  try {
    const a = parseMailboxAddress(address)
    return a.operator === svc.directory.self ? a.address : undefined
  } catch {
    return undefined
  }
}

/**
 * The `relay-rejected` record of `recipient` after `submission`: the one issued before, or a new
 * one, stored before it is returned. Undefined when this node already issued another record
 * about the letter for that recipient (it was delivered or refused per recipient before): a
 * chain has one record after the submission from the receiving node's first decision.
 */
async function recordFor(
  svc: NodeServices,
  submission: EvidenceRow,
  recipient: string,
  code: string,
  letterDigest: string,
): Promise<EvidenceRow | undefined> {
  return withChainLock(chainKey(submission.letterId, recipient), async () => {
    const mine = (await svc.storage.listEvidence(submission.letterId)).filter(
      (x) => x.recipient === recipient && x.issuer === svc.directory.self,
    )
    const earlier = mine.find((x) => x.type === 'relay-rejected' && x.prev === submission.id)
    if (earlier) return earlier
    if (mine.length > 0) return undefined
    const row = await issueEvidence(svc, {
      type: 'relay-rejected',
      letterId: submission.letterId,
      letterDigest,
      recipient,
      time: svc.now(),
      reason: code,
      prev: submission.record,
    })
    await svc.storage.addEvidence([row])
    return row
  })
}

/**
 * Issues (or finds) the `relay-rejected` records of an entry refused for good with `code`, one
 * per listed recipient this node serves; returns them by recipient address as listed. Empty when
 * the letter is not identified by a verifying submission record.
 *
 * @example
 * ```ts
 * const records = await rejectRelay(svc, peer.operator, entry, 'ERR_SIGNATURE_INVALID')
 * result.recipients[0].evidence = (records.get(address) ?? []).map((r) => toBase64Url(r.record))
 * ```
 */
export async function rejectRelay(
  svc: NodeServices,
  operator: string,
  e: TxLetter,
  code: string,
): Promise<Map<string, EvidenceRow>> {
  const out = new Map<string, EvidenceRow>()
  // SHA-256 of the sealed letter (spec 05): the submission record must be about these bytes.
  const digest = createHash('sha256').update(e.letter).digest('hex')
  const submission = await identify(svc, operator, e, digest)
  if (!submission) return out
  for (const listed of new Set(e.recipients)) {
    const recipient = served(svc, listed)
    if (recipient === undefined) continue
    const row = await recordFor(svc, submission, recipient, code, digest)
    if (row) out.set(listed, row)
  }
  return out
}
