/**
 * @module delivery/outbound
 * One delivery attempt to one peer: expire what is past its deadline, make sure the peer has
 * every attachment (streamed from disk, never held in memory; a letter whose attachment it refuses
 * for good is settled, not sent), send one transaction of up to `batchSize` items, each letter
 * with its sender's certificate renewed first when due (spec 13.4), and turn the answer into
 * settlements of the outbox items (spec 14.2-14.4).
 * An optional member of a letter entry (`senderDisplay`) goes only to a peer that advertises its
 * feature (spec 11.3, 11.4); to any other the letter goes without it.
 * The transaction id is derived from the set of outbox items it carries, their sender
 * certificates and the optional members left out, so a retry of the same items is the same
 * transaction and the peer answers it from its stored first response, unless a certificate was
 * renewed or the peer's features changed in between.
 */
import { createHash } from 'node:crypto'
import { fromBase64Url, isBaridError, toBase64Url } from '../core.js'
import { verifyPeerEvidence } from '../evidence/evidence-records.js'
import type { Feature } from '../federation/features.js'
import { fedRequest, TransportError, type FedResponse } from '../federation/federation-client.js'
import type { PeerFeatures } from '../federation/peer-features.js'
import type { Peer } from '../federation/peer-directory.js'
import {
  parseTransactionResponse,
  type TransactionResponse,
  type TxLetterResult,
  type TxRecipientResult,
} from '../federation/transaction-format.js'
import { renewedIfDue } from '../keys/key-renewal.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import type { EvidenceRow, OutboxItem, OutboxSettlement } from '../storage/types.js'
import { LocalStoreFault, logLocalFault } from './local-store-fault.js'
import { notDeliveredRecord } from './not-delivered-record.js'
import { ensureAttachments, UploadRetry, type Entry } from './peer-attachments.js'
import { classifyStatus, retryAfterMs, retryAt } from './retry-policy.js'

/** How long an ambiguous item keeps asking after its deadline before giving up as unconfirmed. */
export const AMBIGUOUS_GIVE_UP_MS = 30 * 24 * 3600_000
/** Letter bytes per transaction (before base64url), below the receivers' body limit. */
const MAX_TX_LETTER_BYTES = 16 * 1024 * 1024

export interface AttemptContext {
  svc: NodeServices
  peer: Peer
  random: () => number
  /** Attachment digests this peer is known to hold (skip the HEAD). */
  peerBlobs: Set<string>
  /** What each peer advertises (spec 11.3), read only for a transaction with optional members. */
  peerFeatures: PeerFeatures
}

/**
 * The transaction id for a set of outbox items, the sender certificates their letters carry and
 * the features whose members were left out for the peer: stable across retries of the same set.
 * A certificate renewed between two attempts (spec 13.4), or a peer that started or stopped
 * advertising a feature (11.3), changes the body, and the peer refuses a changed body under a
 * txid it has answered (`ERR_FED_TRANSACTION_CONFLICT`, spec 11.4), for good: so it makes another
 * transaction, which the peer answers from the mailbox for letters it already delivered (14.4).
 *
 * @example
 * ```ts
 * const txid = transactionId('post.eg', items, entries.map((e) => e.senderCertificate))
 * ```
 */
export function transactionId(
  self: string,
  items: readonly OutboxItem[],
  certificates: readonly string[] = [],
  omitted: readonly Feature[] = [],
): string {
  const ids = items
    .map((i) => i.id)
    .sort((a, b) => a - b)
    .join(',')
  const certs = [...new Set(certificates)].sort().join(',')
  // Without certificates (evidence only), the id of before they were part of it; with nothing
  // left out, the id of before features existed.
  let input = certs === '' ? `${self}\n${ids}` : `${self}\n${ids}\n${certs}`
  if (omitted.length > 0) input += `\nomitted ${[...new Set(omitted)].sort().join(',')}`
  return createHash('sha256').update(input).digest('base64url').slice(0, 32)
}

/** Each optional member of a letter entry with the feature a peer must advertise for it (11.3). */
const OPTIONAL_MEMBERS: readonly { member: string; feature: Feature }[] = [
  { member: 'senderDisplay', feature: 'sender-display' },
]

/**
 * The bodies of `entries` as `ctx.peer` may receive them (spec 11.4): an optional member only
 * when the peer advertises its feature, and the features whose members were left out. The peer's
 * features are read only when some entry has such a member.
 */
