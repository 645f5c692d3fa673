/**
 * @module federation/inbound-verify
 * The per-letter checks of an inbound federation transaction (spec 11.4 step 1, 21.3): the
 * peer's certification of the sender key, the sender's signature, that the sender belongs to
 * the peer and the recipients to this node, the submission evidence of a registered letter,
 * and that its attachments arrived.
 */
import { BaridError, parseMailboxAddress } from '../core.js'
import { verifyPeerEvidence } from '../evidence/evidence-records.js'
import type { CertifiedMailboxKey } from '../keys/key-certificate.js'
import type { InspectedLetter } from '../letters/letter-port.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import type { EvidenceRow } from '../storage/types.js'
import type { Peer } from './peer-directory.js'
import { peerMailboxKey } from './peer-mailbox-key.js'
import type { TxLetter } from './transaction-format.js'

/**
 * Entry failures that may pass later: a key not yet known here, a transient fault, and trust
 * information that could not be obtained in time (revocation status, a peer's key-discovery
 * document, a fresh trust list: spec 21.6.3, 22.4, 20.6).
 */
export const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set([
  'ERR_KEY_NOT_FOUND',
  'ERR_UNAVAILABLE',
  'ERR_INTERNAL',
  'ERR_CERT_REVOCATION_UNAVAILABLE',
  'ERR_DISCOVERY_UNAVAILABLE',
  'ERR_DISCOVERY_TIMEOUT',
  'ERR_TRUST_LIST_STALE',
  'ERR_TRUST_LIST_EXPIRED',
])

/** A letter entry that passed every check. */
export interface Verified {
  inspected: InspectedLetter
  submission: EvidenceRow | undefined
  /** The certified signing key of the sender (kept for the print channel, spec 17.6). */
  sender: { kid: string; jwk: string }
}

/** Sender certificates checked in one transaction: a bulk sender's letters share one. */
export type CertMemo = Map<string, Promise<CertifiedMailboxKey>>

/**
 * Checks one entry of a transaction from `peer`; `certs` shares sender certificate checks
 * across the transaction's entries.
 *
 * @example
 * ```ts
 * const v = await verifyEntry(svc, peer, tx.letters[0], new Map())
 * ```
 */
export async function verifyEntry(
  svc: NodeServices,
  peer: Peer,
  e: TxLetter,
  certs: CertMemo,
): Promise<Verified> {
  const now = svc.now()
  // Checked once per transaction (one instant, one trust state), not once per letter: the
  // check hashes the certificate and consults revocation, which cost as much as the letter.
  let checked = certs.get(e.senderCertificate)
  if (!checked) {
    // The sender's signing key: a `mailbox-signing` certificate that speaks for the calling
    // operator now (spec 11.4 step 1, 21.3).
    checked = peerMailboxKey(svc, e.senderCertificate, {
      operator: peer.operator,
      use: 'sig',
      at: now,
    })
    certs.set(e.senderCertificate, checked)
  }
  const certified = await checked
  if (e.letter.byteLength > svc.config.limits.maxLetterBytes)
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'letter is too large')
  const inspected = await svc.letters.inspect(e.letter, async (sender, kid) => {
    if (sender !== certified.address && !mutant('accept-uncertified-sender'))
      throw new BaridError('ERR_SENDER_MISMATCH', 'letter sender is not the certified key holder')
    // Final, not "unknown key": resending the same entry cannot make the certificate certify
    // another key (spec 11.4 step 2), so retrying it until its deadline would help nobody.
    if (kid !== certified.kid)
      throw new BaridError('ERR_SENDER_MISMATCH', 'letter is not signed with the certified key')
    return certified.key.publicKey
  })
  const h = inspected.header
  if (h.sender !== certified.address && !mutant('accept-uncertified-sender'))
    throw new BaridError('ERR_SENDER_MISMATCH', 'letter sender is not the certified key holder')
  if (parseMailboxAddress(h.sender).operator !== peer.operator)
    throw new BaridError('ERR_FED_ORIGIN_MISMATCH', 'a peer relays only letters of its own senders')
  for (const r of e.recipients) {
    if (!h.recipients.includes(r))
      throw new BaridError('ERR_MISROUTED', 'a recipient is not named by the letter')
    if (parseMailboxAddress(r).operator !== svc.directory.self && !mutant('accept-misrouted'))
      throw new BaridError('ERR_MISROUTED', 'a recipient is not served by this node')
  }
  let submission: EvidenceRow | undefined
  if (h.kind === 'registered') {
    const first = e.evidence[0]
    if (!first)
      throw new BaridError(
        'ERR_EVIDENCE_MALFORMED',
        'registered letter arrived without its submission evidence',
      )
    submission = await verifyPeerEvidence(svc, first, {
      issuer: peer.operator,
      letterId: h.id,
      letterDigest: inspected.digest,
    })
    if (submission.type !== 'submission-accepted')
      throw new BaridError(
        'ERR_EVIDENCE_MALFORMED',
        'first evidence record must be submission-accepted',
      )
  }
  return {
    inspected,
    submission,
    sender: { kid: certified.kid, jwk: JSON.stringify(certified.key.publicJwk) },
  }
}

/**
 * True when an attachment the letter names is not stored here (or not at its stated size).
 *
 * @example
 * ```ts
 * if (await attachmentsMissing(svc, v.inspected)) retryLater()
 * ```
 */
export async function attachmentsMissing(svc: NodeServices, l: InspectedLetter): Promise<boolean> {
  for (const a of l.header.attachments) {
    const b = await svc.storage.getBlob(a.digest)
    if (!b || b.size !== a.size) return true
  }
  return false
}
