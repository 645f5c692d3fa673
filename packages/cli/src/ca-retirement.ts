/**
 * @module ca-retirement
 * When governance retires an operator CA (`until` in the trust list, spec 20.3.1), what a key
 * certified under it signs from then on is refused (`ERR_OPERATOR_CA_RETIRED`). The operator
 * directory does not hold the trust list, so `rotate-node` and `rotate-ca` learn the retirement
 * of the CA that issued the previous node certificate from a trust list given on the command
 * line (`--trust-list`, `--governance-key`), verified like any other.
 */
import { iso, many, optional, type Values } from './command.js'
import { bytesEqual, toBase64Url, type ParsedCertificate } from './core.js'
import { fileRefusal, UsageError } from './errors.js'
import { resolvePath } from './files.js'
import { loadTrustList, readGovernanceKeys } from './trust-input.js'

/** The options that give the trust list, as `rotate-node` and `rotate-ca` declare them. */
export const TRUST_LIST_OPTIONS = {
  'trust-list': { type: 'string' },
  'governance-key': { type: 'string', multiple: true },
} as const

/** A CA's retirement time and the trust list that set it. */
export interface CaRetirement {
  /** Unix seconds: the CA's `until`. */
  readonly until: number
  /** The trust list file, absolute. */
  readonly file: string
}

/** The retirement of a CA of the operator in the given trust list, if it retires it. */
export type CaRetirementOf = (ca: ParsedCertificate) => CaRetirement | undefined

/**
 * Reads the trust list given with `--trust-list` (verified with `--governance-key`) and answers
 * the retirement time of a CA of `operator` in it; undefined when no list is given. A
 * `--governance-key` without `--trust-list`, or the reverse, is a usage error; a list that does
 * not verify is refused with its code.
 *
 * @example
 * ```ts
 * const retirementOf = await caRetirements(ctx.cwd, values, ctx.now, 'post.eg')
 * const retired = retirementOf?.(currentCa)
 * ```
 */
export async function caRetirements(
  cwd: string,
  values: Values,
  now: number,
  operator: string,
): Promise<CaRetirementOf | undefined> {
  const listFile = optional(values, 'trust-list')
  const keyFiles = many(values, 'governance-key')
  if (listFile === undefined) {
    if (keyFiles.length > 0) throw new UsageError('--governance-key needs --trust-list')
    return undefined
  }
  const list = await loadTrustList(cwd, listFile, await readGovernanceKeys(cwd, keyFiles), now)
  const file = resolvePath(cwd, listFile)
  const cas = list.operators.find((o) => o.id === operator)?.cas ?? []
  return (ca) => {
    const until = cas.find((c) => bytesEqual(c.cert, ca.der))?.until
    return until === undefined ? undefined : { until, file }
  }
}

/**
 * The retirement time of `ca` (a CA of `operator`) in the trust list given with `--trust-list`,
 * or undefined when no list is given, no CA is given (the directory does not hold the issuer),
 * or the list does not retire it; the options are checked as {@link caRetirements} does.
 *
 * @example
 * ```ts
 * const retired = await caRetirement(ctx.cwd, values, ctx.now, 'post.eg', oldCa)
 * if (retired !== undefined && retireAt > retired.until) refuse()
 * ```
 */
export async function caRetirement(
  cwd: string,
  values: Values,
  now: number,
  operator: string,
  ca: ParsedCertificate | undefined,
): Promise<CaRetirement | undefined> {
  const retirementOf = await caRetirements(cwd, values, now, operator)
  return ca === undefined ? undefined : retirementOf?.(ca)
}

/**
 * Refuses to certify a key under `ca` (in `caFile`) once the trust list has retired it: from
 * its `until` on, peers refuse whatever a key certified under it signs
 * (`ERR_OPERATOR_CA_RETIRED`, exit 1, naming the trust list).
 *
 * @example
 * ```ts
 * refuseRetiredCa(retirementOf(ca), ca, caPath, ctx.now)
 * ```
 */
export function refuseRetiredCa(
  retired: CaRetirement | undefined,
  ca: ParsedCertificate,
  caFile: string,
  now: number,
): void {
  if (retired === undefined || now < retired.until) return
  const kid = toBase64Url(ca.kid ?? new Uint8Array())
  throw fileRefusal(
    retired.file,
    `retires the operator CA ${kid} in ${caFile} at ${iso(retired.until)}: what a key certified under it signs is refused; rotate to a new CA admitted by governance (barid operator rotate-ca)`,
    'ERR_OPERATOR_CA_RETIRED',
    { ca: kid, until: iso(retired.until) },
  )
}

/**
 * Refuses a `--retire-at` later than the retirement of the CA `ca` that certified the previous
 * node key (in `certFile`): the key would go on signing what the federation refuses
 * (`ERR_OPERATOR_CA_RETIRED`, exit 1, naming the trust list).
 *
 * @example
 * ```ts
 * refuseRetireAfterCa(retired, retireAt, oldCa, certPath)
 * ```
 */
export function refuseRetireAfterCa(
  retired: CaRetirement | undefined,
  retireAt: number,
  ca: ParsedCertificate,
  certFile: string,
): void {
  if (retired === undefined || retireAt <= retired.until) return
  const kid = toBase64Url(ca.kid ?? new Uint8Array())
  throw fileRefusal(
    retired.file,
    `retires the operator CA ${kid} that issued ${certFile} at ${iso(retired.until)}, before --retire-at ${iso(retireAt)}: what the previous key signs from then on is refused`,
    'ERR_OPERATOR_CA_RETIRED',
    { ca: kid, until: iso(retired.until), retireAt: iso(retireAt) },
  )
}
