/**
 * @module delivery/peer-attachments
 * Before a transaction: the peer must hold every attachment of the letters it carries (spec
 * 11.5), uploaded as streams from disk. The answers to the HEAD and the upload are read by the
 * retry table of transactions (14.3): a blob the peer refuses for good settles the letters that
 * name it, and only those; a retried status retries the attempt, after the peer's `Retry-After`.
 * A blob this node must upload but no longer holds intact is its own fault, not the peer's
 * (14.4): the letters that name it are settled at once, and the peer is not held for it. So is a
 * blob its store fails to read (a permission, a disk error), before or during the upload; but that
 * may pass, so those letters are retried with their backoff instead.
 */
import { isBaridError, type BaridErrorCode } from '../core.js'
import { fedRequest, TransportError, type FedRequest } from '../federation/federation-client.js'
import type { NodeServices } from '../services.js'
import type { EvidenceRow, LetterRow, OutboxItem, OutboxSettlement } from '../storage/types.js'
import { LocalStoreFault, logLocalFault, watchedSource } from './local-store-fault.js'
import { notDeliveredRecord } from './not-delivered-record.js'
import type { AttemptContext } from './outbound.js'
import { blobRefusal, headOutcome, retryAfterMs, retryAt } from './retry-policy.js'

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
 * Why the letters that name a blob cannot be sent: the peer's final refusal, the blob gone from
 * this node's own store (spec 14.4), or that store failing to read it (retried).
 */
type BlobFailure =
  | { kind: 'refused' | 'gone'; code: BaridErrorCode }
  | { kind: 'unreadable'; fault: LocalStoreFault }

/**
 * The blob's bytes from this node's store, or undefined when they are gone: deleted, or cut to
 * another size than the letter declares (uploaded, they would fail at the peer, or mid-request).
 * Other failures of the store (a permission, a disk error) are thrown as a
 * {@link LocalStoreFault}: they may pass.
 */
async function openLocal(
  svc: NodeServices,
  digest: string,
  size: number,
): Promise<ReadableStream<Uint8Array> | undefined> {
  try {
    if ((await svc.blobs.size(digest)) !== size) return undefined
    return await svc.blobs.open(digest)
  } catch (e) {
    if (isBaridError(e) && e.code === 'ERR_NOT_FOUND') return undefined
    throw new LocalStoreFault('blob', e)
  }
}

/**
 * Makes sure the peer holds a blob (spec 11.5): undefined once it does, or why the letters that
 * name it cannot be sent; throws when the attempt is to be retried.
 */
async function ensureBlob(
  ctx: AttemptContext,
  digest: string,
  size: number,
): Promise<BlobFailure | undefined> {
  if (ctx.peerBlobs.has(digest)) return undefined
  const { svc, peer } = ctx
  const head = await blobRequest(ctx, { method: 'HEAD', path: `/v1/federation/blobs/${digest}` })
  const next = headOutcome(head.status)
  if (next === 'retry') {
    svc.log.warn('blob check failed', { peer: peer.operator, digest, status: head.status })
    throw new UploadRetry(
      `blob check answered ${head.status}`,
      retryAfterMs(head.headers.get('retry-after'), svc.now()),
    )
  }
  if (next === 'upload') {
    // Asked first: a peer that holds the blob already needs nothing from this node's store.
    let local: ReadableStream<Uint8Array> | undefined
    try {
      local = await openLocal(svc, digest, size)
    } catch (e) {
      if (e instanceof LocalStoreFault) return { kind: 'unreadable', fault: e }
      throw e
    }
    if (!local) return { kind: 'gone', code: 'ERR_NOT_FOUND' }
    const { stream, failed } = watchedSource(local)
    // A source that failed is this node's fault, whatever the transport made of it, and whatever
    // the peer answered to a body cut short (a mismatch, which would settle the letters for good).
    const unreadable = (cause: unknown): BlobFailure => ({
      kind: 'unreadable',
      fault: new LocalStoreFault('blob', cause),
    })
    let put: Awaited<ReturnType<typeof blobRequest>>
    try {
      put = await blobRequest(ctx, {
        method: 'PUT',
        path: `/v1/federation/blobs/${digest}`,
        stream,
        contentLength: size,
        // Large blobs: allow ~1 MiB/s at least, never less than the usual timeout.
        timeoutMs: Math.max(svc.config.delivery.requestTimeoutMs, size / 1000),
      })
    } catch (e) {
      if (failed() === undefined) throw e
      return unreadable(failed())
    }
    if (failed() !== undefined) return unreadable(failed())
    if (put.status !== 200 && put.status !== 201) {
      const refusal = blobRefusal(put.status, put.code)
      svc.log.warn(refusal ? 'blob refused' : 'blob upload failed', {
        peer: peer.operator,
        digest,
        status: put.status,
        code: put.code ?? null,
      })
      if (refusal) return { kind: 'refused', code: refusal }
      throw new UploadRetry(
        `blob upload answered ${put.status}`,
        retryAfterMs(put.headers.get('retry-after'), svc.now()),
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
 * (`unconfirmed` instead after an ambiguous attempt, 14.4). So is a letter whose attachment the
 * peer lacks and this node no longer holds intact, with `ERR_NOT_FOUND` (14.4), logged as an
 * error: the fault is this node's. A letter whose attachment this node's store fails to read is
 * retried with its backoff instead (not ambiguous: it was not sent), logged as an error, and the
 * attempt counted once as `local-store`. Each is about that letter, so the other letters of the
 * transaction go on, and none counts against the peer. Throws when the attempt is to be retried.
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
  // By digest: letters of one bulk sending often share an attachment, refused (or lost) once.
  const failed = new Map<string, BlobFailure>()
  const left: Entry[] = []
  let unreadable = false
  for (const e of entries) {
    let failure: BlobFailure | undefined
    let digest = ''
    for (const a of e.letter.attachments) {
      failure = failed.get(a.digest) ?? (await ensureBlob(ctx, a.digest, a.size))
      if (failure) {
        failed.set(a.digest, failure)
        digest = a.digest
        break
      }
    }
    if (!failure) {
      left.push(e)
      continue
    }
    if (failure.kind === 'unreadable') {
      logLocalFault(svc, ctx.peer, failure.fault, {
        letterId: e.letter.id,
        digest,
        recipients: e.items.length,
      })
      unreadable = true
      for (const item of e.items)
        settlements.push({
          id: item.id,
          outcome: 'retry',
          nextAttemptAt: retryAt(ctx, item, now),
          ambiguous: false,
          error: failure.fault.message,
        })
      continue
    }
    const { code } = failure
    if (failure.kind === 'gone')
      svc.log.error('attachment gone from the blob store: letter not sent', {
        peer: ctx.peer.operator,
        letterId: e.letter.id,
        digest,
        recipients: e.items.length,
      })
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
  if (unreadable) svc.metrics.transactions.inc({ peer: ctx.peer.operator, outcome: 'local-store' })
  return left
}