async function bodiesForPeer(
  ctx: AttemptContext,
  entries: readonly Entry[],
): Promise<{ bodies: Record<string, unknown>[]; omitted: Feature[] }> {
  const used = OPTIONAL_MEMBERS.filter((o) => entries.some((e) => o.member in e.body))
  if (used.length === 0) return { bodies: entries.map((e) => e.body), omitted: [] }
  const advertised = await ctx.peerFeatures.of(ctx.peer)
  const dropped = used.filter(
    (o) => !advertised.has(o.feature) && !mutant('send-unadvertised-members'),
  )
  if (dropped.length === 0) return { bodies: entries.map((e) => e.body), omitted: [] }
  const bodies = entries.map((e) => {
    const body = { ...e.body }
    for (const o of dropped) delete body[o.member]
    return body
  })
  return { bodies, omitted: dropped.map((o) => o.feature) }
}

/**
 * The certificate to send with a letter signed by `kid` of `address` (spec 11.4, 13.4): the
 * stored one, renewed first when it is due (within its renewal window, or under a CA the
 * operator rotated away from), so that a peer is never sent a certificate about to expire or to
 * stop verifying that the renewal worker has not reached yet. A key revoked since the letter was
 * signed is sent as it is; undefined when the key is unknown.
 */
async function senderCertificate(
  svc: NodeServices,
  address: string,
  kid: string,
): Promise<string | undefined> {
  const mb = await svc.storage.getMailboxByAddress(address)
  if (!mb) return undefined
  const keys = await svc.storage.listMailboxKeys(mb.id, { includeRevoked: true })
  const stored = keys.find((k) => k.kid === kid)
  if (!stored) return undefined
  const key = await renewedIfDue(svc, stored, mb.address, { includeRevoked: true })
  return (key ?? stored).certificate
}

/** Items past their deadline: settle as not delivered (with evidence) unless ambiguous. */
async function expire(
  ctx: AttemptContext,
  items: OutboxItem[],
  now: number,
  settlements: OutboxSettlement[],
  evidence: EvidenceRow[],
): Promise<OutboxItem[]> {
  const { svc } = ctx
  const live: OutboxItem[] = []
  for (const item of items) {
    const overdue = now > item.deliverBefore + svc.config.delivery.expiryGraceMs
    if (!overdue) {
      live.push(item)
      continue
    }
    if (item.kind === 'evidence') {
      svc.log.warn('evidence not returned before its deadline', {
        peer: ctx.peer.operator,
        letterId: item.letterId,
      })
      settlements.push({ id: item.id, outcome: 'done' })
      continue
    }
    if (item.ambiguous && !mutant('expire-ambiguous')) {
      // The peer may hold the letter: only its answer settles it. Give up only after a long time.
      if (now > item.deliverBefore + AMBIGUOUS_GIVE_UP_MS) {
        settlements.push({
          id: item.id,
          outcome: 'done',
          recipientState: 'unconfirmed',
          code: 'ERR_PEER_UNAVAILABLE',
        })
      } else live.push(item)
      continue
    }
    settlements.push({
      id: item.id,
      outcome: 'done',
      recipientState: 'not-delivered',
      code: 'ERR_DELIVERY_EXPIRED',
    })
    svc.metrics.lettersFailed.inc({ code: 'ERR_DELIVERY_EXPIRED' })
    const letter = await svc.storage.getLetter(item.letterId)
    if (letter?.kind === 'registered')
      evidence.push(
        await notDeliveredRecord(svc, letter, item.recipient, 'ERR_DELIVERY_EXPIRED', now),
      )
  }
  return live
}

/**
 * Settles `items` that are past their deadline without contacting the peer (spec 14.3: a held
 * peer's overdue items), as an attempt would; gives how many were settled. Items that turn out
 * not to be overdue are left as they are.
 *
 * @example
 * ```ts
 * await settleOverdue(ctx, await svc.storage.overdueItems(peer, now - grace, now - giveUp, 1000))
 * ```
 */
export async function settleOverdue(ctx: AttemptContext, items: OutboxItem[]): Promise<number> {
  const settlements: OutboxSettlement[] = []
  const evidence: EvidenceRow[] = []
  await expire(ctx, items, ctx.svc.now(), settlements, evidence)
  if (settlements.length > 0) await ctx.svc.storage.settle(settlements, evidence, ctx.svc.now())
  return settlements.length
}

/** What one attempt learnt about the peer, for the engine's hold on it (spec 14.3). */
export interface AttemptOutcome {
  /** The transaction failed as a whole and is retried: the peer is down or refusing for now. */
  peerFailed: boolean
  /** The peer's `Retry-After`, in milliseconds (0 when it gave none). */
  retryAfterMs: number
}

