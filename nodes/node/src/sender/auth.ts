/**
 * @module sender/auth
 * Sender authentication middleware: `Authorization: Bearer barid_sk_…`. Sets `sender` and the
 * sender organisation's `mailbox`. Every failure looks the same to the caller. A key with an end
 * (a rotation's grace period) says when on every answer, `Api-Key-Expires` (spec 12.1).
 */
import type { MiddlewareHandler } from 'hono'
import { BaridError } from '../core.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import { apiKeyLive, apiKeyMatches, parseApiKey } from './api-keys.js'

/** The answer header that gives the end of the API key a request used (spec 12.1). */
export const API_KEY_EXPIRES_HEADER = 'Api-Key-Expires'

/**
 * @example
 * ```ts
 * app.use('/v1/sender/*', senderAuth(svc))
 * ```
 */
export function senderAuth(svc: NodeServices): MiddlewareHandler<NodeEnv> {
  return async function authenticateSender(c, next) {
    const h = c.req.header('authorization') ?? ''
    const presented = h.startsWith('Bearer ') ? parseApiKey(h.slice(7).trim()) : undefined
    const found = presented && (await svc.storage.getSenderApiKey(presented.keyId))
    // A key past its end (rotated away, revoked) fails like an unknown one (spec 12.1).
    if (
      !presented ||
      !found ||
      !apiKeyMatches(presented.secret, found.key.hash) ||
      !apiKeyLive(found.key.expiresAt, svc.now())
    ) {
      throw new BaridError('ERR_UNAUTHENTICATED', 'a valid sender API key is required')
    }
    const { sender } = found
    const mailbox = await svc.storage.getMailboxById(sender.mailboxId)
    if (!mailbox || mailbox.status === 'closed')
      throw new BaridError('ERR_FORBIDDEN', 'the sender organisation is closed')
    c.set('sender', sender)
    c.set('mailbox', mailbox)
    c.set('log', c.get('log').child({ sender: sender.id }))
    await next()
    // Set after the handler, so that its refusals carry it too: the organisation's systems
    // learn of the end whatever they asked, in time to move to the new key.
    const ends = found.key.expiresAt
    if (ends !== null) c.header(API_KEY_EXPIRES_HEADER, new Date(ends).toISOString())
  }
}
