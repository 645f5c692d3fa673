/**
 * @module federation/inbound
 * Processing a federation transaction received from a peer (spec 11.4, 14.2), as orchestrator:
 * it has the transaction planned (federation/inbound-plan: checks per letter, then per letter
 * and recipient what to do), then carries the plan out: issues the evidence chains and
 * refusals, writes the letters (all letter writes of a transaction commit together), so each
 * letter reaches each recipient's mailbox exactly once, and answers per letter and per
 * recipient. Evidence items (retrieval records for letters this node sent) are verified and
 * kept.
 */
import { BaridError, isBaridError, parseMailboxAddress, toBase64Url } from '../core.js'
import { issueEvidence, verifyPeerEvidence } from '../evidence/evidence-records.js'
import { publishDelivery } from '../letters/submit.js'
import { issueRelayChains } from '../evidence/relay-evidence.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import type { EvidenceRow } from '../storage/types.js'
import type { Peer } from './peer-directory.js'
import type { Transaction, TransactionResponse, TxEvidenceResult } from './transaction-format.js'
import { inChainOrder, planTransaction } from './inbound-plan.js'

/**
 * Processes a parsed transaction from `peer`.
 *
 * Work is done per transaction, not per letter: every letter is verified at once; the stored
 * state of all of them (deliveries, held deliveries, evidence) is read in one read each; every
 * recipient's evidence chain is issued at once (the signatures overlap); and all letter writes
 * commit together before the answer (spec 11.4).
 *
 * @example
 * ```ts
 * const response = await processTransaction(svc, peer, parseTransaction(json, limits))
 * ```
 */
export async function processTransaction(
  svc: NodeServices,
  peer: Peer,
  tx: Transaction,
): Promise<TransactionResponse> {
  // The checks and the plan (federation/inbound-plan); the letters are written below.
  const { results, writes, planned, chains, notDelivered, aliases } = await planTransaction(
    svc,
    peer,
    tx,
  )
  const looseEvidence: EvidenceRow[] = []

  // Every recipient's records at once: chains (relay-accepted, delivered) and refusals.
  const refusals = [...notDelivered.values()]
  const [chainRows, refusalRows] = await Promise.all([
    issueRelayChains(svc, chains),
    Promise.all(
      refusals.map(({ issue }) =>
        issueEvidence(svc, {
          type: 'not-delivered',
          letterId: issue.letterId,
          letterDigest: issue.letterDigest,
          recipient: issue.recipient,
          time: issue.time,
          reason: issue.reason,
          prev: issue.submission.record,
        }),
      ),
    ),
  ])
  for (const [i, { r: rs }] of refusals.entries()) {
    const row = refusalRows[i]!
    looseEvidence.push(row)
    for (const r of rs) r.evidence = [toBase64Url(row.record)]
  }
  const byWrite = new Map(writes.map((w) => [w.write, w]))
  for (const p of planned) {
    const rows = p.chain >= 0 ? [...chainRows[p.chain]!] : []
    // Held back: no delivery row to carry it, so it is written with the letter.
    if (p.held) p.write.evidence.push(...rows)
    if (mutant('skip-evidence-record')) rows.pop()
    if (p.held) {
      p.r.evidence = rows.map((x) => toBase64Url(x.record))
      continue
    }
    p.write.deliveries.push({ mailboxId: p.mailboxId, address: p.address, evidence: rows })
    byWrite.get(p.write)!.recipientEvidence.set(p.address, rows)
  }

  if (looseEvidence.length > 0) await svc.storage.addEvidence(looseEvidence)
  const outcomes =
    writes.length > 0 ? await svc.storage.writeLetters(writes.map((w) => w.write)) : []
  for (const [i, outcome] of outcomes.entries()) {
    const { write, result, recipientEvidence } = writes[i]!
    if (outcome.status === 'conflict') {
      result.code = 'ERR_LETTER_CONFLICT'
      for (const r of result.recipients)
        Object.assign(r, { status: 'not-delivered', code: 'ERR_LETTER_CONFLICT', evidence: [] })
      continue
    }
    if (outcome.status === 'attachment-missing') {
      // A blob removed by retention after the planning step's check: as if it had not been
      // uploaded (nothing was written, no record given out); the peer uploads it and retries.
      result.code = 'ERR_ATTACHMENT_MISSING'
      for (const r of result.recipients)
        Object.assign(r, { status: 'retry', code: 'ERR_ATTACHMENT_MISSING', evidence: [] })
      continue
    }
    if (outcome.status === 'stored') svc.metrics.lettersAccepted.inc({ origin: 'federation' })
    for (const d of outcome.deliveries) {
      const r = result.recipients.find((x) => x.address === d.address)!
      if (d.inserted) {
        r.evidence = (recipientEvidence.get(d.address) ?? []).map((x) => toBase64Url(x.record))
        svc.metrics.lettersDelivered.inc({ route: 'inbound' })
        const mb = write.deliveries.find((x) => x.address === d.address)!
        void publishDelivery(svc, mb.mailboxId, write.letter).catch(() => undefined)
      } else {
        // Lost a race with a concurrent duplicate: answer with the evidence that was kept.
        const kept = (await svc.storage.listEvidence(write.letter.id)).filter(
          (x) => x.recipient === d.address && x.issuer === svc.directory.self,
        )
        r.evidence = inChainOrder(kept).map((x) => toBase64Url(x.record))
      }
    }
  }
  for (const { r, of } of aliases) {
    r.status = of.status
    if (of.code !== undefined) r.code = of.code
    r.evidence = [...of.evidence]
  }

  const evidence: TxEvidenceResult[] = []
  for (const [index, item] of tx.evidence.entries()) {
    try {
      const row = await verifyPeerEvidence(svc, item.record, { issuer: peer.operator })
      const letter = await svc.storage.getLetter(row.letterId)
      if (!letter || letter.origin !== svc.directory.self)
        throw new BaridError('ERR_NOT_FOUND', 'no letter sent from this node has that id')
      // A record about another letter under this letter's id (spec 17.3) is not kept.
      if (row.letterDigest !== letter.digest && !mutant('accept-evidence-digest-mismatch'))
        throw new BaridError('ERR_EVIDENCE_MALFORMED', 'evidence names another letter digest')
      if (row.recipient === null || parseMailboxAddress(row.recipient).operator !== peer.operator) {
        throw new BaridError(
          'ERR_FED_ORIGIN_MISMATCH',
          'evidence about a recipient the peer does not serve',
        )
      }
      const { letterDigest: _, ...stored } = row
      await svc.storage.addEvidence([stored])
      evidence.push({ index, status: 'accepted' })
    } catch (err) {
      if (!isBaridError(err)) throw err
      evidence.push({ index, status: 'rejected', code: err.code })
    }
  }
  return { letters: results, evidence }
}
