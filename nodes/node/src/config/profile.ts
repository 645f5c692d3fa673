/**
 * @module config/profile
 * An operator profile: what makes one operator's node different from another's (identity,
 * country, languages, time zone, identifier schemes, retention, default port). Profiles live
 * in `nodes/<operator>/profile.json`; the code is the same for every operator.
 */
import { parseOperatorId } from '../core.js'
import { readJsonFile } from './configured-file.js'
import { ObjectReader } from './validate.js'
import {
  parseRetrievalRules,
  parseSustainability,
  type RetrievalRules,
  type SustainabilityFactors,
} from '../registered/registered-config.js'

/** How long the node keeps things (spec 15). */
export interface RetentionPolicy {
  /** Days from its delivery a letter stays in a mailbox; then the node removes it (spec 15.4). */
  mailboxDays: number
  /** Days a letter the citizen deleted is kept before its ciphertext is purged. */
  deletedDays: number
  /**
   * Calendar years (UTC) evidence records are kept from their issue time (proof outlives the
   * letter), after which retention removes them (spec 15.4).
   */
  evidenceYears: number
  /** Days idempotency records (transaction responses, Idempotency-Key) are kept. */
  idempotencyDays: number
}

export interface Profile {
  /** Operator id, e.g. `post.eg`. */
  operator: string
  /** ISO 3166-1 alpha-2 country code. */
  country: string
  /** Display names by language tag (at least `en`). */
  displayName: Record<string, string>
  /** Languages the operator serves, in order of preference. */
  languages: string[]
  /** IANA time zone for human-facing times (notifications, reports). */
  timeZone: string
  /** Identifier schemes this operator answers for, e.g. `dk:cpr`. */
  identifierSchemes: string[]
  retention: RetentionPolicy
  /** Default TCP port. */
  port: number
  /** Retrieval periods of registered mail by category, under national law (spec 17.4). */
  registered: RetrievalRules
  /** Factors of the sustainability report (spec 17.8). */
  sustainability: SustainabilityFactors
}

/**
 * Parses and validates a profile object.
 *
 * @example
 * ```ts
 * const p = parseProfile(JSON.parse(text))
 * console.log(p.displayName.en)
 * ```
 */
export function parseProfile(input: unknown): Profile {
  const r = ObjectReader.of(input, 'profile').only([
    '$comment',
    'operator',
    'country',
    'displayName',
    'languages',
    'timeZone',
    'identifierSchemes',
    'retention',
    'port',
    'registered',
    'sustainability',
  ])
  const operator = parseOperatorId(r.str('operator'))
  const retention = r
    .obj('retention')
    .only(['mailboxDays', 'deletedDays', 'evidenceYears', 'idempotencyDays'])
  const displayName = r.texts('displayName')
  if (displayName.en === undefined) r.str('displayName.en')
  const timeZone = r.str('timeZone')
  try {
    new Intl.DateTimeFormat('en', { timeZone })
  } catch {
    r.str('timeZone', /^$/) // fails with the setting's path
  }
  return {
    operator,
    country: r.str('country', /^[A-Z]{2}$/),
    displayName,
    languages: r.strings('languages', /^[a-z]{2,3}$/),
    timeZone,
    identifierSchemes: r.strings('identifierSchemes', /^([a-z]{2}:[a-z0-9]{1,15}|opaque)$/),
    retention: {
      mailboxDays: retention.int('mailboxDays', 1, 36500),
      deletedDays: retention.int('deletedDays', 0, 3650),
      evidenceYears: retention.int('evidenceYears', 1, 100),
      idempotencyDays: retention.int('idempotencyDays', 1, 365),
    },
    port: r.int('port', 1, 65535),
    registered: parseRetrievalRules(r.optObj('registered')),
    sustainability: parseSustainability(r.optObj('sustainability')),
  }
}

/**
 * Reads a profile from a `profile.json` file, or from a profile folder containing one.
 *
 * @example
 * ```ts
 * const p = await loadProfile('nodes/denmark')
 * ```
 */
export async function loadProfile(path: string): Promise<Profile> {
  const file = path.endsWith('.json') ? path : `${path.replace(/\/$/, '')}/profile.json`
  return parseProfile(await readJsonFile(file, 'profile'))
}
