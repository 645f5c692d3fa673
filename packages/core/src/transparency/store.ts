/**
 * @module transparency/store
 * The storage seam of the log. A store keeps the hash of every complete subtree, addressed by
 * (level, index), and the number of leaves committed; nothing else. Complete subtrees never
 * change, so a store is append-only, and any root or proof for any past tree size is computed
 * from O(log n) of them. The reference node implements {@link LogStore} on SQLite, e.g. one
 * table `(level INTEGER, idx INTEGER, hash BLOB, PRIMARY KEY (level, idx)) WITHOUT ROWID` and
 * a one-row table holding the size, both written in one transaction by {@link LogStore.commit}.
 */
import { BaridError } from '../errors.js'
import type { NodeId } from './tree-math.js'

/** A complete subtree's hash, to be stored. */
export interface StoredNode extends NodeId {
  readonly hash: Uint8Array
}

/** One atomic append: the new nodes, and the size moving from `from` to `to`. */
export interface LogCommit {
  /** The size the store must hold now; anything else means another writer moved it. */
  readonly from: number
  /** The size after this commit. */
  readonly to: number
  /** Every subtree completed by leaves `from .. to - 1`, leaves (level 0) included. */
  readonly nodes: readonly StoredNode[]
}

/** A value, or a promise of it: a synchronous store (better-sqlite3) need not allocate promises. */
export type MaybePromise<T> = T | Promise<T>

/**
 * Where a log keeps its tree. Implementations MUST make {@link commit} atomic (all nodes and
 * the new size, or nothing) and MUST refuse a commit whose `from` is not the current size, so
 * two writers can never interleave. They never overwrite or delete a node.
 */
export interface LogStore {
  /** The number of leaves committed. */
  size(): MaybePromise<number>
  /**
   * The hashes of the given complete subtrees, in the order asked. Every id lies within the
   * committed size; a node that is missing is a fault of the store (throw `ERR_INTERNAL`).
   */
  getNodes(ids: readonly NodeId[]): MaybePromise<readonly Uint8Array[]>
  /** Stores the nodes of one batch and moves the size, atomically; see {@link LogCommit}. */
  commit(commit: LogCommit): MaybePromise<void>
}

/** An in-memory {@link LogStore}, with the number of reads it served (for tests and benchmarks). */
export interface MemoryLogStore extends LogStore {
  /** Node reads served so far. */
  readonly reads: number
}

/**
 * An in-memory {@link LogStore} for tests, benchmarks and short-lived tools.
 *
 * @example
 * ```ts
 * const log = await openLog({ store: createMemoryLogStore() })
 * await log.append([record])
 * ```
 */
export function createMemoryLogStore(): MemoryLogStore {
  const levels: Uint8Array[][] = []
  let size = 0
  let reads = 0
  return {
    get reads() {
      return reads
    },
    size: () => size,
    getNodes(ids) {
      reads += ids.length
      return ids.map(({ level, index }) => {
        const h = levels[level]?.[index]
        if (h === undefined)
          throw new BaridError('ERR_INTERNAL', 'log store is missing a node', {
            details: { level, index },
          })
        return h
      })
    },
    commit({ from, to, nodes }) {
      if (from !== size || to < from) {
        throw new BaridError('ERR_INTERNAL', 'log store size moved: another writer appended', {
          details: { from, size },
        })
      }
      for (const n of nodes) (levels[n.level] ??= [])[n.index] = n.hash
      size = to
    },
  }
}
