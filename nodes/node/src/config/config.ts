/**
 * @module config/config
 * The node's resolved configuration. Sources, later ones winning: built-in defaults, the
 * operator profile, a JSON config file, environment variables, explicit overrides (tests).
 * A node started with nothing but a profile runs: it makes its data directory, keys and
 * database on first start (see `data-dir.ts`).
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { BaridError } from '../core.js'
import { loadProfile, parseProfile, type Profile } from './profile.js'
import { ObjectReader } from './validate.js'
import { ALLOWABLE_CLASSES, type AllowableClass } from '../trust/address-policy.js'
import {
  resolveRegisteredConfig,
  type RegisteredConfig,
  type RegisteredConfigInput,
} from '../registered/registered-config.js'

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

export const DEFAULT_DELIVERY: DeliveryConfig = {
  concurrencyPerPeer: 4,
  batchSize: 100,
  baseBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
  requestTimeoutMs: 30_000,
  maxDeliveryMs: 7 * 24 * 3600_000,
  expiryGraceMs: 5 * 60_000,
  idlePollMs: 5000,
}

export const DEFAULT_LIMITS: LimitsConfig = {
  maxLetterBytes: 1024 * 1024,
  maxAttachmentBytes: 2 * 1024 ** 3,
  maxBatchLetters: 10_000,
  maxRequestBytes: 64 * 1024 * 1024,
  lookupsPerMinute: 600,
}

function envInput(env: Record<string, string | undefined>): NodeConfigInput {
  const out: NodeConfigInput = {}
  const num = (k: string): number | undefined => {
    const v = env[k]
    if (v === undefined || v === '') return undefined
    if (!/^\d+$/.test(v))
      throw new BaridError('ERR_INVALID_ARGUMENT', `config: ${k} must be an integer`)
    return Number(v)
  }
  const bool = (k: string): boolean | undefined => {
    const v = env[k]
    if (v === undefined || v === '') return undefined
    if (!/^(true|false|1|0)$/.test(v))
      throw new BaridError('ERR_INVALID_ARGUMENT', `config: ${k} must be true or false`)
    return v === 'true' || v === '1'
  }
  if (env.BARID_DATA_DIR) out.dataDir = env.BARID_DATA_DIR
  if (env.BARID_HOST) out.host = env.BARID_HOST
  const port = num('BARID_PORT')
  if (port !== undefined) out.port = port
  if (env.BARID_PUBLIC_URL) out.publicUrl = env.BARID_PUBLIC_URL
  if (env.BARID_OPERATOR_DIR) out.operatorDir = env.BARID_OPERATOR_DIR
  const trust: Partial<TrustConfig> = {}
  if (env.BARID_TRUST_LIST) trust.listFile = env.BARID_TRUST_LIST
  if (env.BARID_GOVERNANCE_KEYS)
    trust.governanceKeyFiles = env.BARID_GOVERNANCE_KEYS.split(',').filter((f) => f !== '')
  if (env.BARID_ALLOW_NON_PUBLIC !== undefined)
    trust.allowNonPublic = env.BARID_ALLOW_NON_PUBLIC.split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '') as AllowableClass[]
  if (Object.keys(trust).length > 0) out.trust = trust
  if (env.BARID_LOG_LEVEL) out.logLevel = env.BARID_LOG_LEVEL as NodeConfig['logLevel']
  const dev = bool('BARID_DEV_IDP')
  if (dev !== undefined) out.devIdentityProvider = dev
  const auto = bool('BARID_AUTO_PROVISION')
  if (auto !== undefined) out.autoProvisionMailboxes = auto
  const auth: Partial<CitizenAuthConfig> = {}
  if (env.BARID_OIDC_ISSUER) auth.issuer = env.BARID_OIDC_ISSUER
  if (env.BARID_OIDC_AUDIENCE) auth.audience = env.BARID_OIDC_AUDIENCE
  if (env.BARID_OIDC_JWKS_URL) auth.jwksUrl = env.BARID_OIDC_JWKS_URL
  if (env.BARID_OIDC_CLAIM) auth.identifierClaim = env.BARID_OIDC_CLAIM
  if (Object.keys(auth).length > 0) out.citizenAuth = auth
  if (env.BARID_TEST_CONTROL_SECRET) out.testControlSecret = env.BARID_TEST_CONTROL_SECRET
  return out
}

function fileInput(json: unknown, baseDir: string): NodeConfigInput {
  const r = ObjectReader.of(json, 'config').only([
    '$comment',
    'profile',
    'dataDir',
    'host',
    'port',
    'publicUrl',
    'trust',
    'operatorDir',
    'dbFile',
    'blobDir',
    'synchronous',
    'citizenAuth',
    'devIdentityProvider',
    'autoProvisionMailboxes',
    'signatureWindowSeconds',
    'delivery',
    'limits',
    'logLevel',
    'housekeepingIntervalMs',
    'testControlSecret',
    'registered',
  ])
  const path = (k: string) => {
    const v = r.optStr(k)
    return v === undefined ? undefined : isAbsolute(v) ? v : resolve(baseDir, v)
  }
  const out: NodeConfigInput = { ...(r.value as NodeConfigInput) }
  for (const k of ['profile', 'dataDir', 'operatorDir', 'dbFile', 'blobDir'] as const) {
    const p = path(k)
    if (p !== undefined) (out as Record<string, unknown>)[k] = p
  }
  const t = r
    .optObj('trust')
    ?.only([
      'listFile',
      'governanceKeyFiles',
      'reloadIntervalMs',
      'maxStalenessSeconds',
      'allowNonPublic',
      'discoveryMaxAgeSeconds',
      'discoveryCooldownSeconds',
    ])
  if (t) {
    const abs = (v: string) => (isAbsolute(v) ? v : resolve(baseDir, v))
    out.trust = {
      ...(t.value as Partial<TrustConfig>),
      ...(t.has('listFile') ? { listFile: abs(t.str('listFile')) } : {}),
      ...(t.has('governanceKeyFiles')
        ? { governanceKeyFiles: t.strings('governanceKeyFiles').map(abs) }
        : {}),
    }
  }
  delete (out as Record<string, unknown>).$comment
  return out
}

function merge(a: NodeConfigInput, b: NodeConfigInput): NodeConfigInput {
  return {
    ...a,
    ...b,
    delivery: { ...a.delivery, ...b.delivery },
    limits: { ...a.limits, ...b.limits },
    citizenAuth: { ...a.citizenAuth, ...b.citizenAuth },
    trust: { ...a.trust, ...b.trust },
    registered: {
      ...a.registered,
      ...b.registered,
      notifications: { ...a.registered?.notifications, ...b.registered?.notifications },
      printLimits: { ...a.registered?.printLimits, ...b.registered?.printLimits },
    },
  }
}

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
  let input: NodeConfigInput = {}
  const configFile = opts.configFile ?? env.BARID_CONFIG
  if (configFile) {
    const abs = resolve(configFile)
    input = merge(input, fileInput(JSON.parse(await readFile(abs, 'utf8')), join(abs, '..')))
  }
  input = merge(input, envInput(env))
  if (opts.overrides) input = merge(input, opts.overrides)
  const profileSource =
    opts.overrides?.profile ?? opts.profile ?? input.profile ?? env.BARID_PROFILE
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
  return resolveConfig(profile, input)
}

/** Fills defaults for a profile and a partial config (no I/O). */
export function resolveConfig(profile: Profile, input: NodeConfigInput): NodeConfig {
  const dataDir = resolve(input.dataDir ?? join('.data', profile.operator))
  const host = input.host ?? '127.0.0.1'
  const port = input.port ?? profile.port
  const publicUrl = (
    input.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  ).replace(/\/+$/, '')
  const logLevel = input.logLevel ?? 'info'
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'config: logLevel must be debug, info, warn, error or silent',
    )
  }
  const delivery = { ...DEFAULT_DELIVERY, ...input.delivery }
  if (delivery.batchSize < 1 || delivery.batchSize > 100) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'config: delivery.batchSize must be in [1, 100]')
  }
  return {
    profile,
    dataDir,
    host,
    port,
    publicUrl,
    trust: resolveTrust(input.trust),
    operatorDir: input.operatorDir ?? join(dataDir, 'operator'),
    dbFile: input.dbFile ?? join(dataDir, 'node.db'),
    blobDir: input.blobDir ?? join(dataDir, 'blobs'),
    synchronous: input.synchronous ?? 'full',
    citizenAuth: {
      issuer: input.citizenAuth?.issuer ?? `${publicUrl}/dev/idp`,
      audience: input.citizenAuth?.audience ?? `${publicUrl}/v1/citizen`,
      identifierClaim: input.citizenAuth?.identifierClaim ?? 'barid_identifier',
      ...(input.citizenAuth?.jwksUrl ? { jwksUrl: input.citizenAuth.jwksUrl } : {}),
    },
    devIdentityProvider: input.devIdentityProvider ?? false,
    autoProvisionMailboxes: input.autoProvisionMailboxes ?? false,
    signatureWindowSeconds: input.signatureWindowSeconds ?? 60,
    delivery,
    limits: { ...DEFAULT_LIMITS, ...input.limits },
    logLevel,
    housekeepingIntervalMs: input.housekeepingIntervalMs ?? 3600_000,
    testControlSecret: input.testControlSecret ?? null,
    registered: resolveRegisteredConfig(input.registered, dataDir),
  }
}

