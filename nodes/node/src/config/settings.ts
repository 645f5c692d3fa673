/**
 * @module config/settings
 * Every node setting in one table: its path in the config, its type and range, its default and
 * the environment variable that sets it. Reading a config file, the environment and a test's
 * overrides, filling defaults, the README's table and the checks of a resolved config all go
 * through this table, so that a setting cannot be checked in one place and missed in another.
 */
import { join, resolve } from 'node:path'
import { MAX_ATTACHMENT_BYTES, MAX_LETTER_BYTES } from '../core.js'
import { ALLOWABLE_CLASSES } from '../trust/address-policy.js'
import { FEATURES } from '../federation/features.js'
import { PRINT_LIMIT_RANGES, PRINT_LIMITS } from '../paper/print-limits.js'
import type { NodeConfig } from './config.js'

/** What values a setting takes. */
export type SettingKind =
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'bool' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  /** A list of distinct words from `values` (comma-separated in an environment variable). */
  | { readonly type: 'enumList'; readonly values: readonly string[] }
  /** A non-empty string of at most 4096 characters, of `pattern` and `minLength` if given. */
  | {
      readonly type: 'text'
      readonly pattern?: RegExp
      readonly minLength?: number
      readonly what?: string
    }
  /** A file or directory; relative ones in a config file are relative to the file. */
  | { readonly type: 'path' }
  /** A list of paths (comma-separated in an environment variable). */
  | { readonly type: 'pathList' }
  /** An http or https URL; `base`: one that paths are appended to (no query either). */
  | { readonly type: 'url'; readonly base?: boolean }
  | {
      readonly type: 'intList'
      readonly min: number
      readonly max: number
      readonly maxItems: number
    }

/** Values that settings derive from others when not set. */
export interface DeriveContext {
  /** The profile's operator id and port. */
  readonly operator: string
  readonly profilePort: number
  /** A value already resolved (settings are resolved in table order). */
  get(path: SettingPath): unknown
}

export interface Setting {
  readonly path: SettingPath
  readonly kind: SettingKind
  /**
   * The value when unset: a constant, `derive` from other settings (described by `doc`), or
   * `absent` (the setting stays out of the config).
   */
  readonly unset:
    | { readonly value: unknown }
    | { readonly derive: (c: DeriveContext) => unknown; readonly doc: string }
    | 'absent'
  /** How an accepted value is held (an absolute data directory, a base URL without a slash). */
  readonly normalise?: (v: unknown) => unknown
  /** `null` is accepted and means off. */
  readonly nullable?: boolean
  /** The environment variable that sets it (environment variables override the file). */
  readonly env?: string
}

/** Shortest test-control secret (spec 30.4): the interface can rewrite the node's federation. */
export const MIN_TEST_CONTROL_SECRET_LENGTH = 32

/** The longest a Node.js timer waits (a longer delay fires at once). */
const TIMER_MAX = 2 ** 31 - 1
const DAY_MS = 86_400_000
const int = (min: number, max: number): SettingKind => ({ type: 'int', min, max })
const PATH: SettingKind = { type: 'path' }
const TEXT: SettingKind = { type: 'text' }
const BOOL: SettingKind = { type: 'bool' }

const under = (c: DeriveContext, name: string) => join(c.get('dataDir') as string, name)

/** `http://host:port` for a listen address (IPv6 in brackets). */
export function defaultPublicUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * The settings, in resolution order (a derived default follows what it derives from). Each
 * leaf of `NodeConfig` but `profile` is here; `settings.test.ts` checks both ways.
 */
