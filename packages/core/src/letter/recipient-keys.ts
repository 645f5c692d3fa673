/**
 * @module letter/recipient-keys
 * Which of a mailbox's keys a sender encrypts a letter to (spec 13.4, 5.9): the newest
 * encryption keys, at most {@link MAX_KEYS_PER_RECIPIENT}. "Newest" is the order of the
 * directory answer, newest registration first, which every node lists and relays unchanged;
 * certificate times cannot stand in for it (their one-second resolution and backdating make
 * keys registered close together tie).
 */
import { MAX_KEYS_PER_RECIPIENT } from './limits.js'

/**
 * The keys a letter to a mailbox is encrypted to, from its keys as a directory lookup lists
 * them (newest registration first): its first `enc` keys, at most
 * {@link MAX_KEYS_PER_RECIPIENT}, in that order. Signing keys are skipped.
 *
 * @example
 * ```ts
 * const to = recipientKeys(lookup.keys) // the four newest encryption keys
 * ```
 */
export function recipientKeys<K extends { readonly use: string }>(keys: readonly K[]): K[] {
  const out: K[] = []
  for (const k of keys) {
    if (out.length === MAX_KEYS_PER_RECIPIENT) break
    if (k.use === 'enc') out.push(k)
  }
  return out
}
