/**
 * @module notify/webhook-channel
 * The webhook channel (spec 17.7): each notification is POSTed as JSON to the operator's own
 * notification gateway, a URL from the node's configuration (never one a user supplies: the node
 * fetches no URL outside its configuration and trust list, spec 10.5). With a secret, the body is
 * authenticated by `Barid-Signature: sha256=<hex HMAC-SHA256 of the body>`. The body names the
 * language the gateway is to write the notification in (`lang`). Any answer other
 * than 2xx, or none in time, fails the attempt.
 */
import { createHmac } from 'node:crypto'
import { BaridError } from '../core.js'
import type { NotificationChannel } from './channel.js'
import { notificationLanguage } from './notification-text.js'

export interface WebhookOptions {
  url: string
  secret: string | null
  timeoutMs: number
  fetch: typeof fetch
}

/**
 * @example
 * ```ts
 * const hook = webhookChannel({ url: 'https://notify.post.eg/barid', secret, timeoutMs: 10_000, fetch })
 * ```
 */
export function webhookChannel(o: WebhookOptions): NotificationChannel {
  return {
    name: 'webhook',
    async send(n) {
      const body = JSON.stringify({
        id: n.id,
        channel: n.channel,
        contact: n.contact,
        mailbox: n.mailbox,
        letterId: n.letterId,
        sender: n.sender,
        senderName: n.senderName ?? null,
        title: n.title,
        category: n.category,
        receivedAt: new Date(n.receivedAt).toISOString(),
        replyBy: n.replyBy === null ? null : new Date(n.replyBy).toISOString(),
        link: n.link,
        // The gateway writes the text: in the language the node's own channels would.
        lang: notificationLanguage(n.languages, n.lang),
      })
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (o.secret)
        headers['barid-signature'] =
          `sha256=${createHmac('sha256', o.secret).update(body).digest('hex')}`
      const res = await o.fetch(o.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(o.timeoutMs),
      })
      await res.body?.cancel()
      if (!res.ok) throw new BaridError('ERR_NOTIFICATION_FAILED', `webhook answered ${res.status}`)
    },
  }
}
