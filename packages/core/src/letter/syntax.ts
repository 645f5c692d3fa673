/**
 * @module letter/syntax
 * Syntax checks for the letter's text fields. Each returns a reason when the value is not
 * acceptable, so the same rule serves the sealer (`ERR_INVALID_ARGUMENT`) and the reader
 * (`ERR_LETTER_MALFORMED`). Limits on free text (file names, subjects) count Unicode code
 * points; the other fields are ASCII.
 */
import {
  MAX_ATTACHMENT_ID_LENGTH,
  MAX_FILENAME_LENGTH,
  MAX_LANG_LENGTH,
  MAX_MEDIA_TYPE_LENGTH,
  MAX_SUBJECT_LENGTH,
  MAX_TITLE_LENGTH,
} from './limits.js'

// RFC 6838 section 4.2 restricted names, with optional RFC 2045 parameters (token or quoted value).
const TOKEN = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}'
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(?:\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*"))*$`,
)
// BCP 47 (RFC 5646) at the level of its subtag syntax; registry membership is not checked.
const LANG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/
const ATTACHMENT_ID = /^[A-Za-z0-9._-]+$/
// C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

export function mediaTypeProblem(v: string): string | undefined {
  if (v.length === 0 || v.length > MAX_MEDIA_TYPE_LENGTH)
    return `must have 1 to ${MAX_MEDIA_TYPE_LENGTH} characters`
  return MEDIA_TYPE.test(v)
    ? undefined
    : 'must be a media type (RFC 6838), e.g. text/plain; charset=utf-8'
}

export function langProblem(v: string): string | undefined {
  if (v.length > MAX_LANG_LENGTH) return `must have at most ${MAX_LANG_LENGTH} characters`
  return LANG.test(v) ? undefined : 'must be a BCP 47 language tag, e.g. ar, da, en'
}

export function attachmentIdProblem(v: string): string | undefined {
  if (v.length === 0 || v.length > MAX_ATTACHMENT_ID_LENGTH)
    return `must have 1 to ${MAX_ATTACHMENT_ID_LENGTH} characters`
  return ATTACHMENT_ID.test(v) ? undefined : 'must use only A-Z a-z 0-9 . _ -'
}

/** Length in Unicode code points, the unit of the spec's text limits for free text. */
export function codePoints(v: string): number {
  let n = 0
  for (const _ of v) n++
  return n
}

export function filenameProblem(v: string): string | undefined {
  const n = codePoints(v)
  if (n === 0 || n > MAX_FILENAME_LENGTH) return `must have 1 to ${MAX_FILENAME_LENGTH} characters`
  if (CONTROL.test(v)) return 'must not contain control characters'
  if (/[/\\]/.test(v) || v === '.' || v === '..') return 'must be a bare file name, without a path'
  return undefined
}

export function subjectProblem(v: string): string | undefined {
  const n = codePoints(v)
  if (n === 0 || n > MAX_SUBJECT_LENGTH) return `must have 1 to ${MAX_SUBJECT_LENGTH} characters`
  return CONTROL.test(v) ? 'must not contain control characters' : undefined
}

export function titleProblem(v: string): string | undefined {
  const n = codePoints(v)
  if (n === 0 || n > MAX_TITLE_LENGTH) return `must have 1 to ${MAX_TITLE_LENGTH} characters`
  return CONTROL.test(v) ? 'must not contain control characters' : undefined
}
