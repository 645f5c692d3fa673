/**
 * @module federation/inbound
 * Processing a federation transaction received from a peer (spec 11.4, 14.2): verify each
 * letter (the peer's certification of the sender key, the sender's signature, that the sender
 * belongs to the peer and the recipients to this node, that attachments arrived), deliver it
 * exactly once to each recipient's mailbox, issue evidence, and answer per letter and per
 * recipient. Evidence items (retrieval records for letters this node sent) are verified and
 * kept. All letter writes of a transaction commit together.
 */
import { BaridError, isBaridError, parseMailboxAddress, toBase64Url } from '../core.js'
import { issueEvidence, verifyPeerEvidence } from '../evidence/evidence-records.js'
import { rejectRelay } from '../evidence/relay-rejected.js'
import { mailboxCertificateVerifier, type CertifiedMailboxKey } from '../keys/key-certificate.js'
import type { InspectedLetter } from '../letters/letter-port.js'
import { publishDelivery } from '../letters/submit.js'
import { issueRelayChains, type RelayChainRequest } from '../evidence/relay-evidence.js'
import { termsOf } from '../registered/letter-terms.js'
import { toSchedule } from '../registered/scheduled-delivery.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import type { EvidenceRow, LetterRow, LetterWrite } from '../storage/types.js'
import type { Peer } from './peer-directory.js'
import type {
  Transaction,
  TransactionResponse,
  TxEvidenceResult,
  TxLetter,
  TxLetterResult,
  TxRecipientResult,
} from './transaction-format.js'

/**
 * Entry failures that may pass later: a key not yet known here, a transient fault, and trust
 * information that could not be obtained in time (revocation status, a peer's key-discovery
 * document, a fresh trust list: spec 21.6.3, 22.4, 20.6).
 */
const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set([
  'ERR_KEY_NOT_FOUND',
  'ERR_UNAVAILABLE',
  'ERR_INTERNAL',
  'ERR_CERT_REVOCATION_UNAVAILABLE',
  'ERR_DISCOVERY_UNAVAILABLE',
  'ERR_DISCOVERY_TIMEOUT',
  'ERR_TRUST_LIST_STALE',
  'ERR_TRUST_LIST_EXPIRED',
])

interface Verified {
  inspected: InspectedLetter
  submission: EvidenceRow | undefined
  /** The certified signing key of the sender (kept for the print channel, spec 17.6). */
  sender: { kid: string; jwk: string }
}

/** Sender certificate checks, per node: parsing and key import cached, trust checked each time. */
const verifiers = new WeakMap<NodeServices, ReturnType<typeof mailboxCertificateVerifier>>()

/**
 * The sender's signing key from `senderCertificate`: an X.509 `mailbox-signing` certificate that
 * speaks for the calling operator now (spec 11.4 step 1, 21.3).
 */
async function senderKey(
  svc: NodeServices,
  peer: Peer,
  certificate: string,
  now: number,
): Promise<CertifiedMailboxKey> {
  if (svc.directory.mailboxKey)
    return svc.directory.mailboxKey(certificate, { operator: peer.operator, use: 'sig', at: now })
  let verify = verifiers.get(svc)
  if (!verify) verifiers.set(svc, (verify = mailboxCertificateVerifier(svc.trust.held.store)))
  return verify(certificate, { operator: peer.operator, use: 'sig', at: Math.floor(now / 1000) })
}

/** Sender certificates checked in one transaction: a bulk sender's letters share one. */
type CertMemo = Map<string, Promise<CertifiedMailboxKey>>

