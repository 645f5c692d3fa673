/**
 * @module notify/channel
 * Notification channels (spec 17.7): how a mailbox holder learns that a letter arrived. A channel
 * is given only what an operator may know (the letter's routing header and its non-sensitive
 * title, never content) and either resolves (handed to the channel) or throws (the attempt
 * failed; the worker retries on its schedule). E-mail and SMS are interfaces an operator binds
 * to its own provider; the reference node ships the webhook and log channels.
 */
import { BaridError } from '../core.js'

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
  /** The sender's non-sensitive title (spec 05, 5.3), if any. */
  title: string | null
  category: string | null
  /** Times in ms. */
  receivedAt: number
  replyBy: number | null
  /** Where the holder reads the letter. */
  link: string
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

function summary(n: Notification): string {
  const what = n.category ? 'a registered letter' : 'a letter'
  const title = n.title ? `: ${n.title}` : ''
  return `You have ${what} from ${n.sender}${title}`
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
      await t.send({ to: n.contact, subject: summary(n), text: `${summary(n)}.\n\n${n.link}\n` })
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
      await t.send({ to: n.contact, text: `${summary(n)}. ${n.link}`.slice(0, 320) })
    },
  }
}
