/**
 * @module federation/routes
 * The federation API (spec 11): discovery, transactions, attachment blobs, directory lookup.
 * Everything under `/v1/federation` requires a valid request signature from an active peer.
 */
import { Hono } from 'hono'
import { createHash } from 'node:crypto'
import { BaridError, MAX_LETTER_BYTES } from '../core.js'
import { lookupLocal, parseLookupQuery } from '../directory/lookup.js'
import { parseJsonObject } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import { isBlobDigest } from '../storage/blob-store.js'
import { selfDescription } from './discovery.js'
import { idempotent, type InFlight } from './idempotent.js'
import { processTransaction } from './inbound.js'
import { parseTransaction } from './transaction-format.js'
import { verifyFederationRequest } from './verify-middleware.js'

const TXID_RE = /^[A-Za-z0-9_-]{8,64}$/

/** Largest transaction body: 100 letters of at most 1 MiB, base64url, with room for the rest. */
function maxTransactionBytes(svc: NodeServices): number {
  return Math.ceil(svc.config.limits.maxLetterBytes * 1.34) * 100 + 4 * 1024 * 1024
}

/**
 * @example
 * ```ts
 * app.route('/', federationRoutes(svc))
 * ```
 */
export function federationRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const inflight: InFlight = new Map()

  app.get('/.well-known/barid', (c) => {
    c.header('Cache-Control', 'public, max-age=300')
    return c.json(selfDescription(svc))
  })

  app.use(
    '/v1/federation/*',
    verifyFederationRequest(svc, {
      maxBytes: maxTransactionBytes(svc),
      streamBody: (path, method) => method === 'PUT' && path.startsWith('/v1/federation/blobs/'),
    }),
  )

  app.put('/v1/federation/transactions/:txid', async (c) => {
    const txid = c.req.param('txid')
    if (!TXID_RE.test(txid))
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        'transaction id must be 8 to 64 base64url characters',
      )
    const peer = c.get('peer')
    const body = c.get('fedBody')
    const requestDigest = createHash('sha256').update(body).digest('hex')
    const r = await idempotent(inflight, {
      key: `${peer.operator} ${txid}`,
      requestDigest,
      conflictCode: 'ERR_FED_TRANSACTION_CONFLICT',
      load: () => svc.storage.getFedTransaction(peer.operator, txid),
      store: (rec) => svc.storage.putFedTransaction(peer.operator, txid, rec, svc.now()),
      run: async () => {
        // Parsed up to the protocol's limit (spec 5.9): a letter above this node's own limit is
        // refused for its entry alone (inbound-verify), not with the whole transaction.
        const tx = parseTransaction(parseJsonObject(body), { maxLetterBytes: MAX_LETTER_BYTES })
        const response = await processTransaction(svc, peer, tx)
        c.get('log').info('transaction processed', {
          peer: peer.operator,
          txid,
          letters: tx.letters.length,
          evidence: tx.evidence.length,
        })
        return { status: 200, body: JSON.stringify(response) }
      },
    })
    if (r.replayed) c.header('Barid-Replayed', 'true')
    return c.body(r.body, r.status as 200, { 'content-type': 'application/json' })
  })

  app.on('HEAD', '/v1/federation/blobs/:digest', async (c) => {
    const digest = c.req.param('digest')
    if (!isBlobDigest(digest))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'blob id must be 64 lower-case hex digits')
    const b = await svc.storage.getBlob(digest)
    if (!b) return c.body(null, 404)
    return c.body(null, 200, { 'content-length': String(b.size) })
  })

  app.put('/v1/federation/blobs/:digest', async (c) => {
    const digest = c.req.param('digest')
    if (!isBlobDigest(digest))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'blob id must be 64 lower-case hex digits')
    const existing = await svc.storage.getBlob(digest)
    if (existing) {
      await c.req.raw.body?.cancel().catch(() => undefined)
      return c.json({ digest, size: existing.size }, 200)
    }
    const len = Number(c.req.header('content-length'))
    if (!Number.isSafeInteger(len) || len < 0)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'Content-Length is required')
    if (len > svc.config.limits.maxAttachmentBytes)
      throw new BaridError('ERR_INPUT_TOO_LARGE', 'attachment is too large', {
        details: { limit: svc.config.limits.maxAttachmentBytes },
      })
    const body = c.req.raw.body
    if (!body) throw new BaridError('ERR_INVALID_ARGUMENT', 'missing body')
    const r = await svc.blobs.put(body, {
      expectedDigest: digest,
      expectedSize: len,
      maxBytes: svc.config.limits.maxAttachmentBytes,
    })
    await svc.storage.putBlob(r.digest, r.size, svc.now())
    return c.json({ digest: r.digest, size: r.size }, 201)
  })

  app.post('/v1/federation/directory/lookup', async (c) => {
    const q = parseLookupQuery(parseJsonObject(c.get('fedBody')))
    c.get('log').info('federation lookup', {
      peer: c.get('peer').operator,
      by: 'identifier' in q ? 'identifier' : 'address',
    })
    return c.json(await lookupLocal(svc, q))
  })

  return app
}
