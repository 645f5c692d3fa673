/**
 * @module notify/channel
 * Notification channels (spec 17.7): how a mailbox holder learns that a letter arrived. A channel
 * is given only what an operator may know (the letter's routing header and its non-sensitive
 * title, never content) and either resolves (handed to the channel) or throws (the attempt
 * failed; the worker retries on its schedule). E-mail and SMS are interfaces an operator binds
 * to its own provider; the reference node ships the webhook and log channels.
 */
import { BaridError } from '../core.js'
import { notificationText } from './notification-text.js'

/** What a channel is asked to deliver. */
export interface Notification {
  /** Stable id of this notification (the same on every retry), for idempotent gateways. */
  id: string
  channel: string
  /** The holder's contact on that channel (e-mail address, phone number), if any. */
  contact: string | null
  /** The mailbox the letter is in. */
  mailbox: string
  letterId: string
  sender: string
  /**
   * The sender's display name in the notification's language order (spec 17.7), when names came
   * with the letter; the text names the sender by its address when absent or null.
   */
  senderName?: string | null
  /** The sender's non-sensitive title (spec 05, 5.3), if any. */
  title: string | null
  category: string | null
  /** Times in ms. */
  receivedAt: number
  replyBy: number | null
  /** Where the holder reads the letter. */
  link: string
  /**
   * The letter's language (its header's `lang`, BCP 47), or null for a letter stored before the
   * node kept it: the text's language when the operator serves it (spec 17.7).
   */
  lang: string | null
  /** The recipient operator's languages, first preferred (its profile's). */
  languages: readonly string[]
  /** The recipient operator's IANA time zone (its profile's), for the dates a holder reads. */
  timeZone: string
}

export interface NotificationChannel {
  readonly name: string
  /** Delivers one notification; throws when this attempt failed. */
  send(n: Notification): Promise<void>
}

/** An operator's e-mail provider. */
export interface EmailTransport {
  send(message: { to: string; subject: string; text: string }): Promise<void>
}

/** An operator's SMS provider. */
export interface SmsTransport {
  send(message: { to: string; text: string }): Promise<void>
}

/** Longest short message, in UTF-16 code units. */
export const SMS_MAX_UNITS = 320

/**
 * One short message of at most {@link SMS_MAX_UNITS} code units: the title shortened (by code
 * points, never inside a surrogate pair) when it does not fit, then the sender's registered name
 * (its address stands in when none of it fits), never the link.
 */
function shortMessage(n: Notification): string {
  const render = (m: Notification) => notificationText(m).lines.join(' ')
  let m = n
  for (const field of ['title', 'senderName'] as const) {
    if (render(m).length <= SMS_MAX_UNITS) break
    m = { ...m, [field]: shortened(m, field, render) }
  }
  return render(m)
}

/** The longest prefix of `m[field]`, with an ellipsis, that lets `m` fit; null if none does. */
function shortened(
  m: Notification,
  field: 'title' | 'senderName',
  render: (m: Notification) => string,
): string | null {
  const value = m[field]
  if (value === null || value === undefined) return null
  const points = [...value]
  const over = render(m).length - SMS_MAX_UNITS
  let keep = points.length
  for (let cut = 0; keep > 0 && cut < over + 1; ) cut += points[--keep]!.length
  if (keep === 0) return null
  const prefix = `${points.slice(0, keep).join('')}\u2026`
  return render({ ...m, [field]: prefix }).length <= SMS_MAX_UNITS ? prefix : null
}

/**
 * An e-mail channel over the operator's transport.
 *
 * @example
 * ```ts
 * const email = emailChannel({ send: async (m) => smtp.sendMail(m) })
 * ```
 */
export function emailChannel(t: EmailTransport): NotificationChannel {
  return {
    name: 'email',
    async send(n) {
      if (!n.contact) throw new BaridError('ERR_NOTIFICATION_FAILED', 'no e-mail address')
      const m = notificationText(n)
      await t.send({ to: n.contact, subject: m.subject, text: `${m.lines.join('\n\n')}\n` })
    },
  }
}

/**
 * An SMS channel over the operator's transport.
 *
 * @example
 * ```ts
 * const sms = smsChannel({ send: async (m) => gateway.post(m) })
 * ```
 */
export function smsChannel(t: SmsTransport): NotificationChannel {
  return {
    name: 'sms',
    async send(n) {
      if (!n.contact) throw new BaridError('ERR_NOTIFICATION_FAILED', 'no phone number')
      await t.send({ to: n.contact, text: shortMessage(n) })
    },
  }
}
