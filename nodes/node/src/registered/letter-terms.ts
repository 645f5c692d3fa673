/**
 * @module registered/letter-terms
 * The delivery terms of a letter (spec 05, 5.3; spec 17.1-17.2): registered-mail category,
 * delayed visibility, notification title and reply-by date, as the node keeps and applies them.
 */
import type { LetterHeaderView } from '../letters/letter-port.js'
import type { LetterTerms } from '../storage/registered-types.js'
import type { Storage } from '../storage/storage.js'

/** The terms a verified header carries, or undefined when it carries none. */
export function termsOf(h: LetterHeaderView): LetterTerms | undefined {
  const t = h.terms
  if (!t || (h.kind !== 'registered' && !t.visibleFrom && !t.title && !t.replyBy)) return undefined
  return {
    letterId: h.id,
    category: h.kind === 'registered' ? (t.category ?? 'registered') : null,
    visibleFrom: t.visibleFrom ?? null,
    title: t.title ?? null,
    replyBy: t.replyBy ?? null,
  }
}

/**
 * Keeps a letter's terms before the letter itself is written: the terms row is keyed by letter
 * id and never changed, so a write that fails after it leaves nothing wrong behind.
 *
 * @example
 * ```ts
 * await keepTerms(svc.storage, inspected.header)
 * ```
 */
export async function keepTerms(storage: Storage, h: LetterHeaderView): Promise<void> {
  const t = termsOf(h)
  if (t) await storage.putLetterTerms(t)
}

/** True when the letter may be shown at `now` (spec 17.2: not before `nbf`). */
export function isVisible(t: LetterTerms | undefined, now: number): boolean {
  return t?.visibleFrom == null || t.visibleFrom <= now
}

/**
 * The subset of `letterIds` not yet visible at `now`.
 *
 * @example
 * ```ts
 * const hidden = await hiddenLetters(svc.storage, entries.map((e) => e.letter.id), svc.now())
 * ```
 */
export async function hiddenLetters(
  storage: Storage,
  letterIds: readonly string[],
  now: number,
): Promise<Set<string>> {
  const terms = await storage.getLetterTerms(letterIds)
  const out = new Set<string>()
  for (const [id, t] of terms) if (!isVisible(t, now)) out.add(id)
  return out
}
