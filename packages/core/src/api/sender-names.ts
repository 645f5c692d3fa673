/**
 * @module api/sender-names
 * A sender organisation's display names (spec 15.5, 11.4, 13.5): the one name its operator
 * registered, and names per language keyed by BCP 47 tag. The same checks serve the operator's
 * registration and a receiving node reading a peer's transaction, since the names end up in
 * listings, e-mail subjects and on paper: bounded, and free of controls that could break a line
 * or a header.
 */
import { BaridError } from '../errors.js'
import { codePoints, langProblem } from '../letter/syntax.js'

/** Most names per language of one sender. */
export const MAX_SENDER_NAMES = 16

/** Longest display name, in Unicode code points. */
export const MAX_SENDER_NAME_LENGTH = 200

/** A sender's display names: the registered name and names per language (possibly none). */
export interface SenderDisplay {
  name: string
  /** BCP 47 tag to name. */
  names: Record<string, string>
}

// C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators (as letter titles).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function fail(what: string, message: string): never {
  throw new BaridError('ERR_INVALID_ARGUMENT', `${what} ${message}`, { details: { field: what } })
}

/**
 * A display name: 1 to {@link MAX_SENDER_NAME_LENGTH} code points of well-formed Unicode
 * without control characters; else `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * parseSenderName('Skattestyrelsen') // 'Skattestyrelsen'
 * ```
 */
export function parseSenderName(v: unknown, what = 'name'): string {
  if (typeof v !== 'string') fail(what, 'must be a string')
  const n = codePoints(v)
  if (n === 0 || n > MAX_SENDER_NAME_LENGTH)
    fail(what, `must have 1 to ${MAX_SENDER_NAME_LENGTH} characters`)
  if (CONTROL.test(v)) fail(what, 'must not contain control characters')
  if (LONE_SURROGATE.test(v)) fail(what, 'must be well-formed Unicode')
  return v
}

/**
 * Names per language: an object of at most {@link MAX_SENDER_NAMES} members, each keyed by a
 * BCP 47 tag (no two equal but for case) with a name as {@link parseSenderName}.
 *
 * @example
 * ```ts
 * parseSenderNames({ ar: 'مصلحة الضرائب المصرية', en: 'Egyptian Tax Authority' })
 * ```
 */
export function parseSenderNames(v: unknown, what = 'names'): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'must be an object')
  const entries = Object.entries(v)
  if (entries.length > MAX_SENDER_NAMES) fail(what, `must have at most ${MAX_SENDER_NAMES} names`)
  const out: Record<string, string> = {}
  const seen = new Set<string>()
  for (const [tag, name] of entries) {
    const problem = langProblem(tag)
    if (problem !== undefined) fail(`${what}.${tag.slice(0, 40)}`, `key ${problem}`)
    if (seen.has(tag.toLowerCase())) fail(what, `has the tag ${tag} twice`)
    seen.add(tag.toLowerCase())
    out[tag] = parseSenderName(name, `${what}.${tag}`)
  }
  return out
}

/**
 * `{"name", "names"}` as a transaction carries it (spec 11.4); members other than these two are
 * refused.
 *
 * @example
 * ```ts
 * const d = parseSenderDisplay({ name: 'Skattestyrelsen', names: { da: 'Skattestyrelsen' } })
 * ```
 */
export function parseSenderDisplay(v: unknown, what = 'senderDisplay'): SenderDisplay {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'must be an object')
  const o = v as Record<string, unknown>
  for (const k of Object.keys(o))
    if (k !== 'name' && k !== 'names') fail(what, `has unknown member ${k.slice(0, 40)}`)
  return {
    name: parseSenderName(o.name, `${what}.name`),
    names: parseSenderNames(o.names, `${what}.names`),
  }
}
