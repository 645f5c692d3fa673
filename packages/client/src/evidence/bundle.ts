/**
 * @module evidence/bundle
 * A letter's evidence bundle from the sender API (spec 17.5, 21.7): what a sender organisation
 * keeps to prove, years later and offline, what became of a registered letter: the records,
 * the node certificates of their signers, the revocation lists of their CAs, retired keys, and
 * each record's inclusion proof in its issuer's log with the witnesses' cosignatures. A node
 * logs records within about a second of issuing them (spec 16.5) and leaves a record not yet
 * logged out of the bundle's proofs, so a caller that needs every proof waits for the log.
 */
import { BaridError, EVIDENCE_BUNDLE_LIMITS, readEvidenceBundle } from '../core.js'
import { readBytes } from '../http/read-bytes.js'
import type { Transport } from '../http/transport.js'

/** Options of `SenderClient.evidenceBundle`. */
export interface EvidenceBundleOptions {
  /** The recipient whose chain is bundled; without it, the letter's first record. */
  recipient?: string
  /**
   * Fetch the bundle again until every record in it has its log proof; `ERR_UNAVAILABLE`
   * (details `reason: 'timeout'`, `records`, `logged`) when that takes longer than `timeoutMs`.
   */
  waitForLog?: boolean
  /** How long to wait for the log; default 10 s. */
  timeoutMs?: number
  /** Time between fetches while waiting; default 250 ms. */
  intervalMs?: number
}

/** What fetching a bundle needs. */
export interface BundleDeps {
  transport: Transport
  now: () => number
  sleep?: (ms: number) => Promise<void>
}

const sleeper = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * The bundle's bytes (canonical CBOR, as `barid evidence verify` reads them), checked to be a
 * well-formed bundle (`ERR_EVIDENCE_BUNDLE_MALFORMED` otherwise: the node's answer is not one).
 *
 * @example
 * ```ts
 * const bytes = await fetchEvidenceBundle({ transport, now: Date.now }, letterId, {
 *   recipient: 'lars.jensen@digitalpost.dk',
 *   waitForLog: true,
 * })
 * ```
 */
export async function fetchEvidenceBundle(
  d: BundleDeps,
  letterId: string,
  o: EvidenceBundleOptions = {},
): Promise<Uint8Array> {
  const sleep = d.sleep ?? sleeper
  const deadline = d.now() + (o.timeoutMs ?? 10_000)
  for (;;) {
    const res = await d.transport.send({
      method: 'GET',
      path: `/v1/sender/letters/${encodeURIComponent(letterId)}/evidence-bundle`,
      query: { recipient: o.recipient },
      headers: { accept: 'application/cbor' },
      repeatable: true,
    })
    const bytes = await readBytes(res, 'evidence-bundle', EVIDENCE_BUNDLE_LIMITS.maxBytes)
    const bundle = readEvidenceBundle(bytes)
    // The bundle has at most one log entry per record (readEvidenceBundle checks).
    const logged = bundle.log?.length ?? 0
    if (!o.waitForLog || logged === bundle.records.length) return bytes
    if (d.now() > deadline)
      throw new BaridError(
        'ERR_UNAVAILABLE',
        `the node logged ${logged} of the ${bundle.records.length} records of the bundle in the time waited`,
        { details: { reason: 'timeout', records: bundle.records.length, logged } },
      )
    await sleep(o.intervalMs ?? 250)
  }
}
