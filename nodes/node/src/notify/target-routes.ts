/**
 * @module notify/target-routes
 * A mailbox holder's notification targets (spec 17.7): which channels to notify on, with the
 * contact on each. Only the channels this node has can be chosen; a contact is passed to the
 * channel (the operator's gateway), never fetched by the node.
 */
import { Hono } from 'hono'
import { BaridError } from '../core.js'
import { readJson } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'

const CONTACT = /^[^\s\u0000-\u001f]{3,254}$/

/**
 * Mounted under a path whose middleware has set `mailbox`.
 *
 * @example
 * ```ts
 * citizen.route('/notifications', targetRoutes(svc))
 * ```
 */
export function targetRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const view = (t: { id: number; channel: string; address: string | null }) => ({
    id: t.id,
    channel: t.channel,
    contact: t.address,
  })

  app.get('/', async (c) => {
    const list = await svc.storage.listNotificationTargets(c.get('mailbox').id)
    return c.json({ channels: [...svc.registered.channels.keys()], targets: list.map(view) })
  })

  app.post('/', async (c) => {
    const b = await readJson(c, 2048)
    const channel = b.channel
    if (typeof channel !== 'string' || !svc.registered.channels.has(channel))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'channel must be one this node offers')
    const contact = b.contact ?? null
    if (contact !== null && (typeof contact !== 'string' || !CONTACT.test(contact)))
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        'contact must be 3 to 254 characters without spaces',
      )
    if ((channel === 'email' || channel === 'sms') && contact === null)
      throw new BaridError('ERR_INVALID_ARGUMENT', `a ${channel} target needs a contact`)
    const mb = c.get('mailbox')
    if ((await svc.storage.listNotificationTargets(mb.id)).length >= 8)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'at most 8 notification targets')
    const t = await svc.storage.addNotificationTarget({
      mailboxId: mb.id,
      channel,
      address: contact as string | null,
      createdAt: svc.now(),
    })
    return c.json(view(t), 201)
  })

  app.delete('/:id', async (c) => {
    const id = Number(c.req.param('id'))
    if (
      !Number.isSafeInteger(id) ||
      !(await svc.storage.removeNotificationTarget(c.get('mailbox').id, id))
    )
      throw new BaridError('ERR_NOT_FOUND', 'no such notification target')
    return c.body(null, 204)
  })

  return app
}
