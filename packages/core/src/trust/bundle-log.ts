/**
 * @module trust/bundle-log
 * The log part of an evidence bundle's offline check (spec 21.7 step 6): for each `log` entry,
 * the checkpoint is signed by the log of the record's issuer, the inclusion proof puts the record
 * in that tree, the record is not dated after that checkpoint (beyond the clock skew), the
 * cosignatures verify, one per witness, and every log or witness key speaks for its operator at
 * the time of its signature (21.3). One implementation for the CLI and the test vectors.
 */
import { bytesEqual } from '../bytes.js'
import { DEFAULT_CLOCK_SKEW } from '../clock.js'
import { BaridError } from '../errors.js'
import { importPublicJwk } from '../keys/index.js'
import { verifyCheckpoint, type SignedCheckpoint } from '../transparency/checkpoint.js'
import type { KeyResolver } from '../transparency/envelope.js'
import { leafHash } from '../transparency/hash.js'
import { verifyInclusion } from '../transparency/verify-proof.js'
import { verifyCosignature } from '../transparency/witness.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import type { EvidenceBundle, LoggedRecord } from './evidence-bundle.js'
import type { TrustStore } from './trust-store.js'

/** What one `log` entry of a bundle showed. */
export interface BundleLogResult {
  /** Index of the record in the bundle. */
  readonly record: number
  readonly logId: string
  /** The checkpoint's epoch: 0 unless the log was reset (spec/16 section 16.12). */
  readonly epoch: number
  /** The record's leaf index and the tree size of the checkpoint. */
  readonly index: number
  readonly size: number
  /** The checkpoint's time, Unix seconds. */
  readonly time: number
  /** Operators other than the log that cosigned the checkpoint, sorted. */
  readonly witnesses: readonly string[]
}

/** Inputs of {@link verifyBundleLog} besides the bundle. */
export interface VerifyBundleLogOptions {
  /** The issuer of each record, in bundle order (from verifying the records first). */
  readonly issuers: readonly string[]
  /** The time of each record in Unix seconds (`signedAt`), in bundle order, likewise. */
  readonly signedAt: readonly number[]
  /** Certificates already validated with the records (their signers): not checked again. */
  readonly trusted: readonly ParsedCertificate[]
  /** The bundle's other certificates, validated here when a checkpoint or cosignature uses one. */
  readonly certificates: readonly ParsedCertificate[]
  /** The trust store the records were verified against, offline. */
  readonly store: TrustStore
}

/**
 * Verifies a bundle's `log` entries, after its records were verified (spec 21.7 steps 1-5).
 * Throws the transparency codes (`ERR_CHECKPOINT_INVALID`, `ERR_PROOF_INVALID`, ...) and the
 * trust store's for a key that did not speak for its operator, with the 0-based index of the
 * record whose entry failed in `details.record`; `ERR_LOG_INCONSISTENT` when two checkpoints of
 * one log in the bundle cannot both be true (spec 16.8 rule 4); `ERR_EVIDENCE_TIME_INVALID` for a
 * record dated more than the clock skew after the checkpoint that shows it in the log (rule 2);
 * `ERR_WITNESS_STATEMENT_INVALID` for two cosignatures by one witness on one checkpoint (rule 3).
 *
 * @example
 * ```ts
 * const trail = await verifyEvidenceWithTrust(bundle.records, { store, keys, offline: true })
 * const logged = await verifyBundleLog(bundle, {
 *   issuers: trail.map((t) => t.record.issuer),
 *   trusted: trail.map((t) => t.peer.certificate),
 *   certificates: await Promise.all(bundle.certificates.map((c) => parseCertificate(c))),
 *   store,
 * })
 * ```
 */
