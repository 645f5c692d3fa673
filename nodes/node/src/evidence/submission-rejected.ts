/**
 * @module evidence/submission-rejected
 * Evidence of a refusal at submission (spec 17.3): when the sender's node refuses a registered
 * letter whose signature it verified, for a reason that will not pass on retry (expired, refused
 * by policy), it issues `submission-rejected` with the refusal's code, keeps and logs it, and
 * returns it in the error's details (`evidence`, base64url) so the sender holds the proof.
 */
import { BaridError, isBaridError, toBase64Url } from '../core.js'
import type { InspectedLetter } from '../letters/letter-port.js'
import type { NodeServices } from '../services.js'
import { issueEvidence } from './evidence-records.js'

/** Refusals that are final for this letter; others (a missing attachment) pass on retry. */
const FINAL: ReadonlySet<string> = new Set(['ERR_LETTER_EXPIRED', 'ERR_FORBIDDEN'])

/**
 * Rethrows `err`, with a `submission-rejected` record attached when the letter is registered and
 * the refusal final.
 *
 * @example
 * ```ts
 * try { await checks() } catch (e) { await refuseSubmission(svc, inspected, e) }
 * ```
 */
export async function refuseSubmission(
  svc: NodeServices,
  l: InspectedLetter,
  err: unknown,
): Promise<never> {
  if (!isBaridError(err) || l.header.kind !== 'registered' || !FINAL.has(err.code)) throw err
  const row = await issueEvidence(svc, {
    type: 'submission-rejected',
    letterId: l.header.id,
    letterDigest: l.digest,
    recipient: null,
    time: svc.now(),
    reason: err.code,
  })
  await svc.storage.addEvidence([row])
  throw new BaridError(err.code, err.message, {
    cause: err,
    details: { ...err.details, evidence: toBase64Url(row.record) },
  })
}
