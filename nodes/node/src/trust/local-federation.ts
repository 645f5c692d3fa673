/**
 * @module trust/local-federation
 * A federation on one machine, made with the operator CLI exactly as governance and operators
 * make a real one (spec 21.2): `barid federation init`, then for each operator `barid operator
 * init`, `barid federation admit` and `barid operator certify-node`. The demo and the tests use
 * it for two nodes; a node started with no trust list configured uses it for itself alone (a
 * development federation, so that a first start needs no configuration).
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { BaridError } from '../core.js'
import type { NodeConfig, TrustConfig } from '../config/config.js'
import type { Profile } from '../config/profile.js'
import { barid, type CliResult } from './barid-cli.js'

/** Files of an operator directory, as `barid operator init` names them. */
export const OPERATOR_FILES = {
  caKey: 'ca.key.jwk',
  caCert: 'ca.crt.pem',
  nodeKey: 'node.key.jwk',
  nodeCert: 'node.crt.pem',
  /** The revocation list of the CA with key id `kid` (base64url), as `barid operator revoke`. */
  revocations: (kid: string) => `revocations/${kid}.cose`,
  /** The single list of earlier versions: the list of the CA that signed it. */
  legacyRevocations: 'revocations.cose',
  /** CAs rotated away, as `barid operator rotate-ca` keeps them (`<kid>.crt.pem`, `.key.jwk`). */
  previousCas: 'previous-cas',
  /** Retired node keys and their retirement times, as `barid operator rotate-node` keeps them. */
  nodeKeys: 'node-keys.json',
} as const

/** Files of a federation directory, as `barid federation init` names them. */
export const FEDERATION_FILES = {
  config: 'federation.json',
  list: 'trust-list.cose',
  governancePub: 'governance.pub.jwk',
} as const

/** One operator to admit: its profile, the public URL of its node, and its operator directory. */
export interface LocalOperator {
  profile: Profile
  url: string
  operatorDir: string
}

/** A federation made by {@link createLocalFederation}. */
export interface LocalFederation {
  /** The federation directory (governance and root keys, trust lists). */
  readonly dir: string
  readonly trustListFile: string
  readonly governanceKeyFile: string
  /**
   * The trust settings that make a node a member. The federation runs on one machine, so they
   * allow peers on loopback addresses (spec 22.4), which a production node refuses.
   */
  readonly trust: Pick<TrustConfig, 'listFile' | 'governanceKeyFiles' | 'allowNonPublic'>
  /** Runs `barid federation <args> --dir <dir>` (suspend, withdraw, reissue, ...). */
  federation(args: readonly string[]): Promise<CliResult>
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** The canonical endpoint (spec 20.3.3) of a node's public URL: origin and path, ending in `/`. */
export function endpointOf(url: string): string {
  return new URL(`${url.replace(/\/+$/, '')}/`).href
}

/**
 * Prepares `operatorDir` with `barid operator init` (unless already done) and admits the
 * operator to the federation in `dir`, then signs its node certificate.
 *
 * @example
 * ```ts
 * await admitOperator(fedDir, { profile, url: 'http://127.0.0.1:7401', operatorDir })
 * ```
 */
export async function admitOperator(dir: string, op: LocalOperator): Promise<void> {
  const p = op.profile
  const name = (lang: string) => p.displayName[lang] ?? (p.displayName.en as string)
  const schemes = p.identifierSchemes.filter((s) => /^[a-z]{2}:[a-z0-9]{1,15}$/.test(s))
  await barid([
    'operator',
    'init',
    '--dir',
    op.operatorDir,
    '--operator',
    p.operator,
    '--country',
    p.country,
    '--name-ar',
    name('ar'),
    '--name-da',
    name('da'),
    '--name-en',
    name('en'),
    '--endpoint',
    endpointOf(op.url),
    ...schemes.flatMap((s) => ['--scheme', s]),
  ])
  const admitted = await barid([
    'federation',
    'admit',
    '--dir',
    dir,
    '--request',
    join(op.operatorDir, 'admission-request.json'),
  ])
  await barid([
    'operator',
    'certify-node',
    '--dir',
    op.operatorDir,
    '--ca-cert',
    String(admitted.caCertificate),
  ])
}

/**
 * Creates a federation in `dir` and admits `operators`, each with its node certificate.
 *
 * @example
 * ```ts
 * const fed = await createLocalFederation({ dir: join(tmp, 'federation'), operators: [eg, dk] })
 * const config = resolveConfig(profile, { trust: fed.trust, operatorDir: eg.operatorDir })
 * ```
 */
export async function createLocalFederation(o: {
  dir: string
  name?: string
  operators: readonly LocalOperator[]
}): Promise<LocalFederation> {
  await barid(['federation', 'init', '--name', o.name ?? 'barid-local', '--dir', o.dir])
  for (const op of o.operators) await admitOperator(o.dir, op)
  return openLocalFederation(o.dir)
}

/**
 * A handle on a federation directory made earlier.
 *
 * @example
 * ```ts
 * await (openLocalFederation(fedDir)).federation(['withdraw', '--operator', 'post.eg'])
 * ```
 */
export function openLocalFederation(dir: string): LocalFederation {
  const trustListFile = join(dir, FEDERATION_FILES.list)
  const governanceKeyFile = join(dir, FEDERATION_FILES.governancePub)
  return {
    dir,
    trustListFile,
    governanceKeyFile,
    trust: {
      listFile: trustListFile,
      governanceKeyFiles: [governanceKeyFile],
      allowNonPublic: ['loopback'],
    },
    federation: (args) => barid(['federation', ...args, '--dir', dir]),
  }
}

/**
 * The trust settings a node runs with. When the configuration names a trust list they are
 * returned as they are. Otherwise the node is on a developer's machine: it keeps (or, on first
 * start, makes) a federation of its own operator alone in `<dataDir>/federation`, its operator
 * directory prepared and its node certified. An operator directory prepared for a real
 * federation without a trust list configured is a mistake and is refused.
 *
 * @example
 * ```ts
 * const trust = await ensureTrustConfig(config) // { listFile, governanceKeyFiles, ... }
 * ```
 */
export async function ensureTrustConfig(config: NodeConfig): Promise<TrustConfig> {
  if (config.trust.listFile !== undefined) {
    if (config.trust.governanceKeyFiles.length === 0) {
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        'config: trust.governanceKeyFiles is required with trust.listFile',
      )
    }
    return config.trust
  }
  const dir = join(config.dataDir, 'federation')
  if (!(await exists(join(dir, FEDERATION_FILES.config)))) {
    if (await exists(join(config.operatorDir, OPERATOR_FILES.nodeCert))) {
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        'config: the operator directory is prepared but no trust.listFile is configured',
      )
    }
    await createLocalFederation({
      dir,
      name: `dev-${config.profile.operator.replace(/[^a-z0-9.-]/g, '-')}`.slice(0, 64),
      operators: [
        { profile: config.profile, url: config.publicUrl, operatorDir: config.operatorDir },
      ],
    })
  }
  const local = openLocalFederation(dir).trust
  return {
    ...config.trust,
    ...local,
    allowNonPublic: [...new Set([...config.trust.allowNonPublic, ...local.allowNonPublic])],
  }
}