function resolveTrust(t: Partial<TrustConfig> | undefined): TrustConfig {
  const maxStalenessSeconds = t?.maxStalenessSeconds ?? 72 * 3600
  if (
    !Number.isInteger(maxStalenessSeconds) ||
    maxStalenessSeconds < 0 ||
    maxStalenessSeconds > 7 * 86_400
  ) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'config: trust.maxStalenessSeconds must be in [0, 604800]',
    )
  }
  const allowNonPublic = t?.allowNonPublic ?? []
  for (const c of allowNonPublic)
    if (!(ALLOWABLE_CLASSES as readonly string[]).includes(c))
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        `config: trust.allowNonPublic takes ${ALLOWABLE_CLASSES.join(', ')}`,
      )
  const seconds = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        `config: trust.${name} must be in [${min}, ${max}]`,
      )
    return v
  }
  return {
    ...(t?.listFile === undefined ? {} : { listFile: t.listFile }),
    governanceKeyFiles: t?.governanceKeyFiles ?? [],
    reloadIntervalMs: t?.reloadIntervalMs ?? 60_000,
    maxStalenessSeconds,
    allowNonPublic: [...new Set(allowNonPublic)],
    // Spec 22.4: maxAge RECOMMENDED 1 hour, at most 24 hours; cooldown RECOMMENDED 30 s.
    discoveryMaxAgeSeconds: seconds(
      'discoveryMaxAgeSeconds',
      t?.discoveryMaxAgeSeconds ?? 3600,
      1,
      86_400,
    ),
    discoveryCooldownSeconds: seconds(
      'discoveryCooldownSeconds',
      t?.discoveryCooldownSeconds ?? 30,
      1,
      3600,
    ),
  }
}
