/**
 * @module delivery/not-delivered-record
 * The record a sending node issues itself when it gives up on a registered letter for a
 * recipient without the peer's own record: at the deadline, when the peer refuses one of its
 * attachments or the whole transaction for good, or when it cannot send the letter at all.
 */
import type { BaridErrorCode } from '../core.js'
import { issueEvidence } from '../evidence/evidence-records.js'
import type { NodeServices } from '../services.js'
import type { EvidenceRow, LetterRow } from '../storage/types.js'

/**
 * The sending node's `not-delivered` record for a registered letter it settles as not delivered
 * to `recipient` without the peer's word (spec 14.5, 17.3), after its submission record.
 *
 * @example
 * ```ts
 * evidence.push(await notDeliveredRecord(svc, letter, recipient, 'ERR_DELIVERY_EXPIRED', now))
 * ```
 */
export async function notDeliveredRecord(
  svc: NodeServices,
  letter: LetterRow,
  recipient: string | null,
  code: BaridErrorCode,
  now: number,
): Promise<EvidenceRow> {
  const sub = (await svc.storage.listEvidence(letter.id)).find(
    (e) => e.type === 'submission-accepted' && e.issuer === svc.directory.self,
  )
  return issueEvidence(svc, {
    type: 'not-delivered',
    letterId: letter.id,
    letterDigest: letter.digest,
    recipient,
    time: now,
    reason: code,
    ...(sub ? { prev: sub.record } : {}),
  })
}
