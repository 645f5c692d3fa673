/**
 * @module transparency/storage-log-store
 * Core's `LogStore` (the Merkle tree's storage seam, spec 16.5 rule 4) over the node's
 * {@link Storage}. A commit of the tree is written in the same transaction as the rest of the
 * evidence feed's step (which record is which leaf, the receipts queued for senders, the feed's
 * new position), so a crash leaves either all of a step or none of it. The step's extra writes
 * are staged with {@link StagedLogStore.stage} just before `log.append` commits.
 */
import { BaridError, type LogCommit, type LogStore } from '../core.js'
import type { NewReceipt } from '../storage/registered-types.js'
import type { Storage } from '../storage/storage.js'

/** What a feed step writes besides the tree. */
export interface FeedStep {
  /** Evidence id of each leaf appended, in order. */
  leaves: readonly string[]
  feed: { from: number; to: number }
  receipts: readonly NewReceipt[]
  at: number
}

export interface StagedLogStore extends LogStore {
  /** Sets what the next commit writes besides the tree; cleared by that commit. */
  stage(step: FeedStep): void
}

/**
 * @example
 * ```ts
 * const store = storageLogStore(svc.storage)
 * const log = await openLog({ store, sha256 })
 * store.stage({ leaves: [id], feed: { from, to }, receipts: [], at: now })
 * await log.append([record])
 * ```
 */
export function storageLogStore(storage: Storage): StagedLogStore {
  let staged: FeedStep | undefined
  return {
    stage(step) {
      staged = step
    },
    size: () => storage.logSize(),
    getNodes: (ids) => storage.logNodes(ids),
    async commit(c: LogCommit) {
      const step = staged
      staged = undefined
      if (!step) throw new BaridError('ERR_INTERNAL', 'log commit without a staged feed step')
      await storage.commitLog(c, step.leaves, step.feed, step.receipts, step.at)
    },
  }
}
