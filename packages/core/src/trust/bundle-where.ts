/**
 * @module trust/bundle-where
 * Where an evidence bundle failed (spec 21.7), said so that someone who is not a programmer (a
 * judge, an auditor) understands it: the part of the bundle (a record counted from 1 as a report
 * counts them, a certificate, a revocation list, a record's log proof, or the trust list it was
 * checked against) and what the failure means, with the technical message after it. The error
 * code stays the one the check threw, so programs keep reading it; `details` gain `part` and the
 * 0-based `record` or `item`, counted as {@link verifyEvidenceBundle}'s result counts
 * (`records[].index`, `log[].record`), while the message counts from 1 as people do.
 */
import { BaridError, type BaridErrorCode } from '../errors.js'

/**
 * A part of a bundle (or of the single record given instead of one), or the trust list it is
 * verified against; positions are 0-based.
 */
export type BundlePart =
  | { readonly part: 'bundle' }
  | { readonly part: 'trust-list' }
  | { readonly part: 'record'; readonly record: number; readonly of: number }
  | { readonly part: 'log'; readonly record: number }
  | { readonly part: 'certificate'; readonly item: number; readonly of: number }
  | { readonly part: 'revocation-list'; readonly item: number; readonly of: number }

/** What a failure of a record means, by code: the record is the subject ("it"). */
const RECORD: Partial<Record<BaridErrorCode, string>> = {
  ERR_SIGNATURE_INVALID:
    'its signature does not match its content: it was changed after it was signed, or was not signed with the key it names',
  ERR_EVIDENCE_MALFORMED: 'it is damaged, or is not an evidence record',
  ERR_EVIDENCE_ISSUER_MISMATCH: 'it names another operator than the one whose key signed it',
  ERR_EVIDENCE_CHAIN_BROKEN:
    'the records do not form one unbroken chain about one letter: a record is missing, added, out of order, or about another letter or recipient',
  ERR_KEY_NOT_FOUND: 'the bundle holds no certificate for the key that signed it',
  ERR_KEY_RETIRED: 'it is dated at or after the time its operator retired the key that signed it',
  ERR_EVIDENCE_TIME_INVALID:
    'it is dated after the time of this verification, by more than the 300 seconds clocks may ' +
    'differ: it cannot have been made yet, or its issuer dated it wrongly',
  ERR_CERT_REVOKED:
    'the certificate of the key that signed it had been revoked by the time the record gives',
  ERR_CERT_REVOCATION_UNAVAILABLE:
    'the bundle holds revocation lists, but none from the CA of the key that signed it, so whether that key was revoked cannot be checked',
  ERR_OPERATOR_WITHDRAWN:
    'its operator was no longer a member of the federation at the time the record gives',
  ERR_OPERATOR_SUSPENDED:
    'its operator was suspended from the federation at the time the record gives',
  ERR_OPERATOR_UNKNOWN: 'its operator is not in the trust list',
  ERR_OPERATOR_CA_RETIRED:
    'the CA that certified the key that signed it was retired at the time the record gives',
  ERR_CERT_EXPIRED:
    'the certificate of the key that signed it was no longer valid at the time the record gives',
  ERR_CERT_NOT_YET_VALID:
    'the certificate of the key that signed it was not yet valid at the time the record gives',
}

/** Failures of the certificate of a record's signer, whatever the detail. */
const RECORD_CERT =
  'the certificate of the key that signed it does not lead, under the trust list, to a CA of its operator'

const LOG_CERT =
  'the certificate of the key that signed its checkpoint or a cosignature does not lead, under the trust list, to a CA of that operator'

const LOG: Partial<Record<BaridErrorCode, string>> = {
  ERR_PROOF_INVALID:
    'it does not show that the record is in the log of the operator that issued it',
  ERR_CHECKPOINT_INVALID:
    'its checkpoint is not a valid signed state of the log of the operator that issued the record',
  ERR_SIGNATURE_INVALID:
    'a signature on its checkpoint or on a witness cosignature does not match: it was changed',
  ERR_WITNESS_STATEMENT_INVALID: 'a witness cosignature in it is not valid',
  ERR_LOG_INCONSISTENT:
    'its checkpoint and that of another record are two signed states of the same log that ' +
    'cannot both be true: the log showed different contents to different parties',
}

function explain(code: BaridErrorCode, where: BundlePart): string | undefined {
  switch (where.part) {
    case 'record':
      return RECORD[code] ?? (code.startsWith('ERR_CERT_') ? RECORD_CERT : undefined)
    case 'log':
      return LOG[code] ?? (code.startsWith('ERR_CERT_') ? LOG_CERT : undefined)
    case 'certificate':
      return code === 'ERR_CERT_MALFORMED' ? 'it is damaged, or is not a certificate' : undefined
    case 'revocation-list':
      if (code === 'ERR_REVOCATION_LIST_MALFORMED')
        return 'it is damaged, or is not a revocation list'
      return code === 'ERR_REVOCATION_LIST_UNTRUSTED' || code === 'ERR_SIGNATURE_INVALID'
        ? 'it is not signed by a CA the trust list gives for any operator, or was changed after ' +
            'it was signed'
        : undefined
    case 'bundle':
      return 'the file is damaged, or is not an evidence bundle of a version this tool reads'
    case 'trust-list':
      return code === 'ERR_SIGNATURE_INVALID' || code === 'ERR_TRUST_LIST_SIGNER_UNKNOWN'
        ? 'it is not signed by the governance key given, or was changed after it was signed'
        : undefined
  }
}

function label(where: BundlePart): string {
  switch (where.part) {
    case 'record':
      return `record ${where.record + 1} of ${where.of}`
    case 'log':
      return `the log proof of record ${where.record + 1}`
    case 'certificate':
      return `certificate ${where.item + 1} of ${where.of} in the bundle`
    case 'revocation-list':
      return `revocation list ${where.item + 1} of ${where.of} in the bundle`
    case 'bundle':
      return 'the evidence bundle'
    case 'trust-list':
      return 'the trust list'
  }
}

/**
 * Runs `check` and rethrows a `BaridError` it throws located at `where` (code kept; message and
 * details say where and what it means). Other errors pass through.
 *
 * @example
 * ```ts
 * const bundle = await at({ part: 'bundle' }, async () => readEvidenceBundle(bytes))
 * ```
 */
export async function at<T>(where: BundlePart, check: () => Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (e) {
    throw located(e, where)
  }
}

/**
 * The error `e` located at `where`, or `e` itself when it is no `BaridError` or is already
 * located.
 *
 * @example
 * ```ts
 * throw located(e, { part: 'record', record: 1, of: 4 }) // "record 2 of 4: ..."
 * ```
 */
export function located(e: unknown, where: BundlePart): unknown {
  if (!(e instanceof BaridError) || e.details?.part !== undefined) return e
  const meaning = explain(e.code, where)
  const { part, ...position } = where
  const { of: _of, ...numbered } = position as { of?: number }
  return new BaridError(
    e.code,
    `${label(where)}: ${meaning === undefined ? e.message : `${meaning} (${e.message})`}`,
    { cause: e, details: { ...e.details, part, ...numbered } },
  )
}
