/**
 * @module letters/submit
 * Accepting a sealed letter from one of this node's own users (a sender organisation, or a
 * citizen replying): verify it, check its attachments are here, decide each recipient's fate
 * (local mailbox, a peer's outbox, or non-delivery), issue evidence for registered mail, and
 * write all of it in one atomic step before answering (spec 12.3, 14.1).
 */
import {
  BaridError,
  parseMailboxAddress,
  parseSenderDisplay,
  type SenderDisplay,
  toBase64Url,
  type LetterStatusView,
  type RecipientStatus,
} from '../core.js'
import { issueEvidence } from '../evidence/evidence-records.js'
import { refuseSubmission } from '../evidence/submission-rejected.js'
import { pushEvent } from '../mailbox/views.js'
import { keepTerms } from '../registered/letter-terms.js'
import { followEvidence } from './recipient-state.js'
import { letterRow } from './letter-row.js'
import { toSchedule } from '../registered/scheduled-delivery.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import type {
  DeliveryWrite,
  EvidenceRow,
  LetterRow,
  LetterWrite,
  Mailbox,
  NewOutboxItem,
  RecipientState,
} from '../storage/types.js'
import type { InspectedLetter, SenderKeyResolver } from './letter-port.js'
import { localSenderKeys, mailboxSigningKeys, type MailboxKeyResolver } from './sender-keys.js'

/** One recipient's status, as the API answers it (spec 12.3). */
export type RecipientResult = RecipientStatus

/** A submission's or a letter's status, as the API answers it (spec 12.3, 12.8). */
export type SubmissionResult = LetterStatusView

const resolvers = new WeakMap<
  object,
  { byAddress: SenderKeyResolver; ofMailbox: MailboxKeyResolver }
>()

/**
 * The display names a sender organisation's letters carry (spec 15.5, 11.4): its registered name
 * and names per language. None for a person's mailbox, whose name is theirs to give, nor for a
 * name stored before names were checked that would not pass the check a receiver makes.
 */
function senderDisplayOf(author: Mailbox): SenderDisplay | null {
  if (author.kind !== 'organisation' || author.displayName === null) return null
  try {
    return parseSenderDisplay({ name: author.displayName, names: author.displayNames ?? {} })
  } catch {
    return null
  }
}

/** Verifies a letter submitted by `author` (whose mailbox must be the letter's sender). */
export async function inspectSubmission(
  svc: NodeServices,
  bytes: Uint8Array,
  author: Mailbox,
): Promise<InspectedLetter> {
  if (bytes.byteLength > svc.config.limits.maxLetterBytes) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'letter is too large', {
      details: { limit: svc.config.limits.maxLetterBytes },
    })
  }
  let resolve = resolvers.get(svc.storage)
  if (!resolve) {
    resolve = {
      byAddress: localSenderKeys(svc.storage),
      ofMailbox: mailboxSigningKeys(svc.storage),
    }
    resolvers.set(svc.storage, resolve)
  }
  const keys = resolve
  const inspected = await svc.letters.inspect(bytes, async (sender, kid) => {
    // The sender is the caller, whose mailbox is in hand: only its keys are read.
    if (sender === author.address) return keys.ofMailbox(author, kid)
    if (!mutant('accept-sender-mismatch'))
      throw new BaridError('ERR_SENDER_MISMATCH', 'the letter names a sender other than the caller')
    return keys.byAddress(sender, kid)
  })
  if (inspected.header.sender !== author.address && !mutant('accept-sender-mismatch')) {
    throw new BaridError('ERR_SENDER_MISMATCH', 'the letter names a sender other than the caller')
  }
  return inspected
}

/** Refuses a letter whose manifest names an attachment not (fully) uploaded here. */
export async function checkAttachmentsPresent(
  svc: NodeServices,
  l: InspectedLetter,
): Promise<void> {
  for (const [index, a] of l.header.attachments.entries()) {
    const blob = await svc.storage.getBlob(a.digest)
    if (!blob || blob.size !== a.size) {
      throw new BaridError(
        'ERR_ATTACHMENT_MISSING',
        'an attachment named by the letter has not been uploaded',
        { details: { index } },
      )
    }
  }
}

