/**
 * @module transparency/log
 * An append-only Merkle log (RFC 9162 section 2.1) over any {@link LogStore}. The log keeps the
 * frontier (the roots of the perfect subtrees that make up the current tree) in memory, so an
 * append of b leaves costs b leaf hashes plus about b node hashes and no reads, and the current
 * root costs O(log n) hashes. A proof for any tree size up to the current one plans its ranges
 * first (tree-math), reads the O(log n) subtree hashes it needs in one call, then hashes.
 */
import { BaridError } from '../errors.js'
import { EMPTY_ROOT, hasherOf, leafHash, type HashOptions, type Sha256 } from './hash.js'
import type { LogStore, StoredNode } from './store.js'
import {
  consistencyRanges,
  frontierNodes,
  inclusionRanges,
  isTreeSize,
  rangeNodes,
  type LeafRange,
  type NodeId,
} from './tree-math.js'

/** Default most leaves in one append (spec/16 section 16.5). */
export const DEFAULT_MAX_BATCH = 1000
/** Default largest leaf accepted, in bytes. */
export const DEFAULT_MAX_LEAF_BYTES = 65_536

/** Options for {@link openLog}. */
export interface OpenLogOptions extends HashOptions {
  store: LogStore
  /** Most leaves in one {@link MerkleLog.append}. Default 1000. */
  maxBatch?: number
  /** Largest leaf, in bytes. Default 64 KiB. */
  maxLeafBytes?: number
}

/** The outcome of one append. */
export interface AppendResult {
  /** Index of the first leaf appended; the others follow in order. */
  readonly first: number
  /** Tree size after the append. */
  readonly size: number
  /** Root of the tree of {@link size} leaves. */
  readonly root: Uint8Array
}

/** An inclusion proof (RFC 9162 section 2.1.3.1) for leaf `index` in the tree of `size` leaves. */
export interface InclusionProof {
  readonly index: number
  readonly size: number
  readonly path: readonly Uint8Array[]
}

/** A consistency proof (RFC 9162 section 2.1.4.1) from the tree of `first` leaves to that of `second`. */
export interface ConsistencyProof {
  readonly first: number
  readonly second: number
  readonly path: readonly Uint8Array[]
}

/** The bounds a log enforces on {@link MerkleLog.append}. */
export interface LogLimits {
  readonly maxBatch: number
  readonly maxLeafBytes: number
}

/** An append-only Merkle log. */
export interface MerkleLog {
  /** Leaves committed. */
  readonly size: number
  /** Bounds on appends. */
  readonly limits: LogLimits
  /** Appends leaves atomically (all or none), in order. Appends are serialised. */
  append(leaves: readonly Uint8Array[]): Promise<AppendResult>
  /** The root of the first `size` leaves (default: all). */
  root(size?: number): Promise<Uint8Array>
  /** The inclusion proof of leaf `index` in the tree of `size` leaves (default: all). */
  inclusionProof(index: number, size?: number): Promise<InclusionProof>
  /** The consistency proof from `first` leaves to `second` (default: all). */
  consistencyProof(first: number, second?: number): Promise<ConsistencyProof>
}

function outOfRange(message: string, details: Record<string, unknown>): never {
  throw new BaridError('ERR_LOG_INDEX_OUT_OF_RANGE', message, { details })
}

async function fold(h: Sha256, hashes: readonly Uint8Array[]): Promise<Uint8Array> {
  // MTH of a range is its perfect subtrees combined right to left (RFC 9162 2.1.1, unrolled).
  let r = hashes[hashes.length - 1]!
  for (let i = hashes.length - 2; i >= 0; i--) {
    const data = new Uint8Array(65)
    data[0] = 1
    data.set(hashes[i]!, 1)
    data.set(r, 33)
    r = await h(data)
  }
  return r
}

