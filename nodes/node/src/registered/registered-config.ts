/**
 * @module registered/registered-config
 * Settings of registered mail, the transparency log, the paper channel and notifications (spec
 * 16, 17). Two parts: the node's `registered` config (intervals, bounds, where print files go,
 * the notification gateway) and the operator profile's `registered` rules (retrieval periods by
 * category, which national law sets) and `sustainability` factors (spec 17.8).
 */
import { join } from 'node:path'
import { BaridError } from '../core.js'
import { ObjectReader } from '../config/validate.js'
import { PRINT_LIMIT_RANGES, PRINT_LIMITS, type PrintLimits } from '../paper/print-limits.js'
import type { RegisteredCategory } from '../storage/registered-types.js'

export interface NotificationConfig {
  /**
   * The operator's notification gateway: each notification is POSTed there as JSON (spec 17.7).
   * Null: the webhook channel is off.
   */
  webhookUrl: string | null
  /** HMAC-SHA256 key for the `Barid-Signature` header of webhook calls; null: unsigned. */
  webhookSecret: string | null
  /** Delays before attempts 2, 3, ... of one notification; after the last, it has failed. */
  retryScheduleMs: number[]
  /** Timeout of one channel call. */
  timeoutMs: number
}

export interface RegisteredConfig {
  /**
   * Interval of the background runner. It is the log's batch interval (spec 16.5): a record is
   * in a signed checkpoint at most this long after it is stored, plus the commits ahead of it.
   */
  batchIntervalMs: number
  /** Records per log batch (spec 16.5: at most 1,000). */
  logMaxBatch: number
  /** A fresh checkpoint of an unchanged log after this long (spec 16.5 rule 3). */
  checkpointRefreshMs: number
  /** How often each peer's log is witnessed (spec 16.6: 60 s). */
  witnessIntervalMs: number
  /** Evidence records waiting for the log beyond which new work is refused (spec 16.5 rule 2). */
  maxLogBacklog: number
  /** Where rendered print files are written (the print queue). */
  printDir: string
  /** Retry delay of a print job that failed for a reason that may pass. */
  printRetryMs: number
  /** Bounds on one letter's print job; a letter beyond them is not printed (spec 17.6). */
  printLimits: PrintLimits
  notifications: NotificationConfig
}

export const DEFAULT_NOTIFICATIONS: NotificationConfig = {
  webhookUrl: null,
  webhookSecret: null,
  retryScheduleMs: [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 12 * 3600_000],
  timeoutMs: 10_000,
}

export type RegisteredConfigInput = Partial<
  Omit<RegisteredConfig, 'notifications' | 'printLimits'>
> & {
  notifications?: Partial<NotificationConfig>
  printLimits?: Partial<PrintLimits>
}

/**
 * Fills defaults.
 *
 * @example
 * ```ts
 * const r = resolveRegisteredConfig({ batchIntervalMs: 100 }, '/var/lib/barid')
 * ```
 */
export function resolveRegisteredConfig(
  input: RegisteredConfigInput | undefined,
  dataDir: string,
): RegisteredConfig {
  const i = input ?? {}
  const r: RegisteredConfig = {
    batchIntervalMs: i.batchIntervalMs ?? 1000,
    logMaxBatch: i.logMaxBatch ?? 1000,
    checkpointRefreshMs: i.checkpointRefreshMs ?? 5 * 60_000,
    witnessIntervalMs: i.witnessIntervalMs ?? 60_000,
    maxLogBacklog: i.maxLogBacklog ?? 10_000,
    printDir: i.printDir ?? join(dataDir, 'print-queue'),
    printRetryMs: i.printRetryMs ?? 60_000,
    printLimits: { ...PRINT_LIMITS, ...i.printLimits },
    notifications: { ...DEFAULT_NOTIFICATIONS, ...i.notifications },
  }
  for (const k of Object.keys(PRINT_LIMIT_RANGES) as (keyof PrintLimits)[]) {
    const [min, max] = PRINT_LIMIT_RANGES[k]
    const v = r.printLimits[k]
    if (!Number.isSafeInteger(v) || v < min || v > max)
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        `config: registered.printLimits.${k} must be an integer in [${min}, ${max}]`,
      )
  }
  const unknown = Object.keys(r.printLimits).filter((k) => !(k in PRINT_LIMIT_RANGES))
  if (unknown.length > 0)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `config: registered.printLimits has unknown field ${unknown[0]}`,
    )
  if (r.logMaxBatch < 1 || r.logMaxBatch > 1000)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'config: registered.logMaxBatch must be in [1, 1000]',
    )
  if (r.batchIntervalMs < 1 || r.batchIntervalMs > 1000)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'config: registered.batchIntervalMs must be in [1, 1000]',
    )
  const url = r.notifications.webhookUrl
  if (url !== null && !/^https?:\/\/[^\s]+$/.test(url))
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'config: registered.notifications.webhookUrl must be an http(s) URL',
    )
  return r
}