/**
 * Accepts a letter from this node's user `author`; `policy` may refuse it after verification
 * (citizens may only reply, see {@link replyPolicy}).
 *
 * @example
 * ```ts
 * const result = await submitLetter(svc, bytes, senderMailbox)
 * ```
 */
export async function submitLetter(
  svc: NodeServices,
  bytes: Uint8Array,
  author: Mailbox,
  policy?: (l: InspectedLetter) => Promise<void>,
  opts: { status?: boolean } = {},
): Promise<SubmissionResult> {
  const inspected = await inspectSubmission(svc, bytes, author)
  const h = inspected.header
  const now = svc.now()
  try {
    await policy?.(inspected)
    if (h.expires !== null && h.expires <= now)
      throw new BaridError('ERR_LETTER_EXPIRED', 'the letter is past its expiry time')
    await checkAttachmentsPresent(svc, inspected)
  } catch (e) {
    // A registered letter refused for good gets its submission-rejected record (spec 17.3).
    await refuseSubmission(svc, inspected, e)
  }
  // A repeat of a registered letter must be answered before evidence is issued for it again;
  // for an ordinary letter the write itself tells a repeat (`duplicate`), one read less a letter.
  const existing = h.kind === 'registered' ? await svc.storage.getLetter(h.id) : undefined
  if (existing) {
    if (existing.digest !== inspected.digest)
      throw new BaridError('ERR_LETTER_CONFLICT', 'letter id already used by a different letter')
    return letterStatus(svc, h.id, true)
  }

  const registered = h.kind === 'registered'
  const deliverBefore = Math.min(h.expires ?? Infinity, now + svc.config.delivery.maxDeliveryMs)
  const evidence: EvidenceRow[] = []
  const submission = registered
    ? await issueEvidence(svc, {
        type: 'submission-accepted',
        letterId: h.id,
        letterDigest: inspected.digest,
        recipient: null,
        time: now,
      })
    : undefined
  if (submission) evidence.push(submission)

  const recipients: LetterWrite['recipients'] = []
  const deliveries: DeliveryWrite[] = []
  const outbox: NewOutboxItem[] = []
  const held: { mailboxId: number; address: string }[] = []
  const visibleFrom = h.terms?.visibleFrom ?? 0
  const self = svc.directory.self
  for (const address of h.recipients) {
    const { operator } = parseMailboxAddress(address)
    const fail = async (code: string) => {
      recipients.push({ address, state: 'not-delivered', code })
      if (submission) {
        evidence.push(
          await issueEvidence(svc, {
            type: 'not-delivered',
            letterId: h.id,
            letterDigest: inspected.digest,
            recipient: address,
            time: now,
            reason: code,
            prev: submission.record,
          }),
        )
      }
    }
    if (operator === self) {
      const mb = await svc.storage.getMailboxByAddress(address)
      // An exempt resident is served on paper when the registry knows where (spec 17.6).
      const paper = mb?.status === 'exempt' && (await svc.storage.getExemption(mb.id)) !== undefined
      if (!mb || mb.status === 'closed') await fail('ERR_RECIPIENT_UNKNOWN')
      else if (mb.status === 'exempt' && !paper) await fail('ERR_RECIPIENT_EXEMPT')
      else if (visibleFrom > now) {
        // Delayed visibility (spec 17.2): into the mailbox, with its evidence, only at `nbf`.
        recipients.push({ address, state: 'delivered' })
        held.push({ mailboxId: mb.id, address })
      } else if (mb.status === 'exempt') {
        // Served on paper (spec 17.6): the letter goes into the resident's mailbox, where the
        // print channel takes it; its evidence (handed-to-paper) follows from there.
        recipients.push({ address, state: 'delivered' })
        deliveries.push({ mailboxId: mb.id, address, evidence: [] })
      } else {
        recipients.push({ address, state: 'delivered' })
        const delivered = submission
          ? [
              await issueEvidence(svc, {
                type: 'delivered',
                letterId: h.id,
                letterDigest: inspected.digest,
                recipient: address,
                time: now,
                prev: submission.record,
              }),
            ]
          : []
        deliveries.push({ mailboxId: mb.id, address, evidence: delivered })
      }
      continue
    }
    const peer = await svc.directory.getPeer(operator)
    if (!peer || (peer.status !== 'active' && !mutant('send-to-withdrawn-operator'))) {
      await fail(
        !peer || peer.status === 'unknown'
          ? 'ERR_OPERATOR_UNKNOWN'
          : peer.status === 'withdrawn'
            ? 'ERR_OPERATOR_WITHDRAWN'
            : 'ERR_OPERATOR_SUSPENDED',
      )
      continue
    }
    recipients.push({ address, state: 'pending' })
    outbox.push({
      peer: operator,
      kind: 'letter',
      letterId: h.id,
      recipient: address,
      deliverBefore,
      nextAttemptAt: now,
      createdAt: now,
    })
  }

  const letter = letterRow(inspected, self, now, bytes.byteLength, senderDisplayOf(author))
  await keepTerms(svc.storage, h)
  await svc.storage.scheduleDeliveries(toSchedule(h.id, visibleFrom, now, held))
  const result = await svc.storage.writeLetter({
    letter,
    bytes,
    recipients,
    deliveries,
    outbox,
    evidence,
  })
  if (result.status === 'conflict')
    throw new BaridError('ERR_LETTER_CONFLICT', 'letter id already used by a different letter')
  if (result.status === 'attachment-missing') {
    // Removed by mailbox retention since `checkAttachmentsPresent` (spec 15.4): upload it again.
    throw new BaridError(
      'ERR_ATTACHMENT_MISSING',
      'an attachment named by the letter has not been uploaded',
      { details: { index: result.index } },
    )
  }
  if (result.status === 'duplicate') return letterStatus(svc, h.id, true)

  svc.metrics.lettersAccepted.inc({ origin: 'local' })
  for (const d of result.deliveries) {
    if (!d.inserted) continue
    svc.metrics.lettersDelivered.inc({ route: 'local' })
    svc.metrics.deliveryLatency.observe(0, { route: 'local' })
    const mb = deliveries.find((x) => x.address === d.address)
    if (mb) void publishDelivery(svc, mb.mailboxId, letter).catch(() => undefined)
  }
  for (const r of recipients)
    if (r.state === 'not-delivered') svc.metrics.lettersFailed.inc({ code: r.code ?? 'unknown' })
  if (outbox.length > 0) svc.outbox.wake()
  svc.log.info('letter accepted', {
    letterId: h.id,
    kind: h.kind,
    recipients: h.recipients.length,
    queued: outbox.length,
  })
  if (opts.status === false) {
    return {
      letterId: h.id,
      digest: inspected.digest,
      duplicate: false,
      recipients: recipients.map((r) => ({
        address: r.address,
        state: r.state,
        code: r.code ?? null,
      })),
      evidence: [],
    }
  }
  // What was just committed is what `letterStatus` would read back: answer from it (spec 12.3),
  // in the same order as the stored rows (recipients by address, evidence by time, then id).
  const written = [...evidence]
  for (const d of result.deliveries) {
    const rows = d.inserted ? deliveries.find((x) => x.address === d.address)?.evidence : undefined
    written.push(...(rows ?? []))
  }
  // SQLite's BINARY order: the UTF-8 bytes.
  const byAddress = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
  return statusFromRows(
    h.id,
    inspected.digest,
    false,
    recipients
      .map((r) => ({ address: r.address, state: r.state, code: r.code ?? null }))
      .sort((a, b) => byAddress(a.address, b.address)),
    written.sort((a, b) => a.issuedAt - b.issuedAt || byAddress(a.id, b.id)),
    self,
  )
}

