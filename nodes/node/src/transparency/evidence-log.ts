/**
 * @module transparency/evidence-log
 * This node's transparency log (spec 16, 17.9): every evidence record the node issues is
 * appended, in batches, off the letter's path. The queue is the evidence table itself, read
 * through a durable feed position, so a record stored is a record logged even across a crash;
 * the same step queues receipts for senders (spec 17.5). After each batch one checkpoint is
 * signed with the node's evidence key; a fresh one at least every `refreshMs` otherwise.
 */
import { createHash } from 'node:crypto'
import {
  BaridError,
  bytesEqual,
  openLog,
  signCheckpoint,
  toHex,
  verifyLogReset,
  type ConsistencyProof,
  type InclusionProof,
  type KeyResolver,
  type MerkleLog,
} from '../core.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import type { NewReceipt, StoredCheckpoint } from '../storage/registered-types.js'
import { EVIDENCE_FEED } from '../storage/sqlite/transparency.js'
import { storageLogStore } from './storage-log-store.js'

/** SHA-256 from node:crypto: synchronous, far cheaper per call than WebCrypto (spec 16.5 rule 4). */
export const nodeSha256 = (d: Uint8Array): Uint8Array => createHash('sha256').update(d).digest()

export interface EvidenceLogOptions {
  /** Records per batch (spec 16.5: at most 1,000). */
  maxBatch?: number
  /** Sign a new checkpoint of an unchanged log after this long (spec 16.5 rule 3). */
  refreshMs?: number
}

export interface EvidenceLog {
  /** Leaves committed. */
  readonly size: number
  /**
   * Reads at most one batch of new evidence, appends this node's records, queues receipts and
   * signs a checkpoint. Returns how many records it read (0 when the feed is drained).
   */
  step(): Promise<number>
  /** Signs a checkpoint of the current tree when the latest is stale or behind it. */
  refreshCheckpoint(): Promise<StoredCheckpoint>
  /**
   * Installs a log reset the governance signed (spec 16.12) and signs the first checkpoint of its
   * epoch. Refused (`ERR_LOG_RESET_INVALID`) unless it is for this log, for a later epoch than
   * the current one, and names a tree this log holds (its size and root); the reset is verified
   * with `resolveKey` (role `governance`).
   */
  installReset(
    bytes: Uint8Array,
    resolveKey: KeyResolver,
  ): Promise<{ epoch: number; checkpoint: StoredCheckpoint }>
  /** The newest signed checkpoint and the cosignatures witnesses returned for it. */
  latest(): Promise<{ checkpoint: StoredCheckpoint; cosignatures: Uint8Array[] } | undefined>
  /** The inclusion proof of a record against the newest checkpoint, or undefined if not covered yet. */
  inclusion(
    evidenceId: string,
  ): Promise<{ proof: InclusionProof; checkpoint: StoredCheckpoint } | undefined>
  /** Consistency proof between two signed sizes (`ERR_LOG_INDEX_OUT_OF_RANGE` beyond them). */
  consistency(first: number, second: number): Promise<ConsistencyProof>
  /** Root of the tree at a signed size. */
  root(size: number): Promise<Uint8Array>
  /** Records stored but not yet read by the log. */
  backlog(): Promise<number>
}

/**
 * Opens the log over the node's storage.
 *
 * @example
 * ```ts
 * const log = await openEvidenceLog(svc)
 * while ((await log.step()) > 0);
 * const { proof, checkpoint } = (await log.inclusion(evidenceId))!
 * ```
 */
