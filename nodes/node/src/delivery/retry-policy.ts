/**
 * @module delivery/retry-policy
 * Which failures are retried, and when (spec 14.3). The table is explicit so that operators and
 * the conformance suite can read it rather than infer it from code.
 */
import { parseHttpDate, type BaridErrorCode } from '../core.js'
import type { NodeServices } from '../services.js'

/** The longest `Retry-After` honoured: a peer cannot park a queue for days with one answer. */
export const MAX_RETRY_AFTER_MS = 3600_000

/** How the engine treats the outcome of one attempt. */
export interface AttemptClass {
  retry: boolean
  /** The peer may have processed the request: never declare non-delivery without asking again. */
  ambiguous: boolean
}

/**
 * The retry table for a transaction attempt, by HTTP status (or transport failure).
 *
 * | Outcome                                   | Retried | Ambiguous |
 * | ----------------------------------------- | ------- | --------- |
 * | connection refused, DNS failure           | yes     | no        |
 * | timeout, connection reset, cut-off answer | yes     | yes       |
 * | 200 (per-item results decide)             | -       | -         |
 * | 401 (signature, key unknown: rotation)    | yes     | no        |
 * | 401 ERR_FED_REPLAY (a copy arrived first)  | yes     | yes       |
 * | 408, 425, 429, 503                        | yes     | no        |
 * | 409 (transaction conflict)                | yes     | no        |
 * | 500, 502, 504, other 5xx                  | yes     | yes       |
 * | 400, 403, 404, 413, 415, 422, other 4xx   | no      | no        |
 * | this node's own store fails to read       | yes     | no        |
 *
 * A blob upload before the transaction (spec 11.5) is classified by the same table, except that
 * a final refusal fails only the letters that name the blob ({@link blobRefusal}); so is the HEAD
 * before it, except that only a retried status counts ({@link headOutcome}).
 *
 * The last row is no answer of the peer: reading a letter or an attachment from this node's own
 * store failed (a permission, a disk error; a letter or blob that is gone is settled instead,
 * spec 14.4). It may pass, so the letters it held back are retried with their backoff; they were
 * not sent, so not ambiguous; and the peer is not held for it (14.3).
 */
export const RETRY_TABLE: Readonly<Record<string, AttemptClass>> = {
  connect: { retry: true, ambiguous: false },
  transport: { retry: true, ambiguous: true },
  '401': { retry: true, ambiguous: false },
  // The network delivered a copy of this very request first: that copy may have been processed.
  '401 ERR_FED_REPLAY': { retry: true, ambiguous: true },
  '408': { retry: true, ambiguous: false },
  '409': { retry: true, ambiguous: false },
  '425': { retry: true, ambiguous: false },
  '429': { retry: true, ambiguous: false },
  '503': { retry: true, ambiguous: false },
  '5xx': { retry: true, ambiguous: true },
  '4xx': { retry: false, ambiguous: false },
  'local-store': { retry: true, ambiguous: false },
}

/**
 * Classifies an HTTP status (not 2xx) and the answer's error code by {@link RETRY_TABLE}.
 *
 * @example
 * ```ts
 * classifyStatus(503) // { retry: true, ambiguous: false }
 * ```
 */
export function classifyStatus(status: number, code?: string): AttemptClass {
  const withCode = code === undefined ? undefined : RETRY_TABLE[`${status} ${code}`]
  if (withCode) return withCode
  const exact = RETRY_TABLE[String(status)]
  if (exact) return exact
  return status >= 500 ? RETRY_TABLE['5xx']! : RETRY_TABLE['4xx']!
}

/**
 * The code a blob upload's answer (spec 11.5; not 200 or 201) ends the letters that name the blob
 * with, when it refuses the blob for good; undefined when the attempt is to be retried. A final
 * refusal is about those letters, not the peer: they are settled `not-delivered` with the code,
 * and the rest of the transaction is sent. Any other answer fails the attempt as a whole, retried
 * and not ambiguous (the letters were not sent yet). The statuses are those of
 * {@link RETRY_TABLE}, read as for a transaction:
 *
 * | Answer to the upload                         | Outcome                                      |
 * | -------------------------------------------- | -------------------------------------------- |
 * | 413 (above the peer's `maxAttachmentBytes`)  | final: `ERR_INPUT_TOO_LARGE`                 |
 * | 4xx `ERR_ATTACHMENT_MISMATCH` (size, digest) | final: `ERR_ATTACHMENT_MISMATCH`             |
 * | another 4xx the table does not retry         | final: its code, or `ERR_PEER_UNAVAILABLE`   |
 * | a 4xx the table retries, 5xx, any other      | the attempt is retried                       |
 *
 * A 413 counts whatever its body: a proxy before the peer that refuses the size refuses it on
 * every retry too. An answer without a code of errors.md (a proxy's page) reads as the peer
 * failing, as for a transaction refused as a whole.
 *
 * @example
 * ```ts
 * blobRefusal(413, 'ERR_INPUT_TOO_LARGE') // 'ERR_INPUT_TOO_LARGE'
 * blobRefusal(403, 'ERR_FORBIDDEN') // 'ERR_FORBIDDEN'
 * blobRefusal(503) // undefined: retried
 * ```
 */
