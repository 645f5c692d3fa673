/**
 * @module evidence/chain
 * Verifying a chain of evidence records for one letter (`spec/07-evidence.md` section 7.6):
 * each record verifies, the first has no predecessor, each other names the digest of the one
 * before it, all are about the same letter, at most one recipient is named, and nothing follows
 * a terminal record. A changed, reordered, inserted or dropped record (other than the last)
 * breaks the chain.
 */
import { BaridError } from '../errors.js'
import { bytesEqual } from '../bytes.js'
import { TERMINAL_TYPES } from './types.js'
import { verifyEvidence, type ResolveEvidenceKey, type VerifiedEvidence } from './verify.js'

/** Longest chain accepted. */
export const MAX_EVIDENCE_CHAIN = 64

/** `index` is 0-based in `details`; the message counts from 1, as people count records. */
function broken(index: number, message: string): never {
  throw new BaridError(
    'ERR_EVIDENCE_CHAIN_BROKEN',
    `evidence record ${index + 1} of the chain: ${message}`,
    { details: { index } },
  )
}

/**
 * Verifies a chain of evidence records, oldest first.
 *
 * @example
 * ```ts
 * const chain = await verifyEvidenceChain([accepted, relayed, delivered], resolveKey)
 * chain.at(-1)!.record.type // 'delivered'
 * ```
 */
export async function verifyEvidenceChain(
  records: readonly Uint8Array[],
  resolveKey: ResolveEvidenceKey,
): Promise<VerifiedEvidence[]> {
  if (records.length === 0)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'an evidence chain has at least one record')
  if (records.length > MAX_EVIDENCE_CHAIN) {
    throw new BaridError(
      'ERR_INPUT_TOO_LARGE',
      `an evidence chain has at most ${MAX_EVIDENCE_CHAIN} records`,
      { details: { limit: MAX_EVIDENCE_CHAIN } },
    )
  }
  const verified = await Promise.all(records.map((r) => verifyEvidence(r, { resolveKey })))
  const first = verified[0]!.record
  if (first.prev !== null) broken(0, 'the first record must have no predecessor')
  let recipient = first.recipient
  for (let i = 1; i < verified.length; i++) {
    const before = verified[i - 1]!
    const r = verified[i]!.record
    if (r.prev === null || !bytesEqual(r.prev, before.digest))
      broken(i, 'prev is not the digest of the record before it')
    if (r.letterId !== first.letterId || !bytesEqual(r.letterDigest, first.letterDigest))
      broken(i, 'the record is about another letter')
    if (TERMINAL_TYPES.includes(before.record.type))
      broken(i, `nothing may follow a ${before.record.type} record`)
    if (r.recipient !== undefined) {
      if (recipient !== undefined && recipient !== r.recipient)
        broken(i, 'the record names another recipient')
      recipient = r.recipient
    } else if (recipient !== undefined)
      broken(i, 'a record after a per-recipient record must name the recipient')
  }
  return verified
}
