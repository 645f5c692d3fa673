/**
 * @module config/config
 * The node's resolved configuration. Sources, later ones winning: built-in defaults, the
 * operator profile, a JSON config file, environment variables, explicit overrides (tests).
 * What each setting takes and its default are in one table (`settings.ts`); every source is
 * read against it, so a wrong value is refused wherever it comes from.
 * A node started with nothing but a profile runs: it makes its data directory, keys and
 * database on first start (see `data-dir.ts`).
 */
import { dirname, resolve } from 'node:path'
import { BaridError } from '../core.js'
import { readJsonFile } from './configured-file.js'
import { loadProfile, parseProfile, type Profile } from './profile.js'
import { fillSettings, mergeTrees, readEnv, readTree, type SettingTree } from './read-settings.js'
import { defaultPublicUrl, SETTINGS } from './settings.js'
import type { Feature } from '../federation/features.js'
import type { AllowableClass } from '../trust/address-policy.js'
import type { RegisteredConfig, RegisteredConfigInput } from '../registered/registered-config.js'

/** How citizens' bearer tokens are verified (spec 13.2). */
export interface CitizenAuthConfig {
  /** Expected `iss`. */
  issuer: string
  /** Expected `aud`. */
  audience: string
  /** Where the issuer's JWKS is fetched (HTTPS in production). Absent: the dev IdP's keys. */
  jwksUrl?: string
  /** The claim holding the citizen's participant identifier (e.g. `dk:cpr:…`). */
  identifierClaim: string
}

export interface DeliveryConfig {
  /** Concurrent transactions per peer. */
  concurrencyPerPeer: number
  /** Letters (and evidence items) per federation transaction; at most the protocol's 100. */
  batchSize: number
  /** First retry delay and the cap of the exponential backoff. */
  baseBackoffMs: number
  maxBackoffMs: number
  /** Timeout of one federation request. */
  requestTimeoutMs: number
  /** How long the node tries to deliver a letter without its own expiry. */
  maxDeliveryMs: number
  /** How long to wait after a deadline before declaring non-delivery (clock skew allowance). */
  expiryGraceMs: number
  /** Poll interval of the engine when idle (it is also woken on new work). */
  idlePollMs: number
}

/** The federation of trust (spec 20-22): where the trust list comes from and who signs it. */
export interface TrustConfig {
  /**
   * The federation's trust list file (`trust-list.cose`). Read at start and whenever it changes;
   * a newer list replaces the held one, an older one is refused (rollback). Absent, and no
   * operator directory prepared: the node makes a one-operator development federation in
   * `<dataDir>/federation` on first start.
   */
  listFile?: string
  /** Governance public keys (JWK files): the node's trust anchors (spec 20.5). */
  governanceKeyFiles: string[]
  /** How often `listFile` is checked for a newer list. */
  reloadIntervalMs: number
  /** Seconds past a list's next-update before federation traffic stops (spec 20.6, at most 7 days). */
  maxStalenessSeconds: number
  /**
   * Non-public address classes a peer's endpoint may resolve to (spec 22.4): none in production;
   * the local federation (demo, tests, a development node) allows `loopback`.
   */
  allowNonPublic: AllowableClass[]
  /** How long a peer's key-discovery document is used before it is fetched again (spec 22.4). */
  discoveryMaxAgeSeconds: number
  /** Least time between two discovery fetches for one peer (unknown key ids, failures). */
  discoveryCooldownSeconds: number
}

export interface LimitsConfig {
  maxLetterBytes: number
  maxAttachmentBytes: number
  maxBatchLetters: number
  maxRequestBytes: number
  /** Directory lookups per sender per minute. */
  lookupsPerMinute: number
}

export interface NodeConfig {
  profile: Profile
  dataDir: string
  host: string
  port: number
  /** The URL peers and clients use to reach this node (no trailing slash). */
  publicUrl: string
  /** Trust list and governance keys (spec 20). */
  trust: TrustConfig
  /**
   * The operator's directory as `barid operator init` and `barid operator certify-node` leave it:
   * operator CA certificate and key (mailbox certificates, revocation lists), node key and
   * node certificate. Default `<dataDir>/operator`.
   */
  operatorDir: string
  /** SQLite file; default `<dataDir>/node.db`. */
  dbFile: string
  blobDir: string
  synchronous: 'full' | 'normal'
  citizenAuth: CitizenAuthConfig
  /** Serve the development identity provider under `/dev/idp` (never in production). */
  devIdentityProvider: boolean
  /** Create a mailbox the first time an authenticated citizen without one signs in. */
  autoProvisionMailboxes: boolean
  /** Freshness window of federation request signatures, seconds either side. */
  signatureWindowSeconds: number
  /**
   * The optional federation features the node advertises in its self-description (spec 11.3);
   * default all it implements. An operator may hold one back during a staged rollout: peers then
   * send its members to no one here, while the node still accepts them (11.4).
   */
  features: Feature[]
  delivery: DeliveryConfig
  limits: LimitsConfig
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** Interval of retention housekeeping. */
  housekeepingIntervalMs: number
  /** Enables the test-control interface (spec 30.4) with this secret; null: off (default). */
  testControlSecret: string | null
  /** Registered mail, transparency log, paper channel and notifications (spec 16, 17). */
  registered: RegisteredConfig
}