export function blobRefusal(status: number, code?: BaridErrorCode): BaridErrorCode | undefined {
  if (status === 413) return 'ERR_INPUT_TOO_LARGE'
  if (status < 400 || status >= 500) return undefined
  if (code === 'ERR_ATTACHMENT_MISMATCH') return code
  if (classifyStatus(status, code).retry) return undefined
  return code ?? 'ERR_PEER_UNAVAILABLE'
}

/**
 * What the answer to the HEAD before a blob upload (spec 11.5) leaves to do: nothing when the
 * peer holds the blob (`200`); retry the attempt without uploading when {@link RETRY_TABLE}
 * retries the status (the peer is unavailable for now, and said so before the blob was sent:
 * after its `Retry-After`); otherwise upload, and let the upload's answer decide: `404` says the
 * peer lacks the blob, and another status (a proxy's `405`) says nothing about it.
 *
 * | Answer to the HEAD                             | Next                                    |
 * | ---------------------------------------------- | --------------------------------------- |
 * | 200                                            | `held`: no upload                       |
 * | 401, 408, 409, 425, 429, 5xx (retried)         | `retry`: the attempt, not ambiguous     |
 * | 404, any other                                 | `upload`                                |
 *
 * @example
 * ```ts
 * headOutcome(404) // 'upload'
 * headOutcome(503) // 'retry'
 * ```
 */
export function headOutcome(status: number): 'held' | 'retry' | 'upload' {
  if (status === 200) return 'held'
  if (status >= 400 && classifyStatus(status).retry) return 'retry'
  return 'upload'
}

/**
 * The delay a peer's `Retry-After` asks for, in milliseconds, at `now`: its seconds, or the time
 * until its HTTP-date (RFC 9110 10.2.3; spec 14.3: a node reading the answer accepts both, and
 * Barid nodes send seconds, spec 10); 0 when absent, not a positive delay, or not either form; at
 * most {@link MAX_RETRY_AFTER_MS} either way, so a date years ahead parks nothing for longer
 * than an hour.
 *
 * @example
 * ```ts
 * retryAfterMs(res.headers.get('retry-after'), svc.now()) // '5' → 5000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', Date.UTC(2015, 9, 21, 7, 28)) // 30000
 * ```
 */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null) return 0
  const trimmed = header.trim()
  const seconds = Number(trimmed === '' ? undefined : trimmed)
  const ms = Number.isNaN(seconds)
    ? (parseHttpDate(trimmed, now) ?? now) - now
    : Number.isFinite(seconds)
      ? seconds * 1000
      : 0
  if (!(ms > 0)) return 0
  return Math.min(ms, MAX_RETRY_AFTER_MS)
}

/** Per-recipient results a peer returns inside a 200 answer, and what they mean here. */
export const RESULT_TABLE = {
  delivered: 'final: delivered',
  'not-delivered': 'final: not delivered (code says why)',
  retry: 'retried with backoff (e.g. ERR_ATTACHMENT_MISSING: blobs are sent again first)',
} as const

/**
 * Delay before attempt `attempts + 1`: capped exponential backoff with "full jitter"
 * (a uniformly random delay up to `min(cap, base * 2^attempts)`), so that many letters held back
 * by one outage do not return in lock step.
 *
 * @example
 * ```ts
 * backoffDelay(3, { baseMs: 1000, maxMs: 300_000 }, Math.random) // somewhere in [0, 8000)
 * ```
 */
export function backoffDelay(
  attempts: number,
  o: { baseMs: number; maxMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempts, 30))
  // Never zero: a hot loop against a failing peer helps nobody.
  return Math.max(Math.min(o.baseMs, ceiling) / 10, Math.floor(random() * ceiling))
}

/**
 * When an item retried by an attempt at `now` is next due: after its backoff
 * ({@link backoffDelay} of its attempts so far), and not before `minDelayMs` (a `Retry-After`).
 *
 * @example
 * ```ts
 * settlements.push({ id: item.id, outcome: 'retry', nextAttemptAt: retryAt(ctx, item, now), ... })
 * ```
 */
export function retryAt(
  ctx: { svc: Pick<NodeServices, 'config'>; random: () => number },
  item: { attempts: number },
  now: number,
  minDelayMs = 0,
): number {
  const d = ctx.svc.config.delivery
  return (
    now +
    Math.max(
      minDelayMs,
      backoffDelay(item.attempts, { baseMs: d.baseBackoffMs, maxMs: d.maxBackoffMs }, ctx.random),
    )
  )
}
