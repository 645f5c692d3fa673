/**
 * @module transparency/sequencer
 * Bounded batching in front of a {@link MerkleLog} (spec/16 section 16.5). Entries wait in a
 * queue; a batch is committed when it holds `maxBatch` entries or `maxDelayMs` after its first
 * entry arrived, whichever comes first (entries left over when more than a batch was waiting go
 * straight into the next batch), and one checkpoint is signed per batch. So a node signs
 * at most one checkpoint per interval under light load and one per `maxBatch` entries under heavy
 * load, and an entry waits at most `maxDelayMs` plus the commits ahead of it. The queue is bounded:
 * beyond `maxPending` entries `add` fails fast with `ERR_UNAVAILABLE` rather than growing.
 */
import { BaridError } from '../errors.js'
import { signCheckpoint, type SignedCheckpoint } from './checkpoint.js'
import type { TransparencySigner } from './envelope.js'
import type { MerkleLog } from './log.js'
import type { MaybePromise } from './store.js'

/** Default batch interval, in milliseconds (spec/16 section 16.5). */
export const DEFAULT_MAX_DELAY_MS = 1000

/** Runs `callback` after `delayMs`; returns a function that cancels it. */
export type Scheduler = (callback: () => void, delayMs: number) => () => void

/** A committed batch. */
export interface CommittedBatch {
  /** Index of the batch's first leaf. */
  readonly first: number
  /** Tree size after the batch. */
  readonly size: number
  readonly root: Uint8Array
  /** The checkpoint signed for this batch, when the sequencer signs. */
  readonly checkpoint?: SignedCheckpoint
}

/** Where one entry landed. */
export interface Sequenced {
  readonly index: number
  readonly batch: CommittedBatch
}

/** Options for {@link createSequencer}. */
export interface SequencerOptions {
  log: MerkleLog
  /** Entries per batch. Default: the log's own limit (1000). */
  maxBatch?: number
  /** Longest an entry waits for its batch to close, in ms. Default 1000. */
  maxDelayMs?: number
  /** Most entries waiting. Default 10 batches. */
  maxPending?: number
  /** Sign a checkpoint for every batch. */
  checkpoint?: {
    logId: string
    signer: TransparencySigner
    /** Current time, in seconds. */
    now: () => number
  }
  /**
   * Awaited after each batch is committed (and its checkpoint signed), before its entries'
   * `add` promises settle: store the checkpoint here. If it throws, those promises reject,
   * but the entries stay in the log: a log is append-only.
   */
  onCommit?: (batch: CommittedBatch) => MaybePromise<void>
  /** Timer. Default `setTimeout`. */
  schedule?: Scheduler
}

/** A batching front for a log. */
export interface LogSequencer extends AsyncDisposable {
  /** Queues `leaf`; resolves once its batch is committed (and checkpointed). */
  add(leaf: Uint8Array): Promise<Sequenced>
  /** Entries waiting. */
  readonly pending: number
  /** Commits everything queued now. */
  flush(): Promise<void>
  /** Refuses new entries, commits the queued ones, stops the timer. */
  close(): Promise<void>
}

interface Waiting {
  readonly leaf: Uint8Array
  readonly resolve: (s: Sequenced) => void
  readonly reject: (e: unknown) => void
}

const defaultSchedule: Scheduler = (callback, delayMs) => {
  const t = setTimeout(callback, delayMs)
  return () => clearTimeout(t)
}

/**
 * Creates a sequencer for `log`.
 *
 * @example
 * ```ts
 * const seq = createSequencer({ log, checkpoint: { logId: 'post.eg', signer: logKey, now }, onCommit: saveCheckpoint })
 * const { index, batch } = await seq.add(evidenceRecordBytes)
 * ```
 */
export function createSequencer(options: SequencerOptions): LogSequencer {
  const { log } = options
  const maxBatch = options.maxBatch ?? log.limits.maxBatch
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1 || maxBatch > log.limits.maxBatch) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      "maxBatch must be between 1 and the log's batch limit",
    )
  }
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS
  const maxPending = options.maxPending ?? 10 * maxBatch
  const schedule = options.schedule ?? defaultSchedule
  const queue: Waiting[] = []
  let cancelTimer: (() => void) | undefined
  let due = false
  let draining: Promise<void> | undefined
  let closed = false

  const ready = () => queue.length > 0 && (due || queue.length >= maxBatch)

  function arm(): void {
    if (cancelTimer !== undefined || queue.length === 0) return
    cancelTimer = schedule(() => {
      cancelTimer = undefined
      due = true
      start()
    }, maxDelayMs)
  }

  function start(): void {
    if (draining !== undefined || !ready()) return
    draining = drain().then(() => {
      draining = undefined
      start()
    })
  }

  async function drain(): Promise<void> {
    while (ready()) {
      const batch = queue.splice(0, maxBatch)
      // Entries left over (more than a batch was waiting) have waited already: they go next.
      due = queue.length > 0
      cancelTimer?.()
      cancelTimer = undefined
      await commit(batch)
    }
  }

  async function commit(batch: readonly Waiting[]): Promise<void> {
    try {
      const r = await log.append(batch.map((w) => w.leaf))
      const cp = options.checkpoint
      const committed: CommittedBatch =
        cp === undefined
          ? r
          : {
              ...r,
              checkpoint: await signCheckpoint(
                { logId: cp.logId, size: r.size, root: r.root, time: cp.now() },
                cp.signer,
              ),
            }
      await options.onCommit?.(committed)
      batch.forEach((w, i) => w.resolve({ index: r.first + i, batch: committed }))
    } catch (e) {
      for (const w of batch) w.reject(e)
    }
  }

  async function flush(): Promise<void> {
    while (queue.length > 0 || draining !== undefined) {
      due = true
      start()
      await draining
    }
  }

  return {
    get pending() {
      return queue.length
    },
    add(leaf) {
      if (closed)
        return Promise.reject(new BaridError('ERR_UNAVAILABLE', 'the log sequencer is closed'))
      if (!(leaf instanceof Uint8Array))
        return Promise.reject(new BaridError('ERR_INVALID_ARGUMENT', 'a leaf must be bytes'))
      if (leaf.length > log.limits.maxLeafBytes) {
        return Promise.reject(
          new BaridError('ERR_INPUT_TOO_LARGE', 'leaf exceeds its size limit', {
            details: { limit: log.limits.maxLeafBytes },
          }),
        )
      }
      if (queue.length >= maxPending) {
        return Promise.reject(
          new BaridError('ERR_UNAVAILABLE', 'the log is behind: too many entries waiting', {
            details: { limit: maxPending },
          }),
        )
      }
      return new Promise<Sequenced>((resolve, reject) => {
        queue.push({ leaf, resolve, reject })
        if (queue.length >= maxBatch) start()
        else arm()
      })
    },
    flush,
    async close() {
      closed = true
      await flush()
      cancelTimer?.()
      cancelTimer = undefined
    },
    async [Symbol.asyncDispose]() {
      await this.close()
    },
  }
}
