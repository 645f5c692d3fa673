/**
 * @module trust/bundle-verify
 * The offline verification of an evidence bundle (spec 21.7), whole: what an auditor's or a
 * court's software runs, years later, with nothing but the bundle, a trust list and the
 * federation's governance key. One pipeline for every verifier (the CLI's `barid evidence
 * verify`, the demo, integrators), so that none of them checks less than another: the records and
 * their chain, each signer at its record's time (operator status, CA, revocation from the
 * bundle's lists, key retirement from its `retired-keys`), the record times, the log proofs with
 * their checkpoints and cosignatures, and, on request, a number of independent witnesses. A
 * refusal is the `BaridError` of the check that failed, located (`bundle-where`): `details.part`
 * and the 0-based `record` or `item` say which part of the bundle failed.
 */
import { sha256 } from '../bytes.js'
import { BaridError } from '../errors.js'
import type { EvidenceReason, EvidenceType } from '../evidence/types.js'
import type { CertificateInput, ParsedCertificate } from '../x509/certificate.js'
import { parseCertificate } from '../x509/parse.js'
import { verifyBundleLog, type BundleLogResult } from './bundle-log.js'
import { assertSameFederation, requireWitnesses } from './bundle-policy.js'
import { at, located } from './bundle-where.js'
import { verifyEvidenceWithTrust, type TrustedEvidence } from './evidence-trust.js'
import {
  EVIDENCE_BUNDLE_LIMITS,
  readEvidenceBundle,
  type EvidenceBundle,
} from './evidence-bundle.js'
import type { Freshness } from './freshness.js'
import { RevocationCache } from './revocation-cache.js'
import { verifyTrustList, type GovernanceKeyInput } from './trust-list.js'
import { TrustStore } from './trust-store.js'
import type { TrustList, UnixSeconds } from './types.js'

/** Options of {@link verifyEvidenceBundle}. */
export interface VerifyEvidenceBundleOptions {
  /**
   * The trust list: its bytes, verified here with `governanceKeys` at `now` without requiring
   * freshness (spec 21.7 step 2), or a list the caller verified already.
   */
  readonly trustList: Uint8Array | TrustList
  /** The federation's governance public keys; required when `trustList` is bytes. */
  readonly governanceKeys?: readonly GovernanceKeyInput[]
  /** The verification time, Unix seconds. Default: the clock. */
  readonly now?: UnixSeconds
  /**
   * Independent witnesses (operators other than the log) whose cosignatures every record's
   * checkpoint must carry (spec 16.8 rule 3): a record without a log proof then fails too
   * (`ERR_WITNESS_INSUFFICIENT`). 0 to 16; default 0, none required.
   */
  readonly requireWitnesses?: number
  /** Node certificates given besides the bundle's (e.g. files an auditor holds). */
  readonly certificates?: readonly CertificateInput[]
  /** Revocation lists given besides the bundle's; counted after them in a refusal's `item`. */
  readonly revocationLists?: readonly Uint8Array[]
}

/** What was verified of one record of a bundle. */
export interface VerifiedBundleRecord {
  /** 0-based position in the bundle. */
  readonly index: number
  readonly type: EvidenceType
  readonly issuer: string
  /** The record's time, Unix milliseconds, as it carries it. */
  readonly time: number
  /** The time it was judged at: `time` rounded down to seconds (spec 21.5). */
  readonly signedAt: UnixSeconds
  readonly letterId: string
  readonly recipient?: string
  readonly reason?: EvidenceReason
  /** The id of the key that signed it. */
  readonly kid: Uint8Array
  /** The node certificate of that key, validated for the issuer at `signedAt`. */
  readonly certificate: ParsedCertificate
  /** SHA-256 of the record's bytes. */
  readonly digest: Uint8Array
  /**
   * Where a log proof of the bundle shows the record in its issuer's log, with the witnesses
   * other than the log that cosigned that checkpoint; undefined when no log proof covers it
   * (verified, but not shown in a log).
   */
  readonly log: BundleLogResult | undefined
  /** Everything the record verification gave (record, signer, CA). */
  readonly evidence: TrustedEvidence
}

