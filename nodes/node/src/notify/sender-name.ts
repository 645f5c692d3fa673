/**
 * @module notify/sender-name
 * The one display name of a letter's sender that a mailbox holder is shown (spec 13.5, 17.6,
 * 17.7): chosen in the same language order as the notification text, so the listing, the
 * notification and the paper cover name the sender alike.
 */
import type { SenderDisplay } from '../core.js'
import { notificationLanguage } from './notification-text.js'

const primary = (tag: string): string => tag.split('-')[0]!.toLowerCase()

/**
 * The sender's name in the first language of the order (the notification's language, then the
 * operator's languages, first preferred) that it has a name in, by primary subtag (a whole tag
 * equal to the wanted one first); else the name its operator registered; null for none.
 *
 * @example
 * ```ts
 * const d = { name: 'Egyptian Tax Authority', names: { ar: 'مصلحة الضرائب المصرية', da: 'Den egyptiske skattemyndighed' } }
 * senderNameFor(d, ['da', 'en'], 'ar') // 'Den egyptiske skattemyndighed'
 * ```
 */
export function senderNameFor(
  d: SenderDisplay | null | undefined,
  languages: readonly string[],
  lang?: string | null,
): string | null {
  if (!d) return null
  const tags = Object.keys(d.names)
  const order = [notificationLanguage(languages, lang), ...languages.map(primary)]
  for (const want of order) {
    const tag =
      tags.find((t) => t.toLowerCase() === want) ?? tags.find((t) => primary(t) === want)
    if (tag !== undefined) return d.names[tag]!
  }
  return d.name
}
