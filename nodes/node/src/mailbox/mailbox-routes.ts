/**
 * @module mailbox/mailbox-routes
 * The routes every mailbox holder has, citizen or organisation (spec 13.5): list, fetch the
 * sealed letter and its attachments (ciphertext), mark opened, delete. Every query is scoped to
 * the caller's own mailbox, and anything outside it is `ERR_NOT_FOUND`, never `ERR_FORBIDDEN`:
 * a caller cannot learn that another mailbox's letter exists.
 */
import { Hono } from 'hono'
import {
  BaridError,
  toBase64Url,
  type MailboxLetterView,
  type MailboxPageView,
  type OpenedView,
} from '../core.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import { entryView } from './views.js'
import { markOpened } from './open-letter.js'

const LETTER_ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/

function letterIdParam(id: string): string {
  if (!LETTER_ID_RE.test(id)) throw new BaridError('ERR_NOT_FOUND', 'no such letter')
  return id
}

/**
 * Mounted under a path whose middleware has set `mailbox`.
 *
 * @example
 * ```ts
 * citizen.route('/letters', mailboxRoutes(svc))
 * ```
 */
export function mailboxRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()

  app.get('/', async (c) => {
    const limitText = c.req.query('limit')
    const beforeText = c.req.query('before')
    const limit = limitText === undefined ? 50 : Number(limitText)
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'limit must be an integer in [1, 200]')
    const before = beforeText === undefined ? undefined : Number(beforeText)
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 1))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'before must be a cursor')
    const unread = c.req.query('unread')
    if (unread !== undefined && unread !== 'true' && unread !== 'false')
      throw new BaridError('ERR_INVALID_ARGUMENT', 'unread must be true or false')
    const entries = await svc.storage.listMailbox(c.get('mailbox').id, {
      before,
      limit: limit + 1,
      unreadOnly: unread === 'true',
    })
    const page = entries.slice(0, limit)
    return c.json({
      letters: page.map((e) => entryView(e, svc.config.profile.languages)),
      nextCursor: entries.length > limit ? page[page.length - 1]!.cursor : null,
    } satisfies MailboxPageView)
  })

  app.get('/:id', async (c) => {
    const id = letterIdParam(c.req.param('id'))
    const entry =
      (await svc.storage.getMailboxEntry(c.get('mailbox').id, id)) ??
      (mutant('leak-other-letters') ? await svc.storage.getMailboxEntry((await svc.storage.findDeliveries(id))[0]?.mailboxId ?? -1, id) : undefined)
    const bytes = entry && (await svc.storage.getLetterBytes(id))
    if (!entry || !bytes) throw new BaridError('ERR_NOT_FOUND', 'no such letter')
    return c.json({
      ...entryView(entry, svc.config.profile.languages),
      letter: toBase64Url(bytes),
    } satisfies MailboxLetterView)
  })

  app.get('/:id/attachments/:index', async (c) => {
    const id = letterIdParam(c.req.param('id'))
    const index = Number(c.req.param('index'))
    const entry = await svc.storage.getMailboxEntry(c.get('mailbox').id, id)
    const att = entry && Number.isInteger(index) ? entry.letter.attachments[index] : undefined
    if (!att) throw new BaridError('ERR_NOT_FOUND', 'no such attachment')
    const stream = await svc.blobs.open(att.digest)
    return c.body(stream, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(att.size),
      'cache-control': 'private, no-store',
    })
  })

  app.post('/:id/opened', async (c) => {
    const id = letterIdParam(c.req.param('id'))
    const r = await markOpened(svc, c.get('mailbox'), id)
    return c.json({
      letterId: id,
      openedAt: new Date(r.openedAt).toISOString(),
      first: r.first,
    } satisfies OpenedView)
  })

  app.delete('/:id', async (c) => {
    const id = letterIdParam(c.req.param('id'))
    if (!(await svc.storage.deleteEntry(c.get('mailbox').id, id, svc.now())))
      throw new BaridError('ERR_NOT_FOUND', 'no such letter')
    return c.body(null, 204)
  })

  return app
}