/**
 * Runs one attempt for `items` (all for `ctx.peer`) and settles them.
 *
 * @example
 * ```ts
 * await attemptDelivery({ svc, peer, random: Math.random, peerBlobs: new Set() }, items)
 * ```
 */
export async function attemptDelivery(
  ctx: AttemptContext,
  items: OutboxItem[],
): Promise<AttemptOutcome> {
  const { svc, peer } = ctx
  const now = svc.now()
  const peerOutcome: AttemptOutcome = { peerFailed: false, retryAfterMs: 0 }
  const settlements: OutboxSettlement[] = []
  const received: EvidenceRow[] = []
  let live = await expire(ctx, items, now, settlements, received)

  // Build the entries; an item whose letter or sender certification is gone cannot be sent.
  const entries: Entry[] = []
  const evidenceItems: { item: OutboxItem; record: Uint8Array }[] = []
  let bytesSoFar = 0
  const deferred = new Set<number>()
  const certificates = new Map<string, string | null>()
  const byLetter = new Map<string, Entry>()
  // The transaction's letters, rows and bytes, in one read.
  const letterIds = [...new Set(live.filter((i) => i.kind === 'letter').map((i) => i.letterId))]
  let stored: Awaited<ReturnType<typeof svc.storage.getLettersWithBytes>>
  try {
    stored = await svc.storage.getLettersWithBytes(letterIds)
  } catch (e) {
    // This node's own store failed to read (not a letter gone, 14.4): its fault, which may pass.
    // Nothing was sent: every item is retried with its backoff, and the peer is not held.
    const fault = new LocalStoreFault('letter', e)
    logLocalFault(svc, peer, fault, { letters: letterIds.length })
    svc.metrics.transactions.inc({ peer: peer.operator, outcome: 'local-store' })
    for (const item of live)
      settlements.push({
        id: item.id,
        outcome: 'retry',
        nextAttemptAt: retryAt(ctx, item, now),
        ambiguous: false,
        error: fault.message,
      })
    await svc.storage.settle(settlements, received, svc.now())
    return peerOutcome
  }
  for (const item of live) {
    if (item.kind === 'evidence') {
      const ev = item.evidenceId ? await svc.storage.getEvidence(item.evidenceId) : undefined
      if (!ev) settlements.push({ id: item.id, outcome: 'done' })
      else evidenceItems.push({ item, record: ev.record })
      continue
    }
    const existing = byLetter.get(item.letterId)
    if (existing) {
      existing.items.push(item)
      continue
    }
    const { letter, bytes } = stored.get(item.letterId) ?? {}
    if (!letter || !bytes) {
      // An item that an earlier attempt left ambiguous may be held by the peer already (14.4).
      settlements.push({
        id: item.id,
        outcome: 'done',
        recipientState: item.ambiguous ? 'unconfirmed' : 'not-delivered',
        code: 'ERR_NOT_FOUND',
      })
      if (item.ambiguous) continue
      svc.metrics.lettersFailed.inc({ code: 'ERR_NOT_FOUND' })
      // Content gone from the store: the row outlives it (a letter's row is never deleted), and
      // with it the digest the registered letter's record names (spec 14.5).
      if (letter?.kind === 'registered')
        received.push(await notDeliveredRecord(svc, letter, item.recipient, 'ERR_NOT_FOUND', now))
      continue
    }
    if (bytesSoFar > 0 && bytesSoFar + bytes.byteLength > MAX_TX_LETTER_BYTES) {
      deferred.add(item.id) // next transaction
      continue
    }
    bytesSoFar += bytes.byteLength
    // A bulk sender signs a whole transaction with one key: look its certification up once.
    const certKey = `${letter.senderAddress} ${letter.senderKid}`
    let certificate = certificates.get(certKey)
    if (certificate === undefined) {
      certificate = (await senderCertificate(svc, letter.senderAddress, letter.senderKid)) ?? null
      certificates.set(certKey, certificate)
    }
    if (certificate === null) {
      // As when the content is gone (spec 14.4): after an ambiguous attempt the peer may hold it.
      settlements.push({
        id: item.id,
        outcome: 'done',
        recipientState: item.ambiguous ? 'unconfirmed' : 'not-delivered',
        code: 'ERR_KEY_NOT_FOUND',
      })
      if (item.ambiguous) continue
      svc.metrics.lettersFailed.inc({ code: 'ERR_KEY_NOT_FOUND' })
      // Registered mail: the chain ends in this node's record, as at the deadline (spec 14.5).
      if (letter.kind === 'registered')
        received.push(
          await notDeliveredRecord(svc, letter, item.recipient, 'ERR_KEY_NOT_FOUND', now),
        )
      continue
    }
    const chain =
      letter.kind === 'registered'
        ? (await svc.storage.listEvidence(letter.id)).filter(
            (e) => e.type === 'submission-accepted' && e.issuer === svc.directory.self,
          )
        : []
    const entry: Entry = {
      letter,
      items: [item],
      body: {
        letter: toBase64Url(bytes),
        recipients: [] as string[],
        deliverBefore: '',
        senderCertificate: certificate,
        evidence: chain.map((e) => toBase64Url(e.record)),
        // The names registered when the letter was accepted (spec 11.4): the same on every retry
        // that carries them (left out for a peer without the feature, bodiesForPeer).
        ...(letter.senderDisplay ? { senderDisplay: letter.senderDisplay } : {}),
      },
    }
    entries.push(entry)
    byLetter.set(letter.id, entry)
  }
  const settled = new Set(settlements.map((s) => s.id))
  live = live.filter((i) => !deferred.has(i.id) && !settled.has(i.id))
  for (const e of entries) {
    e.body.recipients = e.items.map((i) => i.recipient!)
    e.body.deliverBefore = new Date(Math.min(...e.items.map((i) => i.deliverBefore))).toISOString()
  }

  const unsettled = (items: OutboxItem[]) => {
    const done = new Set(settlements.map((s) => s.id))
    return items.filter((i) => !done.has(i.id))
  }
  if (live.length > 0) {
    try {
      const sendable = await ensureAttachments(ctx, entries, now, settlements, received)
      live = unsettled(live)
      if (live.length > 0) {
        const { bodies, omitted } = await bodiesForPeer(ctx, sendable)
        const txid = transactionId(
          svc.directory.self,
          live,
          sendable.map((e) => String(e.body.senderCertificate)),
          omitted,
        )
        const res = await fedRequest(svc, peer, {
          method: 'PUT',
          path: `/v1/federation/transactions/${txid}`,
          json: {
            letters: bodies,
            evidence: evidenceItems.map((e) => ({ record: toBase64Url(e.record) })),
          },
        })
        if (res.status === 200) {
          const answer = readAnswer(ctx, res, sendable.length, evidenceItems.length)
          svc.metrics.transactions.inc({ peer: peer.operator, outcome: 'ok' })
          // The peer is up: its other queued items need not wait.
          svc.outbox.heardFrom(peer.operator)
          await settleAnswer(ctx, answer, sendable, evidenceItems, settlements, received, now)
        } else {
          svc.metrics.transactions.inc({ peer: peer.operator, outcome: String(res.status) })
          const cls = classifyStatus(res.status, res.code)
          const minDelay = retryAfterMs(res.headers.get('retry-after'), svc.now())
          if (cls.retry) Object.assign(peerOutcome, { peerFailed: true, retryAfterMs: minDelay })
          svc.log.warn('transaction refused', {
            peer: peer.operator,
            txid,
            status: res.status,
            code: res.code ?? null,
          })
          for (const item of live) {
            if (cls.retry)
              settlements.push({
                id: item.id,
                outcome: 'retry',
                nextAttemptAt: retryAt(ctx, item, now, minDelay),
                ambiguous: cls.ambiguous,
                error: `HTTP ${res.status} ${res.code ?? ''}`,
              })
            else if (item.kind === 'letter') {
              // The client keeps only codes of errors.md: anything else reads as the peer failing.
              const code = res.code ?? 'ERR_PEER_UNAVAILABLE'
              settlements.push({
                id: item.id,
                outcome: 'done',
                recipientState: item.ambiguous ? 'unconfirmed' : 'not-delivered',
                code,
              })
              // Refused for good as a whole: registered mail gets this node's record (spec 14.5).
              const letter = byLetter.get(item.letterId)?.letter
              if (letter?.kind === 'registered' && !item.ambiguous)
                received.push(await notDeliveredRecord(svc, letter, item.recipient, code, now))
            } else settlements.push({ id: item.id, outcome: 'done' })
          }
        }
      }
    } catch (e) {
      const ambiguous = e instanceof TransportError ? e.ambiguous : false
      if (!(e instanceof TransportError) && !isBaridError(e)) throw e
      // An attachment's HEAD or upload before the transaction failed: not the transaction.
      if (!(e instanceof MalformedAnswer))
        svc.metrics.transactions.inc({
          peer: peer.operator,
          outcome: e instanceof UploadRetry ? 'upload' : 'transport',
        })
      // An upload the peer answered with a retried status: not before its Retry-After either.
      const minDelay = e instanceof UploadRetry ? e.retryAfterMs : 0
      Object.assign(peerOutcome, { peerFailed: true, retryAfterMs: minDelay })
      svc.log.warn('delivery attempt failed', {
        peer: peer.operator,
        error: e.message.slice(0, 200),
        ambiguous,
      })
      const giveUp = e instanceof MalformedAnswer && mutant('settle-unreadable-answer')
      // Letters settled before the failure (an attachment refused for good) stay settled.
      for (const item of unsettled(live))
        settlements.push(
          giveUp
            ? {
                id: item.id,
                outcome: 'done',
                recipientState: 'not-delivered',
                code: 'ERR_PEER_UNAVAILABLE',
              }
            : {
                id: item.id,
                outcome: 'retry',
                nextAttemptAt: retryAt(ctx, item, now, minDelay),
                ambiguous,
                error: e.message,
              },
        )
      ctx.peerBlobs.clear()
    }
  }
  await svc.storage.settle(settlements, received, svc.now())
  return peerOutcome
}

