/**
 * @module commands/evidence-report
 * What `barid evidence verify` tells an auditor or a court about a verified bundle (spec 21.7):
 * who issued each record, what it says and when, which letter (its id and the SHA-256 of its
 * bytes, which anyone holding the letter can recompute), each record's own SHA-256, which trust
 * list it was verified under (federation, sequence, issue time, SHA-256 of the file), whether
 * revocation was checked, and which records a log proof shows in their issuer's log and which
 * none does. The same facts as JSON and as text.
 */
import { iso } from '../command.js'
import {
  sha256,
  toBase64Url,
  toHex,
  type BundleLogResult,
  type TrustList,
  type TrustedEvidence,
} from '../core.js'

/** The JSON answer of a verification that passed. */
export interface EvidenceReport {
  readonly ok: true
  readonly letter: { readonly id: string; readonly digest: string }
  readonly records: readonly {
    readonly index: number
    readonly type: string
    readonly issuer: string
    readonly time: string
    readonly letterId: string
    readonly recipient?: string
    readonly reason?: string
    readonly kid: string
    readonly certificateSerial: string
    /** SHA-256 of the record's bytes, hex. */
    readonly digest: string
    /** A log proof in the bundle verified for this record. */
    readonly logged: boolean
  }[]
  readonly trustList: {
    readonly federation: string
    readonly sequence: number
    readonly issued: string
    /** SHA-256 of the trust list file's bytes, hex. */
    readonly digest: string
    readonly freshness: string
  }
  readonly revocation: 'checked' | 'not-checked'
  readonly log: readonly (Omit<BundleLogResult, 'time'> & { readonly time: string })[]
}

/**
 * Builds the report of a verified trail.
 *
 * @example
 * ```ts
 * const report = await evidenceReport({ trail, logged, list, freshness, revocation: 'checked' })
 * ```
 */
export async function evidenceReport(o: {
  trail: readonly TrustedEvidence[]
  logged: readonly BundleLogResult[]
  list: TrustList
  freshness: string
  revocation: 'checked' | 'not-checked'
}): Promise<EvidenceReport> {
  const first = o.trail[0]!.record
  return {
    ok: true,
    letter: { id: first.letterId, digest: toHex(first.letterDigest) },
    records: o.trail.map((t, i) => ({
      index: i,
      type: t.record.type,
      issuer: t.record.issuer,
      time: iso(t.signedAt),
      letterId: t.record.letterId,
      ...(t.record.recipient === undefined ? {} : { recipient: t.record.recipient }),
      ...(t.record.reason === undefined ? {} : { reason: t.record.reason }),
      kid: toBase64Url(t.kid),
      certificateSerial: t.peer.certificate.serialNumber,
      digest: toHex(t.digest),
      logged: o.logged.some((l) => l.record === i),
    })),
    trustList: {
      federation: o.list.federation,
      sequence: o.list.sequence,
      issued: iso(o.list.issued),
      digest: toHex(await sha256(o.list.bytes)),
      freshness: o.freshness,
    },
    revocation: o.revocation,
    log: o.logged.map((l) => ({ ...l, time: iso(l.time) })),
  }
}

/**
 * The report as lines of text.
 *
 * @example
 * ```ts
 * for (const line of reportLines(report)) ctx.out(line)
 * ```
 */
export function reportLines(r: EvidenceReport): string[] {
  const t = r.trustList
  const lines = [
    `${r.records.length} evidence record(s) valid against trust list ` +
      `${t.federation} #${t.sequence} (${t.freshness})`,
  ]
  for (const x of r.records) {
    const recipient = x.recipient === undefined ? '' : ` for ${x.recipient}`
    const reason = x.reason === undefined ? '' : ` (${x.reason})`
    lines.push(`  ${x.index + 1}. ${x.type} by ${x.issuer} at ${x.time}${recipient}${reason}`)
  }
  for (const l of r.log) {
    const epoch = l.epoch > 0 ? ` (epoch ${l.epoch}: reset by its governance, spec 16.12)` : ''
    const cosigned =
      l.witnesses.length > 0 ? `, cosigned by ${l.witnesses.join(', ')}` : ', no cosignature'
    lines.push(
      `  record ${l.record + 1} is leaf ${l.index} of ${l.logId}'s log${epoch} ` +
        `(checkpoint of ${l.size} at ${l.time}${cosigned})`,
    )
  }
  for (const x of r.records.filter((x) => !x.logged)) {
    lines.push(
      `  record ${x.index + 1} has no log proof in the bundle: ` +
        `that it is in ${x.issuer}'s log was not checked`,
    )
  }
  lines.push(
    `  letter ${r.letter.id}, SHA-256 of the letter ${r.letter.digest}`,
    `  trust list issued ${t.issued}, SHA-256 of the file ${t.digest}`,
    r.revocation === 'checked'
      ? '  revocation checked'
      : '  revocation not checked (no revocation lists given)',
  )
  return lines
}
