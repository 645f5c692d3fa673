/**
 * @module transparency/witness
 * Witnessing peers' logs (spec 16.6): fetch each peer's newest checkpoint, judge it against the
 * last one accepted from that peer (with a consistency proof), and either countersign it and
 * return the cosignature to the peer, or sign a fork statement, keep it, count it in a metric
 * and log it. After a fork the peer's log is no longer cosigned (16.6 rule 7), until it goes on
 * as a new epoch under a reset the federation's governance signed (16.12), which is witnessed
 * from the reset's restored tree.
 */
import {
  BaridError,
  decodeStrict,
  fromBase64Url,
  isBaridError,
  readConsistencyProof,
  toBase64Url,
  toHex,
  verifyCheckpoint,
  verifyLogReset,
  witnessCheckpoint,
  type KeyResolver,
  type KeyPair,
} from '../core.js'
import type { Logger } from '../ops/logger.js'
import type { Storage } from '../storage/storage.js'
import { storedCheckpointEpoch } from './checkpoint-epoch.js'
import { nodeSha256 } from './evidence-log.js'

/** Where a witness reads a log (a peer over HTTP, or a log in-process in tests). */
export interface LogSource {
  readonly log: string
  /** The newest signed checkpoint. */
  checkpoint(): Promise<Uint8Array>
  /** The consistency path from `first` to `second` leaves. */
  consistency(first: number, second: number): Promise<Uint8Array[]>
  /** The root at a past size (needed when that size is a power of two, 16.6 rule 5). */
  root(size: number): Promise<Uint8Array>
  /** The log's reset for `epoch` (spec 16.12), if it serves one. */
  reset(epoch: number): Promise<Uint8Array | undefined>
  /** Hands the log a cosignature of one of its checkpoints. */
  cosigned(checkpointDigest: string, cosignature: Uint8Array): Promise<void>
}

export type WitnessOutcome =
  | { status: 'cosigned'; size: number }
  | { status: 'fork'; kind: string; statement: Uint8Array }
  | { status: 'skipped'; code: string }

export interface WitnessDeps {
  storage: Storage
  /** This node's operator id. */
  self: string
  /**
   * This node's evidence key in force now: read together with the cosignature's time, so that
   * a key switch between the start of a round and the cosignature cannot date an old-key
   * cosignature after that key's retirement (spec 21.4).
   */
  key: () => KeyPair
  /** Finds log keys of peers (role `log`) and the federation's governance keys (log resets). */
  resolveKey: KeyResolver
  /** Milliseconds since the epoch. */
  now: () => number
  log: Pick<Logger, 'warn' | 'error' | 'info'>
  /** Called once per proven fork (the metric). */
  onFork?: (log: string, kind: string) => void
}

/** Outcomes that sign nothing and are tried again next round (reported by the log line). */
const SKIPPED: ReadonlySet<string> = new Set([
  'ERR_CHECKPOINT_STALE',
  'ERR_PROOF_INVALID',
  'ERR_LOG_RESET_INVALID',
])

const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.floor(Math.log2(n)) === n

/**
 * Witnesses one log once.
 *
 * @example
 * ```ts
 * const r = await witnessOnce(deps, httpLogSource(svc, peer))
 * if (r.status === 'fork') alert(r.kind)
 * ```
 */