/** A `200` whose body is not a well-formed answer: the peer may have delivered (spec 14.3). */
class MalformedAnswer extends TransportError {
  constructor(detail: string) {
    super(`peer answered 200 with a malformed body: ${detail}`, true)
  }
}

function readAnswer(
  ctx: AttemptContext,
  res: FedResponse,
  letters: number,
  evidence: number,
): TransactionResponse {
  try {
    return parseTransactionResponse(res.json(), { letters, evidence })
  } catch (e) {
    ctx.svc.metrics.transactions.inc({ peer: ctx.peer.operator, outcome: 'malformed' })
    throw new MalformedAnswer(isBaridError(e) ? e.message.slice(0, 200) : 'unreadable')
  }
}

async function settleAnswer(
  ctx: AttemptContext,
  answer: TransactionResponse,
  entries: Entry[],
  evidenceItems: { item: OutboxItem }[],
  settlements: OutboxSettlement[],
  received: EvidenceRow[],
  now: number,
): Promise<void> {
  const { svc, peer } = ctx
  // By index, first answer wins (as a search would): a transaction holds up to batchSize letters.
  const results = new Map<number, TxLetterResult>()
  for (const r of answer.letters ?? []) if (!results.has(r.index)) results.set(r.index, r)
  for (const [i, entry] of entries.entries()) {
    const result = results.get(i)
    for (const item of entry.items) {
      const r: TxRecipientResult | undefined = result?.recipients?.find(
        (x) => x.address === item.recipient,
      )
      if (!r || r.status === 'retry') {
        if (r?.code === 'ERR_ATTACHMENT_MISSING')
          for (const a of entry.letter.attachments) ctx.peerBlobs.delete(a.digest)
        settlements.push({
          id: item.id,
          outcome: 'retry',
          nextAttemptAt: retryAt(ctx, item, now),
          // Answered, but not about this item: the peer may have delivered it.
          ambiguous: !r,
          error: r?.code ?? 'no result for item',
        })
        continue
      }
      for (const b64 of (r.evidence ?? []).slice(0, 8)) {
        try {
          received.push(
            await verifyPeerEvidence(svc, fromBase64Url(b64), {
              issuer: peer.operator,
              letterId: entry.letter.id,
              letterDigest: entry.letter.digest,
            }),
          )
        } catch (e) {
          svc.log.error('peer returned evidence that does not verify', {
            peer: peer.operator,
            letterId: entry.letter.id,
            code: isBaridError(e) ? e.code : 'unknown',
          })
        }
      }
      if (r.status === 'delivered') {
        settlements.push({ id: item.id, outcome: 'done', recipientState: 'delivered' })
        svc.metrics.lettersDelivered.inc({ route: 'outbound' })
        svc.metrics.deliveryLatency.observe((now - entry.letter.receivedAt) / 1000, {
          route: 'federation',
        })
      } else {
        settlements.push({
          id: item.id,
          outcome: 'done',
          recipientState: 'not-delivered',
          code: r.code ?? 'ERR_RECIPIENT_UNKNOWN',
        })
        svc.metrics.lettersFailed.inc({ code: r.code ?? 'unknown' })
      }
    }
  }
  for (const [i, { item }] of evidenceItems.entries()) {
    const r = answer.evidence?.find((x) => x.index === i)
    if (!r)
      settlements.push({
        id: item.id,
        outcome: 'retry',
        nextAttemptAt: retryAt(ctx, item, now),
        ambiguous: false,
        error: 'no result for evidence',
      })
    else {
      if (r.status === 'rejected')
        svc.log.warn('peer rejected evidence', {
          peer: peer.operator,
          letterId: item.letterId,
          code: r.code ?? null,
        })
      settlements.push({ id: item.id, outcome: 'done' })
    }
  }
}