/** What happens when a registered letter is not opened in time (spec 17.4). */
export interface RetrievalRule {
  /** Days after the letter became visible in the mailbox. */
  retrievalDays: number
  onDeadline: 'deemed-delivered' | 'expired' | 'none'
}

export type RetrievalRules = Record<RegisteredCategory, RetrievalRule>

/** Reference rules; each operator sets its own under national law (spec 17.4). */
export const DEFAULT_RETRIEVAL_RULES: RetrievalRules = {
  registered: { retrievalDays: 14, onDeadline: 'none' },
  'proof-of-receipt': { retrievalDays: 14, onDeadline: 'expired' },
  'service-of-process': { retrievalDays: 7, onDeadline: 'deemed-delivered' },
}

/** Parses a profile's `registered` object (absent: the defaults). */
export function parseRetrievalRules(r: ObjectReader | undefined): RetrievalRules {
  if (!r) return DEFAULT_RETRIEVAL_RULES
  r.only(Object.keys(DEFAULT_RETRIEVAL_RULES))
  const out = { ...DEFAULT_RETRIEVAL_RULES }
  for (const k of Object.keys(DEFAULT_RETRIEVAL_RULES) as RegisteredCategory[]) {
    const c = r.optObj(k)?.only(['retrievalDays', 'onDeadline'])
    if (!c) continue
    const onDeadline = c.str('onDeadline', /^(deemed-delivered|expired|none)$/)
    out[k] = {
      retrievalDays: c.int('retrievalDays', 1, 3650),
      onDeadline: onDeadline as RetrievalRule['onDeadline'],
    }
  }
  return out
}

/**
 * Factors of the sustainability report (spec 17.8). Every value is configurable in the profile;
 * the spec gives the source of each default and says which are estimates.
 */
export interface SustainabilityFactors {
  /** Mass of one printed sheet, grams (A4 at 80 g/m²: 4.99 g). */
  sheetGrams: number
  /** Mass of the envelope of one paper letter, grams (estimate). */
  envelopeGrams: number
  /** Sheets a letter delivered digitally would have needed on paper (estimate). */
  sheetsPerDigitalLetter: number
  /** kg CO2e per kg of paper and envelope produced (estimate; spec 17.8 gives the source to use). */
  paperKgCo2ePerKg: number
  /** kg CO2e of printing one page (estimate). */
  printingKgCo2ePerPage: number
  /** kg CO2e of collecting, sorting and delivering one paper letter (estimate). */
  transportKgCo2ePerLetter: number
  /** kg CO2e of delivering one letter digitally, subtracted (estimate). */
  digitalKgCo2ePerLetter: number
}

export const DEFAULT_SUSTAINABILITY: SustainabilityFactors = {
  sheetGrams: 4.99,
  envelopeGrams: 5,
  sheetsPerDigitalLetter: 2,
  paperKgCo2ePerKg: 0.92,
  printingKgCo2ePerPage: 0.002,
  transportKgCo2ePerLetter: 0.02,
  digitalKgCo2ePerLetter: 0.0003,
}

/** Parses a profile's `sustainability` object (absent fields: the defaults). */
export function parseSustainability(r: ObjectReader | undefined): SustainabilityFactors {
  if (!r) return DEFAULT_SUSTAINABILITY
  const keys = Object.keys(DEFAULT_SUSTAINABILITY) as (keyof SustainabilityFactors)[]
  r.only(['$comment', ...keys])
  const out = { ...DEFAULT_SUSTAINABILITY }
  for (const k of keys) {
    if (!r.has(k)) continue
    const v = r.value[k]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1000)
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        `config: ${r.path}.${k} must be a number in [0, 1000]`,
        { details: { path: `${r.path}.${k}` } },
      )
    out[k] = v
  }
  return out
}
