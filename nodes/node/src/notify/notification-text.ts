/**
 * @module notify/notification-text
 * What the reference e-mail and SMS channels tell a mailbox holder (spec 17.7), in the letter's
 * language when the recipient operator serves it, else in the operator's first language: Arabic
 * for Egypt Post, Danish for Digital Post, else English. Each
 * language has whole sentences with a slot for each value, never fragments glued together, so
 * word order and agreement stay the language's own; every value from outside (the sender, the
 * title, the date) is a Unicode isolate (UAX #9 FSI … PDI), so a Latin title ending in `!` or an
 * address with digits keeps its order inside an Arabic sentence, and an Arabic title inside a
 * Danish one. Only what the notification carries is used: never letter content.
 */
import type { Notification } from './channel.js'

/** Languages the reference notification texts are written in. */
export type NotificationLanguage = 'ar' | 'da' | 'en'

type Kind = 'letter' | 'registered' | 'proof-of-receipt' | 'service-of-process'

interface Texts {
  /** The e-mail subject: a new letter, or a new registered letter, from `s`. */
  subject: Record<'letter' | 'registered', (s: string) => string>
  /** The first sentence: what arrived, from `s`. */
  arrived: Record<Kind, (s: string) => string>
  title: (t: string) => string
  replyBy: (d: string) => string
  read: string
}

const TEXTS: Record<NotificationLanguage, Texts> = {
  en: {
    subject: {
      letter: (s) => `New letter from ${s}`,
      registered: (s) => `New registered letter from ${s}`,
    },
    arrived: {
      letter: (s) => `You have a new letter from ${s}.`,
      registered: (s) => `You have a new registered letter from ${s}.`,
      'proof-of-receipt': (s) =>
        `You have a new registered letter with proof of receipt from ${s}.`,
      'service-of-process': (s) =>
        `You have a new registered letter from ${s} (service of process).`,
    },
    title: (t) => `Title: ${t}`,
    replyBy: (d) => `Reply by: ${d}`,
    read: 'Read it in your digital mailbox:',
  },
  da: {
    subject: {
      letter: (s) => `Nyt brev fra ${s}`,
      registered: (s) => `Nyt rekommanderet brev fra ${s}`,
    },
    arrived: {
      letter: (s) => `Du har fået et nyt brev fra ${s}.`,
      registered: (s) => `Du har fået et nyt rekommanderet brev fra ${s}.`,
      'proof-of-receipt': (s) =>
        `Du har fået et nyt rekommanderet brev med modtagelsesbevis fra ${s}.`,
      'service-of-process': (s) =>
        `Du har fået et nyt rekommanderet brev fra ${s} (forkyndelse).`,
    },
    title: (t) => `Titel: ${t}`,
    replyBy: (d) => `Svarfrist: ${d}`,
    read: 'Læs det i din digitale postkasse:',
  },
  ar: {
    subject: {
      letter: (s) => `رسالة جديدة من ${s}`,
      registered: (s) => `رسالة مسجلة جديدة من ${s}`,
    },
    arrived: {
      letter: (s) => `وصلتك رسالة جديدة من ${s}.`,
      registered: (s) => `وصلتك رسالة مسجلة جديدة من ${s}.`,
      'proof-of-receipt': (s) => `وصلتك رسالة مسجلة جديدة بعلم الوصول من ${s}.`,
      'service-of-process': (s) => `وصلك إعلان قضائي جديد برسالة مسجلة من ${s}.`,
    },
    title: (t) => `عنوان الرسالة: ${t}`,
    replyBy: (d) => `آخر موعد للرد: ${d}`,
    read: 'اقرأها في صندوق بريدك الرقمي:',
  },
}

const primary = (tag: string): string => tag.split('-')[0]!.toLowerCase()

const written = (lang: string): lang is NotificationLanguage =>
  lang === 'ar' || lang === 'da' || lang === 'en'

/**
 * The language of a notification (spec 17.7): the letter's (its header's `lang`, by its primary
 * subtag) when the recipient operator serves it (`languages`, its profile's, first preferred),
 * else the operator's first language; of those, the first these texts are written in, English
 * when none is. A letter with no known language (`lang` absent or null) gets the operator's.
 *
 * @example
 * ```ts
 * notificationLanguage(['ar', 'en']) // 'ar'
 * notificationLanguage(['ar', 'en'], 'en-GB') // 'en'
 * notificationLanguage(['da', 'en'], 'ar') // 'da': an Arabic letter to a resident of Denmark
 * notificationLanguage(['de']) // 'en'
 * ```
 */
export function notificationLanguage(
  languages: readonly string[],
  lang?: string | null,
): NotificationLanguage {
  const served = languages.map(primary)
  const letter = lang ? primary(lang) : undefined
  if (letter !== undefined && written(letter) && served.includes(letter)) return letter
  return served.find(written) ?? 'en'
}

/** A value from outside, isolated from the sentence around it (UAX #9 FSI … PDI). */
const isolate = (s: string): string => `\u2068${s}\u2069`

/** A day in the operator's time zone, `YYYY-MM-DD` (as on the paper cover, spec 17.6). */
const day = (ms: number, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone }).format(ms)

/** The text of a notification, as an e-mail (subject and lines) or one short message. */
export interface NotificationText {
  lang: NotificationLanguage
  subject: string
  /** The lines of the message: what arrived, the title and reply-by date if any, the link. */
  lines: string[]
}

/**
 * The notification in its language ({@link notificationLanguage}), with the reply-by date in the
 * operator's time zone.
 *
 * @example
 * ```ts
 * const t = notificationText(n) // n.languages ['da', 'en']
 * t.subject // 'Nyt rekommanderet brev fra ⁨skat@digitalpost.dk⁩'
 * ```
 */
export function notificationText(n: Notification): NotificationText {
  const lang = notificationLanguage(n.languages, n.lang)
  const t = TEXTS[lang]
  // The name the operator registered for the sender, else its address (spec 17.7).
  const sender = isolate(n.senderName ?? n.sender)
  const kind: Kind =
    n.category === null ? 'letter' : n.category in t.arrived ? (n.category as Kind) : 'registered'
  const lines = [t.arrived[kind](sender)]
  if (n.title !== null) lines.push(t.title(isolate(n.title)))
  if (n.replyBy !== null) lines.push(t.replyBy(isolate(day(n.replyBy, n.timeZone))))
  lines.push(`${t.read} ${n.link}`)
  return {
    lang,
    subject: t.subject[n.category === null ? 'letter' : 'registered'](sender),
    lines,
  }
}