export async function openEvidenceLog(
  svc: Pick<NodeServices, 'storage' | 'keys' | 'directory' | 'now'>,
  o: EvidenceLogOptions = {},
): Promise<EvidenceLog> {
  const maxBatch = o.maxBatch ?? 1000
  const refreshMs = o.refreshMs ?? 5 * 60_000
  const store = storageLogStore(svc.storage)
  const log: MerkleLog = await openLog({ store, sha256: nodeSha256, maxBatch })
  let running: Promise<unknown> = Promise.resolve()
  // Steps and checkpoint signing never overlap: the staged store holds one step at a time.
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const r = running.then(f)
    running = r.catch(() => undefined)
    return r
  }

  async function sign(): Promise<StoredCheckpoint> {
    const signed = await signCheckpoint(
      {
        logId: svc.directory.self,
        size: log.size,
        root: await log.root(),
        time: Math.floor(svc.now() / 1000),
        // Read at every signing: a reset installed through the admin API takes effect at once.
        epoch: await svc.storage.logEpoch(),
      },
      svc.keys.evidence,
    )
    const cp = {
      digest: toHex(signed.digest),
      size: signed.size,
      time: signed.time,
      bytes: signed.bytes,
    }
    await svc.storage.putCheckpoint(cp)
    return cp
  }

  async function stepNow(): Promise<number> {
    const from = await svc.storage.feedPosition(EVIDENCE_FEED)
    const rows = await svc.storage.evidenceAfter(from, maxBatch)
    if (rows.length === 0) return 0
    const self = svc.directory.self
    const mine = rows.filter((r) => r.issuer === self && !mutant('log-drop-records'))
    const receipts: NewReceipt[] = rows
      .filter((r) => r.origin === self && r.sender !== null)
      .map((r) => ({ sender: r.sender!, evidenceId: r.id }))
    const step = {
      leaves: mine.map((r) => r.id),
      feed: { from, to: rows[rows.length - 1]!.position },
      receipts,
      at: svc.now(),
    }
    if (mine.length === 0) {
      await svc.storage.commitLog(null, [], step.feed, receipts, step.at)
    } else {
      store.stage(step)
      await log.append(mine.map((r) => r.record))
      await sign()
    }
    return rows.length
  }

  async function latestCheckpoint(): Promise<StoredCheckpoint> {
    const cp = await svc.storage.latestCheckpoint()
    if (!cp)
      throw new BaridError('ERR_LOG_INDEX_OUT_OF_RANGE', 'the log has signed no checkpoint yet')
    return cp
  }

  function checkSize(size: number, signed: number, what: string): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > signed)
      throw new BaridError('ERR_LOG_INDEX_OUT_OF_RANGE', `${what} is beyond the signed log`, {
        details: { size: signed },
      })
  }

  const api: EvidenceLog = {
    get size() {
      return log.size
    },
    step: () => serial(stepNow),
    refreshCheckpoint: () =>
      serial(async () => {
        const cp = await svc.storage.latestCheckpoint()
        if (cp && cp.size === log.size && svc.now() - cp.time * 1000 < refreshMs) return cp
        return sign()
      }),
    installReset: (bytes, resolveKey) =>
      serial(async () => {
        const reset = await verifyLogReset(bytes, { resolveKey, logId: svc.directory.self })
        const { size, root } = reset.restored
        if (size > log.size || !bytesEqual(await log.root(size), root))
          throw new BaridError(
            'ERR_LOG_RESET_INVALID',
            'the reset names a tree this log does not hold',
            { details: { size, held: log.size } },
          )
        // The storage refuses an epoch not above the current one, in the same transaction.
        await svc.storage.putLogReset({ epoch: reset.epoch, bytes, at: svc.now() })
        return { epoch: reset.epoch, checkpoint: await sign() }
      }),
    async latest() {
      const checkpoint = await svc.storage.latestCheckpoint()
      if (!checkpoint) return undefined
      return { checkpoint, cosignatures: await svc.storage.listCosignatures(checkpoint.digest) }
    },
    async inclusion(evidenceId) {
      const index = await svc.storage.leafIndex(evidenceId)
      const checkpoint = await svc.storage.latestCheckpoint()
      if (index === undefined || !checkpoint || index >= checkpoint.size) return undefined
      return { proof: await log.inclusionProof(index, checkpoint.size), checkpoint }
    },
    async consistency(first, second) {
      const signed = (await latestCheckpoint()).size
      checkSize(second, signed, 'second')
      checkSize(first, second, 'first')
      return log.consistencyProof(first, second)
    },
    async root(size) {
      checkSize(size, (await latestCheckpoint()).size, 'size')
      return log.root(size)
    },
    async backlog() {
      return (await svc.storage.evidenceHead()) - (await svc.storage.feedPosition(EVIDENCE_FEED))
    },
  }
  await api.refreshCheckpoint()
  return api
}