export async function verifyBundleLog(
  bundle: EvidenceBundle,
  o: VerifyBundleLogOptions,
): Promise<BundleLogResult[]> {
  const byKid = (list: readonly ParsedCertificate[], kid: Uint8Array) =>
    list.find((x) => x.kid !== undefined && bytesEqual(x.kid, kid))
  // A node's evidence key signs its checkpoints and its cosignatures: either role, never a
  // governance key's.
  const resolveKey: KeyResolver = async (kid, role) => {
    if (role === 'governance') return undefined
    const c = byKid(o.trusted, kid) ?? byKid(o.certificates, kid)
    if (!c?.publicJwk || !c.operatorId) return undefined
    return {
      key: (await importPublicJwk(c.publicJwk, { use: 'sign' })).publicKey,
      owner: c.operatorId,
    }
  }
  // A log or witness key must speak for its operator at the time of its signature (21.3).
  const vouched = async (kid: Uint8Array, at: number) => {
    if (byKid(o.trusted, kid)) return
    const c = byKid(o.certificates, kid)!
    await o.store.validatePeerChain(c, { operator: c.operatorId!, at, offline: true })
  }
  const out: BundleLogResult[] = []
  const held: { record: number; checkpoint: SignedCheckpoint }[] = []
  for (const l of bundle.log ?? []) {
    try {
      const { result, checkpoint } = await verifyEntry(l)
      agreeWithHeld(held, l.record, checkpoint)
      held.push({ record: l.record, checkpoint })
      out.push(result)
    } catch (e) {
      // Which record's entry failed, 0-based as in the bundle, for the verifier's report.
      if (!(e instanceof BaridError) || e.details?.record !== undefined) throw e
      throw new BaridError(e.code, e.message, {
        cause: e,
        details: { ...e.details, record: l.record },
      })
    }
  }
  return out

  async function verifyEntry(l: LoggedRecord) {
    const record = bundle.records[l.record]!
    const cp = await verifyCheckpoint(l.checkpoint, { resolveKey, logId: o.issuers[l.record]! })
    await vouched(cp.kid, cp.time)
    if (l.proof.size !== cp.size)
      throw new BaridError(
        'ERR_PROOF_INVALID',
        'an inclusion proof is for another tree size than its checkpoint',
      )
    await verifyInclusion({
      leafHash: await leafHash(record),
      index: l.proof.index,
      size: l.proof.size,
      path: l.proof.path,
      root: cp.root,
    })
    // A log cannot hold a record before it was made: past the clock skew the two signed times
    // contradict each other (16.8 rule 2).
    const signedAt = o.signedAt[l.record]!
    if (signedAt > cp.time + DEFAULT_CLOCK_SKEW) {
      throw new BaridError(
        'ERR_EVIDENCE_TIME_INVALID',
        'the record is dated after the checkpoint that shows it in the log: ' +
          'it cannot have been logged before it was made',
        { details: { time: signedAt, checkpoint: cp.time } },
      )
    }
    // One witness counts once (16.8 rule 3); a bundle holds one cosignature per witness (21.7).
    const seen = new Set<string>()
    for (const c of l.cosignatures) {
      const v = await verifyCosignature(c, { checkpoint: cp, resolveKey })
      await vouched(v.kid, v.time)
      if (seen.has(v.witnessId))
        throw new BaridError(
          'ERR_WITNESS_STATEMENT_INVALID',
          `two cosignatures by ${v.witnessId} of one checkpoint: a witness counts once`,
          { details: { witness: v.witnessId } },
        )
      seen.add(v.witnessId)
    }
    const witnesses = [...seen].filter((w) => w !== cp.logId)
    const result: BundleLogResult = {
      record: l.record,
      logId: cp.logId,
      epoch: cp.epoch,
      index: l.proof.index,
      size: cp.size,
      time: cp.time,
      witnesses: witnesses.sort(),
    }
    return { result, checkpoint: cp }
  }
}

/**
 * Spec 16.8 rule 4 within one bundle: two checkpoints of one log and epoch that cannot both be
 * true (16.7 rule 2: one size with two roots, or a later time with a smaller size) prove that
 * the log showed different views; without consistency proofs the bundle can show no other fork.
 */
function agreeWithHeld(
  held: readonly { record: number; checkpoint: SignedCheckpoint }[],
  record: number,
  b: SignedCheckpoint,
): void {
  for (const { record: other, checkpoint: a } of held) {
    if (a.logId !== b.logId || a.epoch !== b.epoch) continue
    const kind =
      a.size === b.size && !bytesEqual(a.root, b.root)
        ? 'same-size'
        : (a.time < b.time && a.size > b.size) || (b.time < a.time && b.size > a.size)
          ? 'rollback'
          : undefined
    if (kind === undefined) continue
    throw new BaridError(
      'ERR_LOG_INCONSISTENT',
      `the checkpoints of ${b.logId}'s log given for records ${other + 1} and ${record + 1} ` +
        'cannot both be true: the log showed different contents',
      { details: { log: b.logId, kind, record, other } },
    )
  }
}