class StoreLog implements MerkleLog {
  private tail: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly store: LogStore,
    private readonly h: Sha256,
    readonly limits: LogLimits,
    private committed: number,
    // frontier[level] = hash of node (level, floor(size / 2^level) - 1) when bit `level` of size is set
    private frontier: (Uint8Array | undefined)[],
  ) {}

  get size(): number {
    return this.committed
  }

  async append(leaves: readonly Uint8Array[]): Promise<AppendResult> {
    if (!Array.isArray(leaves) || leaves.length === 0)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'append needs at least one leaf')
    if (leaves.length > this.limits.maxBatch) {
      throw new BaridError('ERR_INPUT_TOO_LARGE', 'too many leaves in one append', {
        details: { limit: this.limits.maxBatch },
      })
    }
    for (const leaf of leaves) {
      if (!(leaf instanceof Uint8Array))
        throw new BaridError('ERR_INVALID_ARGUMENT', 'a leaf must be bytes')
      if (leaf.length > this.limits.maxLeafBytes) {
        throw new BaridError('ERR_INPUT_TOO_LARGE', 'leaf exceeds its size limit', {
          details: { limit: this.limits.maxLeafBytes },
        })
      }
    }
    const batch = [...leaves] // the caller may reuse its array while the append waits its turn
    const run = this.tail.then(() => this.appendNow(batch))
    this.tail = run.catch(() => undefined)
    return run
  }

  private async appendNow(leaves: readonly Uint8Array[]): Promise<AppendResult> {
    const n = this.committed
    const total = n + leaves.length
    if (total > Number.MAX_SAFE_INTEGER) outOfRange('the log is full', { size: n })
    const nodes: StoredNode[] = []
    // Level by level: the nodes of one level are independent, so they hash concurrently.
    let level = 0
    let start = n
    let row = await Promise.all(leaves.map((leaf) => leafHash(leaf, { sha256: this.h })))
    const frontier = [...this.frontier]
    for (;;) {
      row.forEach((hash, i) => nodes.push({ level, index: start + i, hash }))
      const end = start + row.length
      if (end % 2 === 1) frontier[level] = row[row.length - 1]
      else frontier[level] = undefined
      const lo = Math.floor(start / 2)
      const hi = Math.floor(end / 2)
      if (lo >= hi) break
      const below = row
      const belowStart = start
      const old = this.frontier[level]
      const child = (index: number): Uint8Array =>
        index >= belowStart ? below[index - belowStart]! : old! // only the old frontier node lies left of the new ones
      const parents: (Uint8Array | Promise<Uint8Array>)[] = []
      for (let j = lo; j < hi; j++) {
        const data = new Uint8Array(65)
        data[0] = 1
        data.set(child(2 * j), 1)
        data.set(child(2 * j + 1), 33)
        parents.push(this.h(data))
      }
      row = await Promise.all(parents)
      start = lo
      level++
    }
    // Levels above the last one that changed keep their frontier nodes.
    await this.store.commit({ from: n, to: total, nodes })
    this.committed = total
    this.frontier = frontier
    return { first: n, size: total, root: await this.currentRoot() }
  }

  private async currentRoot(): Promise<Uint8Array> {
    const hashes = this.frontier.filter((h): h is Uint8Array => h !== undefined).reverse()
    return hashes.length === 0 ? EMPTY_ROOT : fold(this.h, hashes)
  }

  private checkSize(size: number | undefined): number {
    const s = size ?? this.committed
    if (!isTreeSize(s) || s > this.committed)
      outOfRange('tree size is beyond the log', { size: s, logSize: this.committed })
    return s
  }

  async root(size?: number): Promise<Uint8Array> {
    const s = this.checkSize(size)
    if (s === this.committed) return this.currentRoot()
    return s === 0 ? EMPTY_ROOT : (await this.rangeHashes([[0, s]]))[0]!
  }

  async inclusionProof(index: number, size?: number): Promise<InclusionProof> {
    const s = this.checkSize(size)
    if (!isTreeSize(index) || index >= s)
      outOfRange('leaf index is beyond the tree', { index, size: s })
    return { index, size: s, path: await this.rangeHashes(inclusionRanges(index, s)) }
  }

  async consistencyProof(first: number, second?: number): Promise<ConsistencyProof> {
    const s = this.checkSize(second)
    if (!isTreeSize(first) || first > s)
      outOfRange('first tree size is beyond the second', { first, second: s })
    return { first, second: s, path: await this.rangeHashes(consistencyRanges(first, s)) }
  }

  /** MTH of each range: one batched read of all their perfect subtrees, then folding. */
  private async rangeHashes(ranges: readonly LeafRange[]): Promise<Uint8Array[]> {
    const parts = ranges.map(([a, b]) => rangeNodes(a, b))
    const ids: NodeId[] = parts.flat()
    const hashes = ids.length === 0 ? [] : await this.store.getNodes(ids)
    if (hashes.length !== ids.length)
      throw new BaridError('ERR_INTERNAL', 'log store returned the wrong number of nodes')
    const out: Uint8Array[] = []
    let o = 0
    for (const p of parts) {
      out.push(await fold(this.h, hashes.slice(o, o + p.length)))
      o += p.length
    }
    return out
  }
}

/**
 * Opens the log held by `store`: reads its size and its O(log n) frontier nodes.
 *
 * @example
 * ```ts
 * const log = await openLog({ store: createMemoryLogStore() })
 * const { first, root } = await log.append([record1, record2])
 * const proof = await log.inclusionProof(first)
 * ```
 */
export async function openLog(options: OpenLogOptions): Promise<MerkleLog> {
  const size = await options.store.size()
  if (!isTreeSize(size))
    throw new BaridError('ERR_INTERNAL', 'log store reports an impossible size')
  const ids = frontierNodes(size)
  const hashes = ids.length === 0 ? [] : await options.store.getNodes(ids)
  if (hashes.length !== ids.length)
    throw new BaridError('ERR_INTERNAL', 'log store returned the wrong number of nodes')
  const frontier: (Uint8Array | undefined)[] = []
  ids.forEach((id, i) => (frontier[id.level] = hashes[i]))
  const limits: LogLimits = Object.freeze({
    maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
    maxLeafBytes: options.maxLeafBytes ?? DEFAULT_MAX_LEAF_BYTES,
  })
  for (const v of Object.values(limits)) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'log limits must be positive integers')
  }
  return new StoreLog(options.store, hasherOf(options), limits, size, frontier)
}