async function verifyEntry(
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
    checked = senderKey(svc, peer, e.senderCertificate, now)
    certs.set(e.senderCertificate, checked)
  }
  const certified = await checked
  if (e.letter.byteLength > svc.config.limits.maxLetterBytes)
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'letter is too large')
  const inspected = await svc.letters.inspect(e.letter, async (sender, kid) => {
    if (sender !== certified.address && !mutant('accept-uncertified-sender'))
      throw new BaridError('ERR_SENDER_MISMATCH', 'letter sender is not the certified key holder')
    return kid === certified.kid ? certified.key.publicKey : undefined
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

async function attachmentsMissing(svc: NodeServices, l: InspectedLetter): Promise<boolean> {
  for (const a of l.header.attachments) {
    const b = await svc.storage.getBlob(a.digest)
    if (!b || b.size !== a.size) return true
  }
  return false
}

/** A letter entry that verified and whose attachments are here: it is delivered or refused. */
interface Ready {
  e: TxLetter
  v: Verified
  result: TxLetterResult
}

/** One recipient of a letter to be written, whose evidence (if any) is being issued. */
interface Planned {
  r: TxRecipientResult
  write: LetterWrite
  mailboxId: number
  address: string
  /** Index of its chain in the transaction's issuance, or -1 (an ordinary letter). */
  chain: number
  /** Held back until `nbf` (17.2): answered now, delivered later. */
  held: boolean
}

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
  const now = svc.now()
  const results: TxLetterResult[] = tx.letters.map((_, index) => ({
    index,
    id: null,
    recipients: [],
  }))
  const writes: {
    write: LetterWrite
    result: TxLetterResult
    recipientEvidence: Map<string, EvidenceRow[]>
  }[] = []
  const looseEvidence: EvidenceRow[] = []
  const certs: CertMemo = new Map()
  // A bulk transaction names the same few mailboxes again and again: each is read once.
  const mailboxes = new Map<string, ReturnType<NodeServices['storage']['getMailboxByAddress']>>()
  const mailboxOf = (address: string) => {
    let mb = mailboxes.get(address)
    if (!mb) mailboxes.set(address, (mb = svc.storage.getMailboxByAddress(address)))
    return mb
  }
  // Every letter's verification at once (the signature checks overlap on the thread pool).
  const verified = await Promise.allSettled(tx.letters.map((e) => verifyEntry(svc, peer, e, certs)))

  const refused: (() => Promise<void>)[] = []
  const ready: Ready[] = []
  for (const [index, e] of tx.letters.entries()) {
    const result = results[index]!
    const outcome = verified[index]!
    if (outcome.status === 'rejected') {
      const err: unknown = outcome.reason
      const code = isBaridError(err) ? err.code : 'ERR_INTERNAL'
      if (!isBaridError(err))
        svc.log.error('transaction entry failed', {
          peer: peer.operator,
          error: String(err).slice(0, 200),
        })
      const status = RETRYABLE_ENTRY_CODES.has(code) ? 'retry' : 'not-delivered'
      result.code = code
      const answer = (rejected?: Map<string, EvidenceRow>) => {
        result.recipients = e.recipients.map((address) => {
          const row = rejected?.get(address)
          return { address, status, code, evidence: row ? [toBase64Url(row.record)] : [] }
        })
      }
      // A final refusal of an identified registered letter is evidenced (spec 17.3); the
      // refusals of a transaction are evidenced at once (each letter+recipient chain is locked).
      if (status === 'not-delivered')
        refused.push(async () => answer(await rejectRelay(svc, peer.operator, e, code)))
      else answer()
      continue
    }
    const v = outcome.value
    result.id = v.inspected.header.id
    if (await attachmentsMissing(svc, v.inspected)) {
      result.code = 'ERR_ATTACHMENT_MISSING'
      result.recipients = e.recipients.map((address) => ({
        address,
        status: 'retry',
        code: 'ERR_ATTACHMENT_MISSING',
        evidence: [],
      }))
      continue
    }
    ready.push({ e, v, result })
  }
  await Promise.all(refused.map((f) => f()))

  // The stored state of every letter, one read each.
  const ids = [...new Set(ready.map((x) => x.v.inspected.header.id))]
  const [priorOf, heldOf] = await Promise.all([
    svc.storage.findDeliveriesOf(ids),
    svc.storage.scheduledForLetters(ids),
  ])
  const registered = new Set(
    ready.filter((x) => x.v.inspected.header.kind === 'registered').map((x) => x.result.id),
  )
  const evidenceOf = await svc.storage.listEvidenceOf(
    ids.filter((id) => priorOf.has(id) || registered.has(id)),
  )
  await Promise.all(ready.flatMap((x) => x.e.recipients.map(mailboxOf)))

  const chains: RelayChainRequest[] = []
  const planned: Planned[] = []
  // Not-delivered records to issue, by letter, digest and recipient: one each, even when a
  // transaction carries the same letter twice.
  const notDelivered = new Map<
    string,
    { r: TxRecipientResult[]; issue: RelayChainRequest & { reason: string } }
  >()
  // A letter+recipient met again in this transaction is answered as it was the first time.
  const firstOf = new Map<string, TxRecipientResult>()
  const aliases: { r: TxRecipientResult; of: TxRecipientResult }[] = []
  for (const { e, v, result } of ready) {
    const h = v.inspected.header
    const prior = priorOf.get(h.id) ?? []
    const held = heldOf.get(h.id) ?? []
    const visibleFrom = h.terms?.visibleFrom ?? 0
    const toHold: { mailboxId: number; address: string }[] = []
    let paperBound = false
    const priorEvidence = evidenceOf.get(h.id) ?? []
    const mine = (address: string) =>
      priorEvidence.filter((x) => x.recipient === address && x.issuer === svc.directory.self)
    const write: LetterWrite = {
      letter: letterRow(v.inspected, peer.operator, now, e.letter.byteLength),
      bytes: e.letter,
      recipients: [],
      deliveries: [],
      outbox: [],
      evidence: v.submission ? [v.submission] : [],
    }
    for (const address of e.recipients) {
      const mb = await mailboxOf(address)
      const r: TxRecipientResult = { address, status: 'delivered', evidence: [] }
      result.recipients.push(r)
      const key = `${h.id} ${v.inspected.digest} ${address}`
      const first = firstOf.get(key)
      if (first && !mutant('redeliver-duplicate')) {
        aliases.push({ r, of: first })
        continue
      }
      firstOf.set(key, r)
      const alreadyHeld = mb !== undefined && held.some((x) => x.mailboxId === mb.id)
      if (
        mb &&
        (prior.some((p) => p.mailboxId === mb.id) || alreadyHeld) &&
        !mutant('redeliver-duplicate')
      ) {
        // 11.4: "the evidence issued then": the delivery's records, not those issued since.
        r.evidence = inChainOrder(
          mine(address).filter((x) => x.type === 'relay-accepted' || x.type === 'delivered'),
        ).map((x) => toBase64Url(x.record))
        continue
      }
      let code: string | undefined
      if (now > e.deliverBefore && !mutant('deliver-after-deadline')) code = 'ERR_DELIVERY_EXPIRED'
      else if (!mb || mb.status === 'closed') code = 'ERR_RECIPIENT_UNKNOWN'
      else if (
        mb.status === 'exempt' &&
        !mutant('ignore-exempt') &&
        !(await svc.storage.getExemption(mb.id))
      )
        code = 'ERR_RECIPIENT_EXEMPT'
      if (code !== undefined || !mb) {
        r.status = 'not-delivered'
        r.code = code
        const earlier = mine(address).filter((x) => x.type === 'not-delivered')
        r.evidence = earlier.map((x) => toBase64Url(x.record))
        if (earlier.length === 0 && v.submission) {
          const issue = {
            letterId: h.id,
            letterDigest: v.inspected.digest,
            recipient: address,
            time: now,
            submission: v.submission,
            delivered: false,
            reason: code ?? 'ERR_RECIPIENT_UNKNOWN',
          }
          const pending = notDelivered.get(key)
          if (pending) pending.r.push(r)
          else notDelivered.set(key, { r: [r], issue })
        }
        continue
      }
      // Paper (spec 17.6) and delayed visibility (17.2): accepted now, consigned later, so the
      // answer carries relay-accepted only; the rest of the chain follows as evidence items.
      const paper = mb.status === 'exempt'
      const later = visibleFrom > now
      paperBound ||= paper
      let chain = -1
      if (v.submission) {
        chain = chains.length
        chains.push({
          letterId: h.id,
          letterDigest: v.inspected.digest,
          recipient: address,
          time: now,
          submission: v.submission,
          delivered: !(paper || later),
        })
      }
      if (later) toHold.push({ mailboxId: mb.id, address })
      planned.push({ r, write, mailboxId: mb.id, address, chain, held: later })
    }
    if (planned.some((p) => p.write === write)) {
      const terms = termsOf(h)
      if (terms) write.terms = terms
      if (paperBound) write.senderKey = v.sender
      const schedule = toSchedule(h.id, visibleFrom, now, toHold)
      if (schedule.length > 0) write.schedule = schedule
      writes.push({ write, result, recipientEvidence: new Map() })
    }
  }

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
      if (row.recipient === null || parseMailboxAddress(row.recipient).operator !== peer.operator) {
        throw new BaridError(
          'ERR_FED_ORIGIN_MISMATCH',
          'evidence about a recipient the peer does not serve',
        )
      }
      await svc.storage.addEvidence([row])
      evidence.push({ index, status: 'accepted' })
    } catch (err) {
      if (!isBaridError(err)) throw err
      evidence.push({ index, status: 'rejected', code: err.code })
    }
  }
  return { letters: results, evidence }
}

/**
 * Records of one chain, each after the one it names: records issued in the same millisecond
 * are read back in id order, and an answer repeats them as first given (chain order).
 */
function inChainOrder(rows: readonly EvidenceRow[]): EvidenceRow[] {
  const ids = new Set(rows.map((r) => r.id))
  const after = new Map<string, EvidenceRow>()
  for (const r of rows) if (r.prev !== null && ids.has(r.prev)) after.set(r.prev, r)
  const out: EvidenceRow[] = []
  for (const root of rows.filter((r) => r.prev === null || !ids.has(r.prev)))
    for (let c: EvidenceRow | undefined = root; c && out.length < rows.length; c = after.get(c.id))
      out.push(c)
  return out
}

function letterRow(l: InspectedLetter, origin: string, now: number, size: number): LetterRow {
  const h = l.header
  return {
    id: h.id,
    digest: l.digest,
    senderAddress: h.sender,
    senderKid: h.senderKid,
    kind: h.kind,
    createdAt: h.created,
    expiresAt: h.expires,
    threadId: h.threadId,
    replyTo: h.replyTo,
    origin,
    receivedAt: now,
    size,
    attachments: h.attachments,
  }
}