/** Tells connected clients of `mailboxId` about a new letter (after it is committed). */
export async function publishDelivery(
  svc: NodeServices,
  mailboxId: number,
  letter: LetterRow,
): Promise<void> {
  if (!svc.push.has(mailboxId)) return
  const entry = await svc.storage.getMailboxEntry(mailboxId, letter.id)
  if (!entry) return
  svc.push.publish(mailboxId, pushEvent(entry, svc.config.profile.languages))
}

/**
 * The sender-side status of a letter: each recipient's state and the evidence so far.
 *
 * @example
 * ```ts
 * const status = await letterStatus(svc, letterId)
 * ```
 */
export async function letterStatus(
  svc: NodeServices,
  letterId: string,
  duplicate = false,
): Promise<SubmissionResult> {
  const letter = await svc.storage.getLetter(letterId)
  if (!letter) throw new BaridError('ERR_NOT_FOUND', 'no such letter')
  const recipients = await svc.storage.getRecipients(letterId)
  const evidence = await svc.storage.listEvidence(letterId)
  const self = svc.directory.self
  return statusFromRows(letterId, letter.digest, duplicate, recipients, evidence, self)
}

/**
 * The sender-side status from a letter's recipient rows and evidence rows, in stored order. Each
 * recipient's state follows the records that arrived after its outcome was stored (spec 17.5).
 */
