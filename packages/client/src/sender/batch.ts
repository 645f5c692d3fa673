/**
 * @module sender/batch
 * Sending many letters (spec 12.4): each letter is sealed here and its attachments uploaded,
 * then the letters go to the node in batches of up to `chunkSize`, each batch under its own
 * `Idempotency-Key` so a retried request never makes a second batch; the node processes them in
 * the background, and the client polls until every letter has a result. A letter that could
 * not be sealed (recipient exempt, unknown, without keys) is reported as rejected without
 * being sent.
 */
import { BaridError, isBaridError, toBase64Url, type BatchAccepted } from '../core.js'
import { offsetPages } from '../http/paging.js'
import type { Transport } from '../http/transport.js'
import type { PreparedAttachment } from '../letters/attachments.js'
import type { SealedSubmission } from '../letters/seal.js'
import type { BatchItemResult, BatchProgress } from '../types.js'

/** Where a batch run stands. */
export interface BatchRunProgress {
  /** `sealing`: sealing and uploading here; `processing`: the node is accepting the letters. */
  phase: 'sealing' | 'processing'
  done: number
  total: number
}

/** Options of a batch run. */
export interface SendBatchOptions {
  onProgress?: (p: BatchRunProgress) => void
  /** Letters per batch request; default 1000 (the node takes up to 10,000 within 64 MiB). */
  chunkSize?: number
  /** Letters sealed at once; default 4. */
  concurrency?: number
  /** Poll interval while the node processes; default 250 ms. */
  pollIntervalMs?: number
  /** Give up waiting for the node after this long; default 10 minutes. */
  timeoutMs?: number
  /** Prefix of the batches' Idempotency-Keys; default random. Reuse it to retry a whole run. */
  idempotencyKeyPrefix?: string
}

/** The result for one letter of the input. */
export interface BatchLetterResult {
  index: number
  status: 'accepted' | 'rejected'
  letterId: string | null
  code?: string
  message?: string
}

/** The outcome of a batch run. */
export interface BatchOutcome {
  batchIds: string[]
  total: number
  accepted: number
  rejected: number
  /** One per input letter, in input order. */
  results: BatchLetterResult[]
}

/** What a batch run needs from the sender client. */
export interface BatchDeps<I> {
  transport: Transport
  seal(input: I): Promise<SealedSubmission>
  upload(a: PreparedAttachment): Promise<void>
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

const sleeper = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Seals, submits and follows a batch of letters.
 *
 * @example
 * ```ts
 * const outcome = await runBatch(deps, letters, { onProgress: (p) => console.log(p.phase, p.done, '/', p.total) })
 * ```
 */
export async function runBatch<I>(
  deps: BatchDeps<I>,
  inputs: readonly I[],
  o: SendBatchOptions = {},
): Promise<BatchOutcome> {
  const total = inputs.length
  if (total === 0) throw new BaridError('ERR_INVALID_ARGUMENT', 'a batch needs at least one letter')
  const chunkSize = o.chunkSize ?? 1000
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > 10_000)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'chunkSize must be 1 to 10000')
  const sleep = deps.sleep ?? sleeper
  const now = deps.now ?? Date.now
  const prefix = o.idempotencyKeyPrefix ?? `batch-${crypto.randomUUID()}`
  const results: (BatchLetterResult | undefined)[] = new Array(total)
  const sealed: { index: number; letter: SealedSubmission }[] = []

  // Phase 1: seal and upload here, a few at a time.
  let next = 0
  let sealedCount = 0
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      try {
        const letter = await deps.seal(inputs[i]!)
        for (const a of letter.attachments) await deps.upload(a)
        sealed.push({ index: i, letter })
      } catch (e) {
        if (!isBaridError(e)) throw e
        results[i] = {
          index: i,
          status: 'rejected',
          letterId: null,
          code: e.code,
          message: e.message,
        }
      }
      o.onProgress?.({ phase: 'sealing', done: ++sealedCount, total })
    }
  }
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, total) }, worker))
  sealed.sort((a, b) => a.index - b.index)

  // Phase 2: submit in chunks; each chunk's Idempotency-Key makes its retries safe.
  const batches: { id: string; indices: number[] }[] = []
  for (let c = 0; c * chunkSize < sealed.length; c++) {
    const chunk = sealed.slice(c * chunkSize, (c + 1) * chunkSize)
    const { data } = await deps.transport.json<BatchAccepted>({
      method: 'POST',
      path: '/v1/sender/batches',
      json: { letters: chunk.map((s) => toBase64Url(s.letter.bytes)) },
      headers: { 'idempotency-key': `${prefix}-${c}` },
      repeatable: true,
    })
    batches.push({ id: data.batchId, indices: chunk.map((s) => s.index) })
  }

  // Phase 3: follow the node's processing, then collect the per-letter results.
  const deadline = now() + (o.timeoutMs ?? 600_000)
  const rejectedHere = total - sealed.length
  for (const b of batches) {
    for (;;) {
      const p = await progressOf(deps.transport, b.id, 0, 1)
      const before = batches.slice(0, batches.indexOf(b)).reduce((n, x) => n + x.indices.length, 0)
      o.onProgress?.({ phase: 'processing', done: rejectedHere + before + p.processed, total })
      if (p.completedAt !== null) break
      if (now() > deadline)
        throw new BaridError('ERR_UNAVAILABLE', 'the node did not finish the batch in time', {
          details: { reason: 'timeout', batchId: b.id },
        })
      await sleep(o.pollIntervalMs ?? 250)
    }
    const items = await offsetPages<BatchItemResult>(
      b.indices.length,
      1000,
      async (offset, limit) => (await progressOf(deps.transport, b.id, offset, limit)).results,
    )
    for (const r of items) {
      const index = b.indices[r.index]
      if (index === undefined)
        throw new BaridError(
          'ERR_INTERNAL',
          'the node returned a result for a letter not in the batch',
        )
      results[index] = {
        index,
        status: r.status === 'accepted' ? 'accepted' : 'rejected',
        letterId: r.letterId,
        ...(r.code === undefined ? {} : { code: r.code }),
        ...(r.message === undefined ? {} : { message: r.message }),
      }
    }
  }
  const all = results.map(
    (r, index) =>
      r ?? {
        index,
        status: 'rejected' as const,
        letterId: null,
        code: 'ERR_INTERNAL',
        message: 'no result',
      },
  )
  const accepted = all.filter((r) => r.status === 'accepted').length
  return {
    batchIds: batches.map((b) => b.id),
    total,
    accepted,
    rejected: total - accepted,
    results: all,
  }
}

async function progressOf(
  t: Transport,
  batchId: string,
  offset: number,
  limit: number,
): Promise<BatchProgress> {
  return (
    await t.json<BatchProgress>({
      method: 'GET',
      path: `/v1/sender/batches/${encodeURIComponent(batchId)}`,
      query: { offset, limit },
      repeatable: true,
    })
  ).data
}
