/**
 * @module registered/registered-config
 * Settings of registered mail, the transparency log, the paper channel and notifications (spec
 * 16, 17). Two parts: the node's `registered` config (intervals, bounds, where print files go,
 * the notification gateway; their types, ranges and defaults are in `config/settings.ts`) and
 * the operator profile's `registered` rules (retrieval periods by category, which national law
 * sets) and `sustainability` factors (spec 17.8).
 */
import { BaridError } from '../core.js'
import type { ObjectReader } from '../config/validate.js'
import type { PrintLimits } from '../paper/print-limits.js'
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

export type RegisteredConfigInput = Partial<
  Omit<RegisteredConfig, 'notifications' | 'printLimits'>
> & {
  notifications?: Partial<NotificationConfig>
  printLimits?: Partial<PrintLimits>
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