function statusFromRows(
  letterId: string,
  digest: string,
  duplicate: boolean,
  recipients: readonly { address: string; state: RecipientState; code: string | null }[],
  evidence: readonly EvidenceRow[],
  self: string,
): SubmissionResult {
  // A recipient no record names yet: its chain so far is the letter's first record (spec 12.3).
  const first = evidence.filter((e) => e.prev === null && e.recipient === null).slice(0, 1)
  return {
    letterId,
    digest,
    duplicate,
    recipients: recipients.map((r) => {
      const own = evidenceChain(evidence, r.address)
      const chain = own.length > 0 ? own : first
      const view = followEvidence(r, evidence, { recipient: r.address, digest, self })
      return {
        address: r.address,
        state: view.state,
        code: view.code,
        ...(chain.length > 0 ? { chain: chain.map((e) => toBase64Url(e.record)) } : {}),
      }
    }),
    evidence: evidence.map((e) => toBase64Url(e.record)),
  }
}

/**
 * The chain of records about `recipient`, oldest first: from the newest record naming the
 * recipient back through `prev` links to the first record of the letter.
 */
export function evidenceChain(rows: readonly EvidenceRow[], recipient: string): EvidenceRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]))
  const mine = rows.filter((r) => r.recipient === recipient)
  const pointedTo = new Set(mine.map((r) => r.prev))
  const leaf = mine.filter((r) => !pointedTo.has(r.id)).sort((a, b) => b.issuedAt - a.issuedAt)[0]
  const chain: EvidenceRow[] = []
  for (let cur = leaf; cur && chain.length < 64; cur = cur.prev ? byId.get(cur.prev) : undefined)
    chain.unshift(cur)
  return chain
}

/**
 * Citizens send replies only (spec 13.5): the letter answers (`replyTo`) a letter in the
 * citizen's own mailbox, and goes only to that letter's sender. This keeps citizen accounts from
 * being used to send unsolicited mail through the federation.
 */
export function replyPolicy(
  svc: NodeServices,
  author: Mailbox,
): (l: InspectedLetter) => Promise<void> {
  return async (l) => {
    const re = l.header.replyTo
    const entry = re === null ? undefined : await svc.storage.getMailboxEntry(author.id, re)
    if (!entry)
      throw new BaridError('ERR_FORBIDDEN', 'citizens can only reply to letters in their mailbox')
    if (l.header.recipients.some((r) => r !== entry.letter.senderAddress)) {
      throw new BaridError(
        'ERR_FORBIDDEN',
        'a reply goes only to the sender of the letter it answers',
      )
    }
  }
}
