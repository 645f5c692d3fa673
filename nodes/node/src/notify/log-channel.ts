/**
 * @module notify/log-channel
 * The log channel (spec 17.7): writes one log line per notification. It names the letter and the
 * notification, never the mailbox or the contact (spec 15.4: no participant identifiers in logs).
 * Useful in development and as an audit trail beside a real channel.
 */
import type { Logger } from '../ops/logger.js'
import type { NotificationChannel } from './channel.js'

/** @example `const log = logChannel(svc.log)` */
export function logChannel(log: Pick<Logger, 'info'>): NotificationChannel {
  return {
    name: 'log',
    async send(n) {
      log.info('notification', {
        notification: n.id,
        letterId: n.letterId,
        category: n.category,
        titled: n.title !== null,
      })
    },
  }
}
