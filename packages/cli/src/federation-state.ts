/**
 * @module federation-state
 * The federation's working directory, as `barid federation` commands keep it:
 *
 * ```
 * federation.json        name and trust list validity
 * governance.key.jwk     governance signing key (secret, 0600)
 * governance.pub.jwk     its public key: give it to every node (their trust anchor)
 * root.key.jwk           federation root CA key (secret, 0600)
 * root.crt.pem           federation root certificate
 * trust-list.cose        the current signed trust list
 * lists/NNNNNN.cose      every list issued, by sequence number
 * operators/<id>/        operator CA certificates issued at admission
 * ```
 */
import { join } from 'node:path'
import {
  BaridError,
  type KeyPair,
  type ParsedCertificate,
  authorisedSigners,
  createTrustList,
  verifyTrustList,
  type OperatorEntry,
  type TrustList,
  type TrustListInput,
} from './core.js'
import { readCertificate, readKeyPair } from './documents.js'
import { FileError, fileRefusal, inFile } from './errors.js'
import { exists, readBytes, readJson, writePublic } from './files.js'

export interface FederationConfig {
  readonly version: 1
  readonly name: string
  /** Days from issue to next-update of each list. */
  readonly listValidityDays: number
}

export interface FederationState {
  readonly dir: string
  readonly config: FederationConfig
  readonly governance: KeyPair
  readonly rootKeys: KeyPair
  readonly root: ParsedCertificate
  readonly list: TrustList
}

export const FILES = {
  config: 'federation.json',
  governanceKey: 'governance.key.jwk',
  governancePub: 'governance.pub.jwk',
  governanceNextKey: 'governance-next.key.jwk',
  rootKey: 'root.key.jwk',
  rootCert: 'root.crt.pem',
  list: 'trust-list.cose',
} as const

/** Reads `federation.json`: a missing one is a file error, one of another shape a refusal. */
async function readConfig(dir: string): Promise<FederationConfig> {
  const path = join(dir, FILES.config)
  if (!(await exists(path)))
    throw new FileError(
      `cannot read ${path}: it does not exist (${dir} is not a federation directory; barid federation init makes one)`,
      path,
    )
  const raw = await readJson(path)
  const config = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<FederationConfig>
  if (typeof config.version === 'number' && config.version !== 1)
    throw fileRefusal(
      path,
      `has version ${config.version}; this barid reads version 1`,
      'ERR_UNSUPPORTED_VERSION',
    )
  if (
    config.version !== 1 ||
    typeof config.name !== 'string' ||
    !Number.isInteger(config.listValidityDays)
  )
    throw fileRefusal(path, 'is not a federation configuration (version, name, listValidityDays)')
  return config as FederationConfig
}

/** Loads the federation directory and verifies its current list against its governance key. */
export async function loadFederation(dir: string, now: number): Promise<FederationState> {
  const config = await readConfig(dir)
  const governance = await readKeyPair(join(dir, FILES.governanceKey))
  const rootKeys = await readKeyPair(join(dir, FILES.rootKey))
  const root = await readCertificate(join(dir, FILES.rootCert))
  const listPath = join(dir, FILES.list)
  const bytes = await readBytes(listPath)
  // Our own list: it must verify under our own governance key (or the incoming one mid-rollover).
  const list = await inFile(listPath, () =>
    verifyTrustList(bytes, { governanceKeys: [governance], now }),
  )
  return { dir, config, governance, rootKeys, root, list }
}

/** Content of the next list: the current one with a new sequence, times, and the given changes. */
export function nextContent(
  state: FederationState,
  now: number,
  changes: Partial<TrustListInput> = {},
): TrustListInput {
  const { list } = state
  const base: TrustListInput = {
    federation: list.federation,
    sequence: list.sequence + 1,
    issued: now,
    nextUpdate: now + state.config.listValidityDays * 86_400,
    governanceKeys: list.governanceKeys,
    roots: list.roots,
    operators: list.operators,
    ...(list.rollover === undefined ? {} : { rollover: list.rollover }),
  }
  return { ...base, ...changes }
}

/**
 * Signs `input` with `signer`, checks it is a valid successor of the held list, and writes it as
 * the current list and into the archive.
 */
export async function publishList(
  state: FederationState,
  input: TrustListInput,
  now: number,
  signer: KeyPair = state.governance,
): Promise<TrustList> {
  const bytes = await createTrustList(input, signer)
  const list = await verifyTrustList(bytes, {
    governanceKeys: authorisedSigners(state.list),
    current: state.list,
    now,
  })
  await writePublic(
    join(state.dir, 'lists', `${String(list.sequence).padStart(6, '0')}.cose`),
    bytes,
  )
  await writePublic(join(state.dir, FILES.list), bytes, { replace: true })
  return list
}

/**
 * The operator entry with `id`. An id the list does not hold is a refusal of the federation's
 * state (`ERR_OPERATOR_UNKNOWN`, exit 1), not a usage error: the command line was well formed.
 */
export function findOperator(list: TrustList, id: string): OperatorEntry {
  const op = list.operators.find((o) => o.id === id)
  if (op === undefined) {
    const known = list.operators.map((o) => o.id)
    throw new BaridError(
      'ERR_OPERATOR_UNKNOWN',
      `operator ${id} is not in the trust list (operators: ${known.join(', ') || 'none'})`,
      { details: { operator: id, operators: known } },
    )
  }
  return op
}
