/**
 * @module operator-dir
 * The operator directory as `barid operator` commands read it back: its configuration and the
 * checks that its CA and node certificates belong to its operator and to its keys. A directory
 * that fails one is refused with a Barid code and the file's path (exit code 1): the command
 * line was well formed, the directory's state is what is wrong.
 */
import { join } from 'node:path'
import { iso } from './command.js'
import { bytesEqual, type KeyPair, type ParsedCertificate } from './core.js'
import { fileRefusal } from './errors.js'
import { readJson } from './files.js'
import { OPERATOR_FILES } from './commands/operator-init.js'

/** What `operator.json` holds that commands after `operator init` use. */
export interface OperatorConfig {
  readonly operator: string
}

/**
 * Reads `operator.json` from the operator directory `dir`.
 *
 * @example
 * ```ts
 * const { operator } = await readOperatorConfig('/etc/barid/operator') // 'post.eg'
 * ```
 */
export async function readOperatorConfig(dir: string): Promise<OperatorConfig> {
  const path = join(dir, OPERATOR_FILES.config)
  const raw = await readJson(path)
  const operator = typeof raw === 'object' && raw !== null ? (raw as OperatorConfig).operator : 0
  if (typeof operator !== 'string' || operator.length === 0)
    throw fileRefusal(path, 'is not an operator configuration made by barid operator init')
  return { operator }
}

/**
 * Refuses `ca`, read from `path`, unless it is an operator CA certificate of `operator` for the
 * key `caKeys`: of another role (ERR_INVALID_ARGUMENT), of another operator
 * (ERR_CERT_OPERATOR_MISMATCH), or for another key (ERR_INVALID_ARGUMENT).
 *
 * @example
 * ```ts
 * checkOperatorCa(ca, caPath, caKeys, 'post.eg')
 * ```
 */
export function checkOperatorCa(
  ca: ParsedCertificate,
  path: string,
  caKeys: KeyPair,
  operator: string,
): void {
  if (ca.role !== 'operator-ca')
    throw fileRefusal(path, `is not an operator CA certificate (role ${ca.role ?? 'none'})`)
  if (ca.operatorId !== operator)
    throw fileRefusal(
      path,
      `is the operator CA certificate of ${ca.operatorId ?? 'no operator'}, not of ${operator}`,
      'ERR_CERT_OPERATOR_MISMATCH',
      { operator, certificate: ca.operatorId ?? null },
    )
  if (ca.kid === undefined || !bytesEqual(ca.kid, caKeys.kid))
    throw fileRefusal(path, `certifies another key than ${OPERATOR_FILES.caKey}`)
}

/**
 * Refuses the operator CA certificate `ca`, read from `path`, unless it is valid at `now` (Unix
 * seconds): a certificate signed under it then would not chain. Past its notAfter
 * (ERR_CERT_EXPIRED) or before its notBefore (ERR_CERT_NOT_YET_VALID).
 *
 * @example
 * ```ts
 * checkCaValidNow(ca, caPath, ctx.now)
 * ```
 */
export function checkCaValidNow(ca: ParsedCertificate, path: string, now: number): void {
  const from = Math.floor(ca.notBefore.getTime() / 1000)
  const until = Math.floor(ca.notAfter.getTime() / 1000)
  if (until <= now) throw fileRefusal(path, `expired at ${iso(until)}`, 'ERR_CERT_EXPIRED')
  if (now < from)
    throw fileRefusal(path, `is valid only from ${iso(from)}`, 'ERR_CERT_NOT_YET_VALID')
}

/**
 * Refuses `node`, read from `path`, unless it is a node certificate of `operator` (and, when
 * `nodeKeys` is given, for that key), with the codes of {@link checkOperatorCa}.
 *
 * @example
 * ```ts
 * checkNodeCertificate(node, nodePath, 'post.eg', nodeKeys)
 * ```
 */
export function checkNodeCertificate(
  node: ParsedCertificate,
  path: string,
  operator: string,
  nodeKeys?: KeyPair,
): void {
  if (node.role !== 'node' || node.kid === undefined)
    throw fileRefusal(path, `is not a node certificate (role ${node.role ?? 'none'})`)
  if (node.operatorId !== operator)
    throw fileRefusal(
      path,
      `is the node certificate of ${node.operatorId ?? 'no operator'}, not of ${operator}`,
      'ERR_CERT_OPERATOR_MISMATCH',
      { operator, certificate: node.operatorId ?? null },
    )
  if (nodeKeys !== undefined && !bytesEqual(node.kid, nodeKeys.kid))
    throw fileRefusal(path, `certifies another key than ${OPERATOR_FILES.nodeKey}`)
}