/** Partial config as a file or tests give it: any field, nested objects partial too. */
export type NodeConfigInput = Partial<
  Omit<NodeConfig, 'profile' | 'delivery' | 'limits' | 'citizenAuth' | 'trust' | 'registered'>
> & {
  registered?: RegisteredConfigInput
  profile?: Profile | string
  trust?: Partial<TrustConfig>
  delivery?: Partial<DeliveryConfig>
  limits?: Partial<LimitsConfig>
  citizenAuth?: Partial<CitizenAuthConfig>
}

/** The defaults of the settings under `prefix` (from the table of `settings.ts`). */
function defaultsUnder(prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const s of SETTINGS)
    if (s.path.startsWith(`${prefix}.`) && s.unset !== 'absent' && 'value' in s.unset)
      out[s.path.slice(prefix.length + 1)] = s.unset.value
  return out
}

/**
 * The delivery engine's defaults.
 *
 * @example
 * ```ts
 * const backoff = DEFAULT_DELIVERY.baseBackoffMs // 1000
 * ```
 */
export const DEFAULT_DELIVERY = defaultsUnder('delivery') as unknown as DeliveryConfig

/**
 * The default request limits.
 *
 * @example
 * ```ts
 * const max = DEFAULT_LIMITS.maxLetterBytes // 1 MiB
 * ```
 */
export const DEFAULT_LIMITS = defaultsUnder('limits') as unknown as LimitsConfig

export interface LoadConfigOptions {
  /** Profile folder or file, or a parsed profile. Env `BARID_PROFILE` otherwise. */
  profile?: Profile | string
  /** JSON config file. Env `BARID_CONFIG` otherwise. */
  configFile?: string
  env?: Record<string, string | undefined>
  /** Applied last (tests, the demo). */
  overrides?: NodeConfigInput
}

/**
 * Resolves the configuration from its sources (see the module comment).
 *
 * @example
 * ```ts
 * const config = await loadConfig({ profile: 'nodes/denmark', env: process.env })
 * ```
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<NodeConfig> {
  const env = opts.env ?? {}
  let input: SettingTree = {}
  const configFile = opts.configFile ?? env.BARID_CONFIG
  if (configFile) {
    const abs = resolve(configFile)
    const json = await readJsonFile(abs, 'config file')
    input = readTree(json, { from: 'file', file: abs }, { baseDir: dirname(abs), meta: FILE_META })
    if (input.profile !== undefined) {
      if (typeof input.profile !== 'string' || input.profile === '')
        throw new BaridError('ERR_INVALID_ARGUMENT', `config: profile in ${abs} must be a path`)
      input.profile = resolve(dirname(abs), input.profile)
    }
    delete input.$comment
  }
  input = mergeTrees(input, readEnv(env))
  if (opts.overrides) input = mergeTrees(input, readTree(opts.overrides, CONFIG, { meta: META }))
  const profileSource =
    opts.overrides?.profile ??
    opts.profile ??
    (input.profile as string | undefined) ??
    env.BARID_PROFILE
  if (profileSource === undefined) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'config: no operator profile (pass --profile or set BARID_PROFILE)',
    )
  }
  const profile =
    typeof profileSource === 'string'
      ? await loadProfile(profileSource)
      : parseProfile(profileSource)
  return resolveConfig(profile, input as NodeConfigInput)
}

const FILE_META = ['$comment', 'profile']
const META = ['profile']
const CONFIG = { from: 'config' } as const

/**
 * Fills defaults for a profile and a partial config (no I/O). Every value given is checked
 * against its setting (`settings.ts`): a wrong one is refused with `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const config = resolveConfig(profile, { dataDir: '/var/lib/barid', port: 0 })
 * ```
 */
export function resolveConfig(profile: Profile, input: NodeConfigInput): NodeConfig {
  const given = readTree(input, CONFIG, { meta: META })
  delete given.profile
  return { profile, ...fillSettings(given, profile) } as unknown as NodeConfig
}

/**
 * The config of a node listening on `port`, which it bound for the configured port 0: a public
 * URL (and the development IdP's issuer and audience) derived from the listen address then
 * names the port bound. Anything else is unchanged.
 *
 * @example
 * ```ts
 * const bound = withBoundPort(config, (server.address() as AddressInfo).port)
 * ```
 */
export function withBoundPort(config: NodeConfig, port: number): NodeConfig {
  if (config.port !== 0) return config
  const placeholder = defaultPublicUrl(config.host, 0)
  if (config.publicUrl !== placeholder) return { ...config, port }
  const publicUrl = defaultPublicUrl(config.host, port)
  const rebase = (v: string) =>
    v.startsWith(`${placeholder}/`) ? publicUrl + v.slice(placeholder.length) : v
  return {
    ...config,
    port,
    publicUrl,
    citizenAuth: {
      ...config.citizenAuth,
      issuer: rebase(config.citizenAuth.issuer),
      audience: rebase(config.citizenAuth.audience),
    },
  }
}
