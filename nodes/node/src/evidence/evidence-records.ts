/**
 * @module evidence/evidence-records
 * Issuing evidence as this node and checking evidence from peers, turning both into the rows
 * the storage keeps.
 */
import { BaridError } from '../core.js'
import type { NodeServices } from '../services.js'
import type { EvidenceRow } from '../storage/types.js'
import type { EvidenceInput, EvidenceView } from './evidence-port.js'

/** The storage row of a verified or freshly issued record. */
export function evidenceRow(record: Uint8Array, view: EvidenceView): EvidenceRow {
  return {
    id: view.id,
    letterId: view.letterId,
    recipient: view.recipient,
    type: view.type,
    issuer: view.issuer,
    issuedAt: view.time,
    prev: view.prev,
    record,
  }
}

/**
 * Issues a record as this node.
 *
 * @example
 * ```ts
 * const e1 = await issueEvidence(svc, { type: 'submission-accepted', letterId, letterDigest, recipient: null, time: svc.now() })
 * ```
 */
export async function issueEvidence(
  svc: Pick<NodeServices, 'evidence'>,
  input: EvidenceInput,
): Promise<EvidenceRow> {
  const { record, view } = await svc.evidence.create(input)
  return evidenceRow(record, view)
}

/**
 * Verifies a record issued by `expectedIssuer` (a peer, or this node) about `letterId`, with the
 * issuer's evidence key from the directory.
 *
 * @example
 * ```ts
 * const row = await verifyPeerEvidence(svc, bytes, { issuer: 'post.eg', letterId })
 * ```
 */
export async function verifyPeerEvidence(
  svc: Pick<NodeServices, 'evidence' | 'directory'>,
  record: Uint8Array,
  expect: { issuer?: string; letterId?: string; letterDigest?: string },
): Promise<EvidenceRow & { letterDigest: string }> {
  const view = await svc.evidence.verify(record, async (kid) => {
    const k = await svc.directory.evidenceKeyByKid(kid)
    return k && { key: k.key.key.publicKey, issuer: k.peer.operator, retiredAt: k.key.retiredAt }
  })
  if (expect.issuer !== undefined && view.issuer !== expect.issuer) {
    throw new BaridError('ERR_FED_ORIGIN_MISMATCH', 'evidence issued by another operator')
  }
  // Only now is the signing time known: the key must speak for the issuer then (spec 21.5), so
  // a record signed before its operator left the federation verifies, and none signed after.
  if (!(await svc.directory.evidenceKey(view.issuer, view.kid, view.time)))
    throw new BaridError('ERR_KEY_NOT_FOUND', "no evidence key of the record's issuer has that id")
  if (expect.letterId !== undefined && view.letterId !== expect.letterId) {
    throw new BaridError('ERR_EVIDENCE_MALFORMED', 'evidence names another letter')
  }
  if (expect.letterDigest !== undefined && view.letterDigest !== expect.letterDigest) {
    throw new BaridError('ERR_EVIDENCE_MALFORMED', 'evidence names another letter digest')
  }
  // The digest too, for a caller that learns which letter the record is about only from it.
  return { ...evidenceRow(record, view), letterDigest: view.letterDigest }
}
