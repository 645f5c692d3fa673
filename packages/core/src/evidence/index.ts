/**
 * @module evidence
 * Evidence records for registered mail (`spec/07-evidence.md`): signed, chained statements by
 * each node that handles a letter.
 */
export { createEvidence, EVIDENCE_TYP } from './create.js'
export type { CreateEvidenceOptions, SignedEvidence } from './create.js'
export { evidenceDigest, verifyEvidence, MAX_EVIDENCE_BYTES } from './verify.js'
export type { EvidenceKey, ResolveEvidenceKey, VerifiedEvidence } from './verify.js'
export { verifyEvidenceChain, MAX_EVIDENCE_CHAIN } from './chain.js'
export {
  encodeEvidenceRecord,
  isEvidenceReason,
  parseEvidenceRecord,
  MAX_DETAIL_LENGTH,
} from './record.js'
export {
  EVIDENCE_REASONS,
  EVIDENCE_TYPES,
  FAILURE_TYPES,
  OPTIONAL_REASON_TYPES,
  PER_RECIPIENT_TYPES,
  TERMINAL_TYPES,
} from './types.js'
export type { EvidenceReason, EvidenceRecord, EvidenceType } from './types.js'
export { REFUSED_TYPES, TAKEN_TYPES, codeOfReason, recipientStateOf } from './recipient-state.js'
export type { RecipientView, StateEvidence } from './recipient-state.js'