export const SETTINGS: readonly Setting[] = [
  {
    path: 'dataDir',
    kind: PATH,
    env: 'BARID_DATA_DIR',
    normalise: (v) => resolve(v as string),
    unset: { derive: (c) => join('.data', c.operator), doc: '`.data/<operator>`' },
  },
  {
    path: 'host',
    kind: { type: 'text', pattern: /^[A-Za-z0-9._:%-]{1,253}$/, what: 'a host name or IP address' },
    env: 'BARID_HOST',
    unset: { value: '127.0.0.1' },
  },
  {
    path: 'port',
    kind: int(0, 65535),
    env: 'BARID_PORT',
    unset: { derive: (c) => c.profilePort, doc: "the profile's port" },
  },
  {
    path: 'publicUrl',
    kind: { type: 'url', base: true },
    env: 'BARID_PUBLIC_URL',
    normalise: (v) => (v as string).replace(/\/+$/, ''),
    unset: {
      derive: (c) => defaultPublicUrl(c.get('host') as string, c.get('port') as number),
      doc: '`http://<host>:<port>` (port 0: the port bound)',
    },
  },
  { path: 'trust.listFile', kind: PATH, env: 'BARID_TRUST_LIST', unset: 'absent' },
  {
    path: 'trust.governanceKeyFiles',
    kind: { type: 'pathList' },
    env: 'BARID_GOVERNANCE_KEYS',
    unset: { value: [] },
  },
  { path: 'trust.reloadIntervalMs', kind: int(10, TIMER_MAX), unset: { value: 60_000 } },
  // Spec 20.6: at most 7 days.
  { path: 'trust.maxStalenessSeconds', kind: int(0, 7 * 86_400), unset: { value: 72 * 3600 } },
  {
    path: 'trust.allowNonPublic',
    kind: { type: 'enumList', values: ALLOWABLE_CLASSES },
    env: 'BARID_ALLOW_NON_PUBLIC',
    unset: { value: [] },
  },
  // Spec 22.4: maxAge RECOMMENDED 1 hour, at most 24 hours; cooldown RECOMMENDED 30 s.
  { path: 'trust.discoveryMaxAgeSeconds', kind: int(1, 86_400), unset: { value: 3600 } },
  { path: 'trust.discoveryCooldownSeconds', kind: int(1, 3600), unset: { value: 30 } },
  {
    path: 'operatorDir',
    kind: PATH,
    env: 'BARID_OPERATOR_DIR',
    unset: { derive: (c) => under(c, 'operator'), doc: '`<dataDir>/operator`' },
  },
  {
    path: 'dbFile',
    kind: PATH,
    unset: { derive: (c) => under(c, 'node.db'), doc: '`<dataDir>/node.db`' },
  },
  {
    path: 'blobDir',
    kind: PATH,
    unset: { derive: (c) => under(c, 'blobs'), doc: '`<dataDir>/blobs`' },
  },
  {
    path: 'synchronous',
    kind: { type: 'enum', values: ['full', 'normal'] },
    unset: { value: 'full' },
  },
  {
    path: 'citizenAuth.issuer',
    kind: TEXT,
    env: 'BARID_OIDC_ISSUER',
    unset: {
      derive: (c) => `${c.get('publicUrl') as string}/dev/idp`,
      doc: '`<publicUrl>/dev/idp`',
    },
  },
  {
    path: 'citizenAuth.audience',
    kind: TEXT,
    env: 'BARID_OIDC_AUDIENCE',
    unset: {
      derive: (c) => `${c.get('publicUrl') as string}/v1/citizen`,
      doc: '`<publicUrl>/v1/citizen`',
    },
  },
  {
    path: 'citizenAuth.jwksUrl',
    kind: { type: 'url' },
    env: 'BARID_OIDC_JWKS_URL',
    unset: 'absent',
  },
  {
    path: 'citizenAuth.identifierClaim',
    kind: TEXT,
    env: 'BARID_OIDC_CLAIM',
    unset: { value: 'barid_identifier' },
  },
  { path: 'devIdentityProvider', kind: BOOL, env: 'BARID_DEV_IDP', unset: { value: false } },
  {
    path: 'autoProvisionMailboxes',
    kind: BOOL,
    env: 'BARID_AUTO_PROVISION',
    unset: { value: false },
  },
  { path: 'signatureWindowSeconds', kind: int(1, 3600), unset: { value: 60 } },
  // Spec 11.3: the optional features the node advertises; fewer holds one back in a rollout.
  {
    path: 'features',
    kind: { type: 'enumList', values: FEATURES },
    env: 'BARID_FEATURES',
    unset: { value: [...FEATURES] },
  },
  { path: 'delivery.concurrencyPerPeer', kind: int(1, 1000), unset: { value: 4 } },
  // The protocol's bound on one federation transaction.
  { path: 'delivery.batchSize', kind: int(1, 100), unset: { value: 100 } },
  { path: 'delivery.baseBackoffMs', kind: int(1, TIMER_MAX), unset: { value: 1000 } },
  { path: 'delivery.maxBackoffMs', kind: int(1, TIMER_MAX), unset: { value: 5 * 60_000 } },
  { path: 'delivery.requestTimeoutMs', kind: int(1, TIMER_MAX), unset: { value: 30_000 } },
  {
    path: 'delivery.maxDeliveryMs',
    kind: int(1, 3650 * DAY_MS),
    unset: { value: 7 * DAY_MS },
  },
  { path: 'delivery.expiryGraceMs', kind: int(0, 7 * DAY_MS), unset: { value: 5 * 60_000 } },
  { path: 'delivery.idlePollMs', kind: int(1, TIMER_MAX), unset: { value: 5000 } },
  // A node's own limits, at most the protocol's (spec 15.1, 5.9, 06).
  {
    path: 'limits.maxLetterBytes',
    kind: int(1, MAX_LETTER_BYTES),
    unset: { value: 1024 * 1024 },
  },
  {
    path: 'limits.maxAttachmentBytes',
    kind: int(1, MAX_ATTACHMENT_BYTES),
    unset: { value: 2 * 1024 ** 3 },
  },
  { path: 'limits.maxBatchLetters', kind: int(1, 1_000_000), unset: { value: 10_000 } },
  { path: 'limits.maxRequestBytes', kind: int(1, 2 ** 40), unset: { value: 64 * 1024 * 1024 } },
  { path: 'limits.lookupsPerMinute', kind: int(1, 1_000_000), unset: { value: 600 } },
  {
    path: 'logLevel',
    kind: { type: 'enum', values: ['debug', 'info', 'warn', 'error', 'silent'] },
    env: 'BARID_LOG_LEVEL',
    unset: { value: 'info' },
  },
  { path: 'housekeepingIntervalMs', kind: int(1000, TIMER_MAX), unset: { value: 3600_000 } },
  {
    path: 'testControlSecret',
    kind: {
      type: 'text',
      minLength: MIN_TEST_CONTROL_SECRET_LENGTH,
      what: `a string of at least ${MIN_TEST_CONTROL_SECRET_LENGTH} characters`,
    },
    nullable: true,
    env: 'BARID_TEST_CONTROL_SECRET',
    unset: { value: null },
  },
  // Spec 16.5: a record is in a checkpoint at most this long after it is stored.
  { path: 'registered.batchIntervalMs', kind: int(1, 1000), unset: { value: 1000 } },
  // Spec 16.5: at most 1,000 records a batch.
  { path: 'registered.logMaxBatch', kind: int(1, 1000), unset: { value: 1000 } },
  {
    path: 'registered.checkpointRefreshMs',
    kind: int(1, TIMER_MAX),
    unset: { value: 5 * 60_000 },
  },
  { path: 'registered.witnessIntervalMs', kind: int(1, TIMER_MAX), unset: { value: 60_000 } },
  { path: 'registered.maxLogBacklog', kind: int(1, 100_000_000), unset: { value: 10_000 } },
  {
    path: 'registered.printDir',
    kind: PATH,
    unset: {
      derive: (c) => under(c, 'print-queue'),
      doc: '`<dataDir>/print-queue`',
    },
  },
  { path: 'registered.printRetryMs', kind: int(1, TIMER_MAX), unset: { value: 60_000 } },
  ...(['maxBodyBytes', 'maxParagraphUnits', 'maxPages'] as const).map(
    (k): Setting => ({
      path: `registered.printLimits.${k}`,
      kind: int(...PRINT_LIMIT_RANGES[k]),
      unset: { value: PRINT_LIMITS[k] },
    }),
  ),
  {
    path: 'registered.notifications.webhookUrl',
    kind: { type: 'url' },
    nullable: true,
    unset: { value: null },
  },
  {
    path: 'registered.notifications.webhookSecret',
    kind: TEXT,
    nullable: true,
    unset: { value: null },
  },
  {
    path: 'registered.notifications.retryScheduleMs',
    kind: { type: 'intList', min: 1, max: TIMER_MAX, maxItems: 100 },
    unset: { value: [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 12 * 3600_000] },
  },
  {
    path: 'registered.notifications.timeoutMs',
    kind: int(1, TIMER_MAX),
    unset: { value: 10_000 },
  },
]

