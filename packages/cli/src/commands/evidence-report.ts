/**
 * @module commands/evidence-report
 * What `barid evidence verify` tells an auditor or a court about a verified bundle (spec 21.7):
 * who issued each record, what it says and when, which letter (its id and the SHA-256 of its
 * bytes, which anyone holding the letter can recompute), each record's own SHA-256, which trust
 * list it was verified under (federation, sequence, SHA-256 of the file) and how old it was then
 * (issued and next update due, relative to the verification time), whether revocation was
 * checked, which records a log proof shows in their issuer's log and which none does, and which
 * checkpoints no independent witness vouches for. The same facts as JSON and as text.
 */
import { iso } from '../command.js'
import {
  toBase64Url,
  toHex,
  type BundleLogResult,
  type VerifiedEvidenceBundle,
} from '../core.js'

/** The JSON answer of a verification that passed. */
export interface EvidenceReport {
  readonly ok: true
  /** The time the verification was made for (`--now`, or the clock). */
  readonly verifiedAt: string
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
    /** When the list's next update was due: a newer list may exist after it. */
    readonly nextUpdate: string
    /** SHA-256 of the trust list file's bytes, hex. */
    readonly digest: string
    readonly freshness: string
  }
  readonly revocation: 'checked' | 'not-checked'
  readonly log: readonly (Omit<BundleLogResult, 'time'> & { readonly time: string })[]
  /** `--require-witnesses`: independent witnesses each record's checkpoint needed; 0 for none. */
  readonly witnessesRequired: number
}

/**
 * The report of a verified bundle: core's result (`verifyEvidenceBundle`) in the CLI's words and
 * formats (ISO 8601 times, hex and base64url bytes).
 *
 * @example
 * ```ts
 * const report = evidenceReport(await verifyEvidenceBundle(bytes, { trustList, now }))
 * ```
 */
export function evidenceReport(v: VerifiedEvidenceBundle): EvidenceReport {
  const list = v.trustList.list
  return {
    ok: true,
    verifiedAt: iso(v.verifiedAt),
    letter: { id: v.letter.id, digest: toHex(v.letter.digest) },
    records: v.records.map((r) => ({
      index: r.index,
      type: r.type,
      issuer: r.issuer,
      time: iso(r.signedAt),
      letterId: r.letterId,
      ...(r.recipient === undefined ? {} : { recipient: r.recipient }),
      ...(r.reason === undefined ? {} : { reason: r.reason }),
      kid: toBase64Url(r.kid),
      certificateSerial: r.certificate.serialNumber,
      digest: toHex(r.digest),
      logged: r.log !== undefined,
    })),
    trustList: {
      federation: list.federation,
      sequence: list.sequence,
      issued: iso(list.issued),
      nextUpdate: iso(list.nextUpdate),
      digest: toHex(v.trustList.digest),
      freshness: v.trustList.freshness.state,
    },
    revocation: v.revocation,
    log: v.log.map((l) => ({ ...l, time: iso(l.time) })),
    witnessesRequired: v.witnessesRequired,
  }
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`

/** A duration in the largest unit that reads naturally: days, hours or minutes. */
function span(seconds: number): string {
  if (seconds < 60) return 'less than a minute'
  if (seconds < 3600) return plural(Math.floor(seconds / 60), 'minute')
  if (seconds < 86_400) return plural(Math.floor(seconds / 3600), 'hour')
  return plural(Math.floor(seconds / 86_400), 'day')
}

/** `time` said relative to `now`, both ISO 8601 text: "3 days before this verification". */
function relative(time: string, now: string): string {
  const d = (Date.parse(time) - Date.parse(now)) / 1000
  if (d === 0) return 'at the time of this verification'
  return `${span(Math.abs(d))} ${d < 0 ? 'before' : 'after'} this verification`
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
      l.witnesses.length > 0
        ? `, cosigned by ${l.witnesses.join(', ')}`
        : ', cosigned by no witness'
    lines.push(
      `  record ${l.record + 1} is leaf ${l.index} of ${l.logId}'s log${epoch} ` +
        `(checkpoint of ${l.size} at ${l.time}${cosigned})`,
    )
    // Spec 16.8 rule 3: the log's own signature shows what it claims, not that others saw it.
    if (l.witnesses.length === 0)
      lines.push(
        `  record ${l.record + 1}: no independent witness vouches for this state of ` +
          `${l.logId}'s log: only ${l.logId} itself signed it, so nothing shows that it ` +
          'showed the same contents to others',
      )
  }
  for (const x of r.records.filter((x) => !x.logged)) {
    lines.push(
      `  record ${x.index + 1} has no log proof in the bundle: ` +
        `that it is in ${x.issuer}'s log was not checked`,
    )
  }
  const due = Date.parse(t.nextUpdate) <= Date.parse(r.verifiedAt)
  lines.push(
    `  letter ${r.letter.id}, SHA-256 of the letter ${r.letter.digest}`,
    `  verified as of ${r.verifiedAt}`,
    `  trust list issued ${t.issued}, ${relative(t.issued, r.verifiedAt)}, ` +
      `SHA-256 of the file ${t.digest}`,
    due
      ? `  its next update was due ${t.nextUpdate}, ${relative(t.nextUpdate, r.verifiedAt)}: ` +
          'a newer list may exist, showing changes since it was issued (an operator suspended ' +
          'or withdrawn, a CA retired). An old list is not a forged one: its signature ' +
          'verifies, and it shows the federation as it stood when it was issued'
      : `  its next update is due ${t.nextUpdate}, ${relative(t.nextUpdate, r.verifiedAt)}: ` +
          'it was the current list then',
    r.revocation === 'checked'
      ? '  revocation checked'
      : '  revocation not checked (no revocation lists given)',
  )
  if (r.witnessesRequired > 0)
    lines.push(
      `  every record is in a checkpoint that at least ${r.witnessesRequired} independent ` +
        `witness${r.witnessesRequired === 1 ? '' : 'es'} cosigned, as required`,
    )
  return lines
}