/** What {@link verifyEvidenceBundle} verified. */
export interface VerifiedEvidenceBundle {
  /** The verification time, Unix seconds. */
  readonly verifiedAt: UnixSeconds
  /** The bundle as decoded. */
  readonly bundle: EvidenceBundle
  /** The letter the records are about: its id and `digest` (SHA-256 of the sealed letter). */
  readonly letter: { readonly id: string; readonly digest: Uint8Array }
  /** Every record, in bundle order (oldest first). */
  readonly records: readonly VerifiedBundleRecord[]
  /** The trust list used and its age at `verifiedAt` (spec 21.7 step 2). */
  readonly trustList: {
    readonly list: TrustList
    /** SHA-256 of the list's bytes. */
    readonly digest: Uint8Array
    /** Its freshness at `verifiedAt`: reported, not required. */
    readonly freshness: Freshness
    /** Seconds from its `issued` to `verifiedAt` (negative if issued later, within clock skew). */
    readonly age: number
  }
  /** Whether any revocation list was given: without one, revocation was not checked. */
  readonly revocation: 'checked' | 'not-checked'
  /** The log proofs verified, in bundle order. */
  readonly log: readonly BundleLogResult[]
  /** The `requireWitnesses` applied; 0 for none. */
  readonly witnessesRequired: number
}

/**
 * Verifies an evidence bundle offline (spec 21.7), with nothing fetched: decodes it, verifies the
 * trust list (freshness reported, not required), refuses a list none of whose operators the
 * bundle's certificates name (another federation's), installs the revocation lists under the
 * listed operator CAs that signed them, verifies each record and the chain, each signer for its
 * issuer at the record's time and not retired then (the bundle's `retired-keys`), refuses a record
 * dated more than 300 s after `now`, verifies the log proofs (checkpoint, inclusion, record time,
 * cosignatures), and applies `requireWitnesses`.
 *
 * `input` is the bundle's bytes, or a bundle already decoded (e.g. one record alone, with
 * `certificates` given in the options). Throws the `BaridError` of the first check that failed,
 * its message saying in words which part failed and what that means, and `details.part`
 * (`'bundle'`, `'trust-list'`, `'certificate'`, `'revocation-list'`, `'record'`, `'log'`) with
 * the 0-based `record` or `item`; `ERR_OPERATOR_UNKNOWN` (no part) for another federation's list;
 * `ERR_INVALID_ARGUMENT` for wrong options.
 *
 * @example
 * ```ts
 * const v = await verifyEvidenceBundle(bundleBytes, {
 *   trustList: trustListBytes,
 *   governanceKeys: [governanceJwk],
 *   now: Math.floor(Date.now() / 1000),
 * })
 * for (const r of v.records) console.log(r.type, r.issuer, r.log ? 'logged' : 'not logged')
 * // On failure: catch (e) { if (isBaridError(e)) console.log(e.code, e.details?.part, e.message) }
 * ```
 */
export async function verifyEvidenceBundle(
  input: Uint8Array | EvidenceBundle,
  options: VerifyEvidenceBundleOptions,
): Promise<VerifiedEvidenceBundle> {
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const witnessesRequired = options.requireWitnesses ?? 0
  checkOptions(options, now, witnessesRequired)
  // Step 1.
  const bundle =
    input instanceof Uint8Array
      ? await at({ part: 'bundle' }, async () => readEvidenceBundle(input))
      : input
  if (bundle.records.length === 0)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'an evidence bundle has at least one record')
  // Step 2.
  const list = await trustListOf(options, now)
  // Parsed here, each where it sits, so that a damaged one is named.
  const bundled = bundle.certificates
  for (const [item, der] of bundled.entries())
    await at({ part: 'certificate', item, of: bundled.length }, () => parseCertificate(der))
  const given = await Promise.all((options.certificates ?? []).map((c) => parseCertificate(c)))
  const certificates = [...bundled, ...given.map((c) => c.der)]
  const parsed = await Promise.all(certificates.map((c) => parseCertificate(c)))
  // Before anything is judged under it: a list of another federation refuses every part.
  assertSameFederation(list, parsed.map((c) => c.operatorId))
  // Step 3.
  const crls = [...bundle.revocationLists, ...(options.revocationLists ?? [])]
  const revocation = crls.length > 0 ? await installLists(list, crls, now) : undefined
  const store = await TrustStore.open(list, {
    now: () => now,
    ...(revocation ? { revocation } : {}),
  })
  // Steps 4 and 5.
  const trail = await verifyRecords(bundle, store, certificates)
  // Step 6.
  const logged = await verifyBundleLog(bundle, {
    issuers: trail.map((t) => t.record.issuer),
    signedAt: trail.map((t) => t.signedAt),
    trusted: trail.map((t) => t.peer.certificate),
    certificates: parsed,
    store,
  }).catch((e: unknown) => {
    // The check names the record whose log entry failed (0-based) in its details.
    const record = e instanceof BaridError ? e.details?.record : undefined
    throw typeof record === 'number' ? located(e, { part: 'log', record }) : e
  })
  if (witnessesRequired > 0) requireWitnesses(logged, trail.length, witnessesRequired)
  const first = trail[0]!.record
  return {
    verifiedAt: now,
    bundle,
    letter: { id: first.letterId, digest: first.letterDigest },
    records: trail.map((t, index) => ({
      index,
      type: t.record.type,
      issuer: t.record.issuer,
      time: t.record.time,
      signedAt: t.signedAt,
      letterId: t.record.letterId,
      ...(t.record.recipient === undefined ? {} : { recipient: t.record.recipient }),
      ...(t.record.reason === undefined ? {} : { reason: t.record.reason }),
      kid: t.kid,
      certificate: t.peer.certificate,
      digest: t.digest,
      log: logged.find((l) => l.record === index),
      evidence: t,
    })),
    trustList: {
      list,
      digest: await sha256(list.bytes),
      freshness: store.freshness(),
      age: now - list.issued,
    },
    revocation: revocation ? 'checked' : 'not-checked',
    log: logged,
    witnessesRequired,
  }
}