/** Leaf paths of a config object: `port`, `delivery.batchSize`, ... */
type Leaves<T> = {
  [K in keyof T & string]: T[K] extends readonly unknown[] | string | number | boolean | null
    ? K
    : NonNullable<T[K]> extends object
      ? `${K}.${Leaves<NonNullable<T[K]>>}`
      : K
}[keyof T & string]

/** A setting's path in `NodeConfig` (every leaf but the profile). */
export type SettingPath = Leaves<Omit<NodeConfig, 'profile'>>

/** What a value of `kind` must be, in words (for refusals and the README's table). */
export function describeKind(kind: SettingKind): string {
  switch (kind.type) {
    case 'int':
      return `an integer in [${kind.min}, ${kind.max}]`
    case 'bool':
      return 'true or false'
    case 'enum':
      return `one of ${kind.values.join(', ')}`
    case 'enumList':
      return `a list of distinct words from ${kind.values.join(', ')}`
    case 'text':
      return kind.what ?? 'a non-empty string'
    case 'path':
      return 'a non-empty path'
    case 'pathList':
      return 'a list of non-empty paths'
    case 'url':
      return kind.base
        ? 'an http(s) URL with a host and no credentials, query, fragment or port 0'
        : 'an http(s) URL with a host and no credentials, fragment or port 0'
    case 'intList':
      return `a list of at most ${kind.maxItems} integers in [${kind.min}, ${kind.max}]`
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max

function isUrl(v: unknown, base: boolean): boolean {
  // The URL parser trims and encodes what it is given: only text it keeps as is is a URL here.
  if (!isText(v) || /[\s\u0000-\u001f\u007f]/.test(v)) return false
  let u: URL
  try {
    u = new URL(v)
  } catch {
    return false
  }
  return (
    (u.protocol === 'http:' || u.protocol === 'https:') &&
    u.hostname !== '' &&
    u.username === '' &&
    u.password === '' &&
    (!base || (u.search === '' && !v.includes('?'))) &&
    u.hash === '' &&
    !v.includes('#') &&
    u.port !== '0'
  )
}

/** Whether `v` is a value of `kind` (as a config holds it). */
export function isOfKind(kind: SettingKind, v: unknown): boolean {
  switch (kind.type) {
    case 'int':
      return isInt(v, kind.min, kind.max)
    case 'bool':
      return typeof v === 'boolean'
    case 'enum':
      return typeof v === 'string' && kind.values.includes(v)
    case 'enumList':
      return (
        Array.isArray(v) &&
        v.every((w) => typeof w === 'string' && kind.values.includes(w)) &&
        new Set(v).size === v.length
      )
    case 'text':
      return (
        isText(v) &&
        (!kind.pattern || kind.pattern.test(v)) &&
        v.length >= (kind.minLength ?? 1)
      )
    case 'path':
      return isText(v) && !v.includes('\0')
    case 'pathList':
      return Array.isArray(v) && v.length <= 100 && v.every((p) => isText(p) && !p.includes('\0'))
    case 'url':
      return isUrl(v, kind.base === true)
    case 'intList':
      return (
        Array.isArray(v) &&
        v.length <= kind.maxItems &&
        v.every((n) => isInt(n, kind.min, kind.max))
      )
  }
}

/**
 * An environment variable's text as the JSON value it stands for, or `undefined` when it cannot
 * stand for one (the caller then refuses it).
 */
export function fromEnvText(kind: SettingKind, text: string): unknown {
  const list = () =>
    text
      .split(',')
      .map((w) => w.trim())
      .filter((w) => w !== '')
  switch (kind.type) {
    case 'int':
      return /^\d{1,16}$/.test(text) ? Number(text) : undefined
    case 'bool':
      return /^(true|1)$/.test(text) ? true : /^(false|0)$/.test(text) ? false : undefined
    case 'enumList':
      return list()
    case 'pathList':
      return list()
    case 'intList':
      return list().map((w) => (/^\d{1,16}$/.test(w) ? Number(w) : Number.NaN))
    default:
      return text
  }
}

/** One setting in words: what it takes and its value when unset (Markdown code in backticks). */
function settingRows(): { path: string; env?: string; takes: string; unset: string }[] {
  const shown = (v: unknown): string =>
    v === null ? '`null` (off)' : `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``
  return SETTINGS.map((s) => ({
    path: s.path,
    ...(s.env ? { env: s.env } : {}),
    takes: `${describeKind(s.kind)}${s.nullable ? ', or `null`' : ''}`,
    unset: s.unset === 'absent' ? 'unset' : 'value' in s.unset ? shown(s.unset.value) : s.unset.doc,
  }))
}

/**
 * The settings as a Markdown table (the node README holds it; `settings.test.ts` checks that it
 * is this table; print it with `npx tsx scripts/settings-table.ts`).
 *
 * @example
 * ```ts
 * console.log(settingsTable())
 * ```
 */
export function settingsTable(): string {
  const rows = settingRows().map(
    (r) => `| \`${r.path}\` | ${r.env ? `\`${r.env}\`` : ''} | ${r.takes} | ${r.unset} |`,
  )
  return ['| Setting | Variable | Takes | Default |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  )
}

/**
 * The settings as plain text for `--help`: per setting, its config path and environment
 * variable on one line, what it takes and its default on the next (the same rows as
 * {@link settingsTable}).
 *
 * @example
 * ```ts
 * process.stdout.write(`${settingsHelp()}\n`)
 * ```
 */
export function settingsHelp(): string {
  const plain = (s: string) => s.replaceAll('`', '')
  return settingRows()
    .map(
      (r) =>
        `  ${r.path}${r.env ? ` (${r.env})` : ''}\n      ${plain(r.takes)}; default: ${plain(r.unset)}`,
    )
    .join('\n')
}
