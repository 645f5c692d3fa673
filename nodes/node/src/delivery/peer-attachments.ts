/**
 * @module delivery/peer-attachments
 * Before a transaction: the peer must hold every attachment of the letters it carries (spec
 * 11.5), uploaded as streams from disk. The answers to the HEAD and the upload are read by the
 * retry table of transactions (14.3): a blob the peer refuses for good settles the letters that
 * name it, and only those; a retried status retries the attempt, after the peer's `Retry-After`.
 */
import type { BaridErrorCode } from '../core.js'
import { fedRequest, TransportError, type FedRequest } from '../federation/federation-client.js'
import type { EvidenceRow, LetterRow, OutboxItem, OutboxSettlement } from '../storage/types.js'
import { notDeliveredRecord } from './not-delivered-record.js'
import type { AttemptContext } from './outbound.js'
import { blobRefusal, headOutcome, retryAfterMs } from './retry-policy.js'

/**
 * An upload that failed in a way to retry with the whole attempt. Never ambiguous: the letters
 * that name the blob were not sent (spec 14.3), whether or not the upload was answered.
 */
export class UploadRetry extends TransportError {
  constructor(
    message: string,
    /** The peer's `Retry-After`, in milliseconds (0 when it gave none). */
    readonly retryAfterMs = 0,
  ) {
    super(message, false)
    this.name = 'UploadRetry'
  }
}

/** {@link fedRequest}, with a failure to get an answer turned into an {@link UploadRetry}. */
async function blobRequest(ctx: AttemptContext, req: FedRequest) {
  try {
    return await fedRequest(ctx.svc, ctx.peer, req)
  } catch (e) {
    if (e instanceof TransportError) throw new UploadRetry(e.message)
    throw e
  }
}

/**
 * Makes sure the peer holds a blob (spec 11.5): undefined once it does, or the code of its final
 * refusal of the blob; throws when the attempt is to be retried.
 */
async function ensureBlob(
  ctx: AttemptContext,
  digest: string,
  size: number,
): Promise<BaridErrorCode | undefined> {
  if (ctx.peerBlobs.has(digest)) return undefined
  const { svc, peer } = ctx
  const head = await blobRequest(ctx, { method: 'HEAD', path: `/v1/federation/blobs/${digest}` })
  const next = headOutcome(head.status)
  if (next === 'retry') {
    svc.log.warn('blob check failed', { peer: peer.operator, digest, status: head.status })
    throw new UploadRetry(
      `blob check answered ${head.status}`,
      retryAfterMs(head.headers.get('retry-after')),
    )
  }
  if (next === 'upload') {
    const stream = await svc.blobs.open(digest)
    const put = await blobRequest(ctx, {
      method: 'PUT',
      path: `/v1/federation/blobs/${digest}`,
      stream,
      contentLength: size,
      // Large blobs: allow ~1 MiB/s at least, never less than the usual timeout.
      timeoutMs: Math.max(svc.config.delivery.requestTimeoutMs, size / 1000),
    })
    if (put.status !== 200 && put.status !== 201) {
      const refusal = blobRefusal(put.status, put.code)
      svc.log.warn(refusal ? 'blob refused' : 'blob upload failed', {
        peer: peer.operator,
        digest,
        status: put.status,
        code: put.code ?? null,
      })
      if (refusal) return refusal
      throw new UploadRetry(
        `blob upload answered ${put.status}`,
        retryAfterMs(put.headers.get('retry-after')),
      )
    }
  }
  if (ctx.peerBlobs.size > 10_000) ctx.peerBlobs.clear()
  ctx.peerBlobs.add(digest)
  return undefined
}

/** A letter of one attempt: the outbox items it settles and its transaction entry. */
export interface Entry {
  letter: LetterRow
  items: OutboxItem[]
  body: Record<string, unknown>
}

/**
 * Makes every attachment of `entries` present at the peer, and gives the entries left to send.
 * A letter whose attachment the peer refuses for good (spec 11.5) is settled here for each of its
 * recipients: `not-delivered` with the peer's code and, for registered mail, this node's record
 * (`unconfirmed` instead after an ambiguous attempt, 14.4). The refusal is about that letter, so
 * the other letters of the transaction go on. Throws when the attempt is to be retried.
 *
 * @example
 * ```ts
 * const sendable = await ensureAttachments(ctx, entries, now, settlements, evidence)
 * ```
 */
export async function ensureAttachments(
  ctx: AttemptContext,
  entries: Entry[],
  now: number,
  settlements: OutboxSettlement[],
  evidence: EvidenceRow[],
): Promise<Entry[]> {
  const { svc } = ctx
  // By digest: letters of one bulk sending often share an attachment, refused once.
  const refused = new Map<string, BaridErrorCode>()
  const left: Entry[] = []
  for (const e of entries) {
    let code: BaridErrorCode | undefined
    for (const a of e.letter.attachments) {
      code = refused.get(a.digest) ?? (await ensureBlob(ctx, a.digest, a.size))
      if (code) {
        refused.set(a.digest, code)
        break
      }
    }
    if (!code) {
      left.push(e)
      continue
    }
    for (const item of e.items) {
      settlements.push({
        id: item.id,
        outcome: 'done',
        recipientState: item.ambiguous ? 'unconfirmed' : 'not-delivered',
        code,
      })
      if (item.ambiguous) continue
      svc.metrics.lettersFailed.inc({ code })
      if (e.letter.kind === 'registered')
        evidence.push(await notDeliveredRecord(svc, e.letter, item.recipient, code, now))
    }
  }
  return left
}