function checkOptions(o: VerifyEvidenceBundleOptions, now: number, witnesses: number): void {
  const wrong = (field: string, message: string) =>
    new BaridError('ERR_INVALID_ARGUMENT', message, { details: { field } })
  if (!Number.isSafeInteger(now) || now < 0)
    throw wrong('now', 'the verification time is a whole number of seconds since 1970')
  const most = EVIDENCE_BUNDLE_LIMITS.maxCosignatures
  if (!Number.isSafeInteger(witnesses) || witnesses < 0 || witnesses > most)
    throw wrong('requireWitnesses', `requireWitnesses is a whole number from 0 to ${most}`)
  if (o.trustList instanceof Uint8Array && (o.governanceKeys?.length ?? 0) === 0)
    throw wrong('governanceKeys', 'a trust list given as bytes needs its governance keys')
}

async function trustListOf(o: VerifyEvidenceBundleOptions, now: number): Promise<TrustList> {
  const { trustList } = o
  if (!(trustList instanceof Uint8Array)) return trustList
  const governanceKeys = o.governanceKeys ?? []
  return at({ part: 'trust-list' }, () => verifyTrustList(trustList, { governanceKeys, now }))
}

/**
 * The lists installed offline, each under the listed operator whose CA signed it (a list names
 * its operator inside its signed payload, so each operator's CAs are tried); none is fetched.
 */
async function installLists(
  list: TrustList,
  crls: readonly Uint8Array[],
  now: number,
): Promise<RevocationCache> {
  const revocation = new RevocationCache({ now: () => now, maxStaleness: Number.MAX_SAFE_INTEGER })
  const probe = await TrustStore.open(list, { now: () => now })
  for (const [item, crl] of crls.entries()) {
    let failure: unknown = new BaridError(
      'ERR_REVOCATION_LIST_UNTRUSTED',
      'a revocation list is not signed by any listed operator CA',
    )
    let installed = false
    for (const o of list.operators) {
      try {
        await revocation.install(crl, { operator: o.id, cas: probe.casOf(o.id) })
        installed = true
        break
      } catch (e) {
        if (!(e instanceof BaridError && e.code === 'ERR_REVOCATION_LIST_UNTRUSTED')) failure = e
      }
    }
    if (!installed) throw located(failure, { part: 'revocation-list', item, of: crls.length })
  }
  return revocation
}

/**
 * Each record on its own first, so that a refusal names the record (the signer checks of a chain
 * do not say which record failed); then the chain, whose failures carry the index of the record
 * that breaks it.
 */
async function verifyRecords(
  bundle: EvidenceBundle,
  store: TrustStore,
  certificates: readonly Uint8Array[],
): Promise<TrustedEvidence[]> {
  const { records } = bundle
  const verify = (these: readonly Uint8Array[]) =>
    verifyEvidenceWithTrust(these, {
      store,
      // Step 5: a key the bundle lists as retired signs nothing dated at or after that time.
      keys: { certificates, retiredKeys: bundle.retiredKeys ?? [] },
      offline: true,
    })
  for (const [record, r] of records.entries())
    await at({ part: 'record', record, of: records.length }, () => verify([r]))
  try {
    return await verify(records)
  } catch (e) {
    const index = e instanceof BaridError ? e.details?.index : undefined
    throw typeof index === 'number'
      ? located(e, { part: 'record', record: index, of: records.length })
      : e
  }
}
