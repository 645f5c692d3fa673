/**
 * @module registered/receipt-routes
 * The sender's side of registered mail (spec 17.5): the receipt queue and the evidence bundle.
 * Every evidence record about a letter a sender submitted here (this node's, and those peers
 * returned) is queued for that sender in the order the node stored it, with a sequence number.
 * The sender pulls the receipts after the last one it acknowledged, and acknowledges up to a
 * sequence number: nothing is lost (an unacknowledged receipt is pulled again, after a restart
 * too) and nothing is repeated (an acknowledged one never is).
 */
import { Hono } from 'hono'
import { BaridError, toBase64Url } from '../core.js'
import { exportEvidenceBundle } from '../evidence/evidence-bundle.js'
import { readJson } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'

/**
 * Mounted under `/v1/sender` (after sender authentication).
 *
 * @example
 * ```ts
 * sender.route('/', receiptRoutes(svc))
 * ```
 */
export function receiptRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()

  app.get('/receipts', async (c) => {
    const text = c.req.query('limit')
    const limit = text === undefined ? 100 : Number(text)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'limit must be an integer in [1, 1000]')
    const r = await svc.storage.pullReceipts(c.get('mailbox').address, limit)
    return c.json({
      ackedThrough: r.ackedThrough,
      receipts: r.receipts.map(({ seq, evidence: e }) => ({
        seq,
        evidenceId: e.id,
        letterId: e.letterId,
        type: e.type,
        issuer: e.issuer,
        recipient: e.recipient,
        time: new Date(e.issuedAt).toISOString(),
        record: toBase64Url(e.record),
      })),
    })
  })

  app.post('/receipts/ack', async (c) => {
    const through = (await readJson(c, 1024)).through
    if (typeof through !== 'number' || !Number.isSafeInteger(through))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'through must be a receipt sequence number')
    return c.json(await svc.storage.ackReceipts(c.get('mailbox').address, through))
  })

  app.get('/letters/:id/evidence-bundle', async (c) => {
    const id = c.req.param('id')
    const letter = await svc.storage.getLetter(id)
    if (
      !letter ||
      letter.senderAddress !== c.get('mailbox').address ||
      letter.origin !== svc.directory.self
    )
      throw new BaridError('ERR_NOT_FOUND', 'no such letter')
    const recipient = c.req.query('recipient')
    const bytes = await exportEvidenceBundle(svc, id, recipient)
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/cbor',
      'content-disposition': `attachment; filename="evidence-${id}.cbor"`,
    })
  })

  return app
}
