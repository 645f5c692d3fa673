/**
 * @module evidence/chain-tip
 * Issuing the next record of a recipient's evidence chain (spec 07, 7.6; spec 17.3). Records
 * issued after delivery (retrieved, deemed delivered, expired, handed to paper, notification
 * failed) may be triggered at the same moment by different workers; each must name the record
 * before it, so that the chain stays a chain. Issuance is therefore serialised per (letter,
 * recipient) in this process, reads the chain's newest record, and issues nothing after a record
 * that ends the chain.
 */
import { evidenceChain } from '../letters/submit.js'
import type { NodeServices } from '../services.js'
import type { EvidenceRow } from '../storage/types.js'
import type { EvidenceType } from './evidence-port.js'
import { issueEvidence } from './evidence-records.js'

/** Types after which nothing follows (spec 07, 7.3). */
export const TERMINAL: ReadonlySet<string> = new Set([
  'submission-rejected',
  'relay-rejected',
  'not-delivered',
  'retrieved',
  'expired',
  'handed-to-paper',
])

const locks = new Map<string, Promise<unknown>>()

/**
 * Runs `f` with no other `withChainLock(key)` running in this process.
 *
 * @example
 * ```ts
 * await withChainLock(`${letterId} ${recipient}`, async () => issue())
 * ```
 */
export async function withChainLock<T>(key: string, f: () => Promise<T>): Promise<T> {
  const before = locks.get(key) ?? Promise.resolve()
  const run = before.then(f, f)
  const tail = run.catch(() => undefined)
  locks.set(key, tail)
  try {
    return await run
  } finally {
    if (locks.get(key) === tail) locks.delete(key)
  }
}

/** The newest record of the chain about `recipient`, or the letter's first record. */
export function chainTip(rows: readonly EvidenceRow[], recipient: string): EvidenceRow | undefined {
  const chain = evidenceChain(rows, recipient)
  if (chain.length > 0) return chain[chain.length - 1]
  return rows.find((r) => r.prev === null && r.recipient === null)
}

/**
 * Issues `type` for `recipient` after the newest record of its chain, unless the chain ended.
 * Returns the new row (not yet stored: the caller writes it with what it decided), or undefined.
 * Call inside {@link withChainLock} for the same letter and recipient, until the row is stored.
 *
 * @example
 * ```ts
 * const row = await issueNext(svc, { letterId, letterDigest, recipient, type: 'deemed-delivered', reason: 'not-retrieved' })
 * ```
 */
export async function issueNext(
  svc: Pick<NodeServices, 'evidence' | 'storage' | 'now'>,
  o: {
    letterId: string
    letterDigest: string
    recipient: string
    type: EvidenceType
    reason?: string
    time?: number
  },
): Promise<EvidenceRow | undefined> {
  const rows = await svc.storage.listEvidence(o.letterId)
  const tip = chainTip(rows, o.recipient)
  if (tip && TERMINAL.has(tip.type)) return undefined
  return issueEvidence(svc, {
    type: o.type,
    letterId: o.letterId,
    letterDigest: o.letterDigest,
    recipient: o.recipient,
    time: o.time ?? svc.now(),
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    ...(tip ? { prev: tip.record } : {}),
  })
}

/** The lock key of a recipient's chain. */
export const chainKey = (letterId: string, recipient: string): string => `${letterId} ${recipient}`
