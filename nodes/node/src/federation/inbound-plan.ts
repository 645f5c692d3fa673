/**
 * @module federation/inbound-plan
 * The planning step of an inbound federation transaction (spec 11.4, 17.2, 17.3, 17.6): which
 * entries failed their checks (answered, and evidenced when finally refused), and for each
 * letter and recipient whether it is a duplicate, refused, delivered now or held back, with the
 * letter writes and evidence chains that the write step (federation/inbound) then carries out.
 * It reads stored state but writes no letter.
 */
import { isBaridError, toBase64Url } from '../core.js'
import { rejectRelay } from '../evidence/relay-rejected.js'
import type { RelayChainRequest } from '../evidence/relay-evidence.js'
import { letterRow } from '../letters/letter-row.js'
import { termsOf } from '../registered/letter-terms.js'
import { toSchedule } from '../registered/scheduled-delivery.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import type { EvidenceRow, LetterWrite } from '../storage/types.js'
import type { Peer } from './peer-directory.js'
import type {
  Transaction,
  TxLetter,
  TxLetterResult,
  TxRecipientResult,
} from './transaction-format.js'
import {
  attachmentsMissing,
  RETRYABLE_ENTRY_CODES,
  verifyEntry,
  type CertMemo,
  type Verified,
} from './inbound-verify.js'

/** A letter entry that verified and whose attachments are here: it is delivered or refused. */
interface Ready {
  e: TxLetter
  v: Verified
  result: TxLetterResult
}

/** One recipient of a letter to be written, whose evidence (if any) is being issued. */
export interface Planned {
  r: TxRecipientResult
  write: LetterWrite
  mailboxId: number
  address: string
  /** Index of its chain in the transaction's issuance, or -1 (an ordinary letter). */
  chain: number
  /** Held back until `nbf` (17.2): answered now, delivered later. */
  held: boolean
}

/** A letter write, its answer, and (filled by the write step) each recipient's records. */
export interface PlannedWrite {
  write: LetterWrite
  result: TxLetterResult
  recipientEvidence: Map<string, EvidenceRow[]>
}

/** A not-delivered record to issue, and the recipient answers that carry it. */
export interface PlannedRefusal {
  r: TxRecipientResult[]
  issue: RelayChainRequest & { reason: string }
}

/** What the write step carries out for a transaction. */
export interface TransactionPlan {
  /** The answer per entry, in transaction order; the write step completes it. */
  results: TxLetterResult[]
  /** Letters to write, each with at least one planned recipient. */
  writes: PlannedWrite[]
  /** Recipients to deliver now or hold back. */
  planned: Planned[]
  /** Evidence chains to issue; `Planned.chain` indexes this. */
  chains: RelayChainRequest[]
  /** Not-delivered records to issue, by letter, digest and recipient. */
  notDelivered: Map<string, PlannedRefusal>
  /** A letter+recipient met again in this transaction, answered as `of` was. */
  aliases: { r: TxRecipientResult; of: TxRecipientResult }[]
}

/**
 * Plans a parsed transaction from `peer`: every letter is verified at once, the stored state of
 * all of them (deliveries, held deliveries, evidence) is read in one read each, and final
 * refusals of entries are evidenced at once. Nothing of the letters is written here.
 *
 * @example
 * ```ts
 * const plan = await planTransaction(svc, peer, parseTransaction(json, limits))
 * ```
 */
export async function planTransaction(
  svc: NodeServices,
  peer: Peer,
  tx: Transaction,
): Promise<TransactionPlan> {
  const now = svc.now()
  const results: TxLetterResult[] = tx.letters.map((_, index) => ({
    index,
    id: null,
    recipients: [],
  }))
  const writes: PlannedWrite[] = []
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
      letter: letterRow(v.inspected, peer.operator, now, e.letter.byteLength, e.senderDisplay),
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
  return { results, writes, planned, chains, notDelivered, aliases }
}

/**
 * Records of one chain, each after the one it names: records issued in the same millisecond
 * are read back in id order, and an answer repeats them as first given (chain order).
 */
export function inChainOrder(rows: readonly EvidenceRow[]): EvidenceRow[] {
  const ids = new Set(rows.map((r) => r.id))
  const after = new Map<string, EvidenceRow>()
  for (const r of rows) if (r.prev !== null && ids.has(r.prev)) after.set(r.prev, r)
  const out: EvidenceRow[] = []
  for (const root of rows.filter((r) => r.prev === null || !ids.has(r.prev)))
    for (let c: EvidenceRow | undefined = root; c && out.length < rows.length; c = after.get(c.id))
      out.push(c)
  return out
}