export async function witnessOnce(deps: WitnessDeps, source: LogSource): Promise<WitnessOutcome> {
  const view = await deps.storage.getWitnessView(source.log)
  const nowSec = Math.floor(deps.now() / 1000)
  const witnessKey = deps.key()
  const next = await source.checkpoint()
  // Read the claimed size and epoch first (signature checked) to know which proof to ask for.
  const claimed = await verifyCheckpoint(next, {
    resolveKey: deps.resolveKey,
    logId: source.log,
    now: nowSec,
  })
  // The view was verified when it was kept (and is again by witnessCheckpoint).
  const heldEpoch = view ? storedCheckpointEpoch(view.checkpoint) : 0
  // A later epoch than the one held (or than 0, at first contact) comes with its reset.
  const newEpoch = claimed.epoch > heldEpoch
  // A proven fork ends cosigning, except for a new epoch under the governance's reset.
  if (view?.forkedAt != null && !newEpoch)
    return { status: 'skipped', code: 'ERR_LOG_INCONSISTENT' }
  let proof: Uint8Array[] = []
  let prefixRoot: Uint8Array | undefined
  let reset: Uint8Array | undefined
  let r
  try {
    if (newEpoch) {
      reset = await source.reset(claimed.epoch)
      if (reset !== undefined) {
        const { restored } = await verifyLogReset(reset, {
          resolveKey: deps.resolveKey,
          logId: source.log,
          epoch: claimed.epoch,
        })
        if (claimed.size > restored.size)
          proof = await source.consistency(restored.size, claimed.size)
      }
    } else if (view && claimed.size > view.size) {
      proof = await source.consistency(view.size, claimed.size)
      if (isPowerOfTwo(view.size)) prefixRoot = await source.root(view.size)
    }
    r = await witnessCheckpoint({
      ...(view ? { previous: view.checkpoint } : {}),
      next,
      proof,
      witnessId: deps.self,
      witnessKey,
      resolveKey: deps.resolveKey,
      now: nowSec,
      sha256: nodeSha256,
      ...(prefixRoot ? { prefixRoot } : {}),
      ...(reset ? { reset } : {}),
    })
  } catch (e) {
    if (isBaridError(e) && SKIPPED.has(e.code)) {
      deps.log.warn('witness: checkpoint not cosigned', { log: source.log, code: e.code })
      return { status: 'skipped', code: e.code }
    }
    throw e
  }
  if (r.status === 'fork') {
    await deps.storage.putForkStatement(source.log, r.kind, r.fork, deps.now())
    deps.onFork?.(source.log, r.kind)
    deps.log.error('witness: log fork proven; no further cosignatures for this log', {
      log: source.log,
      kind: r.kind,
    })
    return { status: 'fork', kind: r.kind, statement: r.fork }
  }
  const cp = r.checkpoint
  if (newEpoch)
    deps.log.info('witness: log goes on as a new epoch under the governance reset', {
      log: source.log,
      epoch: cp.epoch,
      size: cp.size,
    })
  // Keep the larger view: a same-size checkpoint re-signed later replaces it too (its time).
  await deps.storage.putWitnessView({
    log: source.log,
    checkpoint: cp.bytes,
    size: cp.size,
    time: cp.time,
    updatedAt: deps.now(),
    forkedAt: null,
  })
  try {
    await source.cosigned(toHex(cp.digest), r.cosignature)
  } catch (e) {
    // The cosignature is still valid; the log gets the next one.
    deps.log.warn('witness: the log did not take its cosignature', {
      log: source.log,
      error: isBaridError(e) ? e.code : String(e).slice(0, 120),
    })
  }
  return { status: 'cosigned', size: cp.size }
}

/** The HTTP shape of `GET /v1/log/checkpoint` (spec 17.9). */
export interface CheckpointAnswer {
  checkpoint: string
}

/**
 * A peer's log over its public log API (spec 17.9), through the node's fetch.
 *
 * @example
 * ```ts
 * await witnessOnce(deps, httpLogSource({ fetch: svc.fetch, timeoutMs: 10_000 }, 'digitalpost.dk', baseUrl))
 * ```
 */
export function httpLogSource(
  o: { fetch: typeof fetch; timeoutMs: number },
  log: string,
  baseUrl: string,
): LogSource {
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const res = await o.fetch(`${baseUrl}${path}`, {
      signal: AbortSignal.timeout(o.timeoutMs),
      redirect: 'error',
    })
    const text = await res.text()
    if (!res.ok || text.length > 64 * 1024)
      throw new BaridError('ERR_PEER_UNAVAILABLE', `log ${log} answered ${res.status}`)
    return JSON.parse(text) as Record<string, unknown>
  }
  const b64 = (v: unknown): Uint8Array => {
    if (typeof v !== 'string' || v.length > 40_000)
      throw new BaridError('ERR_PEER_UNAVAILABLE', `log ${log} answered a malformed value`)
    return fromBase64Url(v)
  }
  return {
    log,
    async checkpoint() {
      return b64((await get('/v1/log/checkpoint')).checkpoint)
    },
    async consistency(first, second) {
      const r = await get(`/v1/log/consistency?first=${first}&second=${second}`)
      // On the wire a proof is the canonical CBOR map of spec 16.3 rule 5.
      const p = readConsistencyProof(decodeStrict(b64(r.proof), { maxItems: 200 }))
      if (p.first !== first || p.second !== second)
        throw new BaridError('ERR_PROOF_INVALID', `log ${log} answered a proof for other sizes`)
      return [...p.path]
    },
    async root(size) {
      return b64((await get(`/v1/log/root?size=${size}`)).root)
    },
    async reset(epoch) {
      const { resets } = (await get('/v1/log/resets')) as { resets?: unknown }
      if (!Array.isArray(resets) || resets.length > 1000)
        throw new BaridError('ERR_PEER_UNAVAILABLE', `log ${log} answered malformed resets`)
      const found = (resets as { epoch?: unknown; reset?: unknown }[]).find(
        (x) => x?.epoch === epoch,
      )
      return found && b64(found.reset)
    },
    async cosigned(digest, cosignature) {
      const res = await o.fetch(`${baseUrl}/v1/log/cosignatures`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ checkpoint: digest, cosignature: toBase64Url(cosignature) }),
        signal: AbortSignal.timeout(o.timeoutMs),
        redirect: 'error',
      })
      await res.body?.cancel()
      if (!res.ok) throw new BaridError('ERR_PEER_UNAVAILABLE', `log ${log} answered ${res.status}`)
    },
  }
}
