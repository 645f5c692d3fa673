/**
 * @module trust/routes
 * What the node publishes for the federation, and the admin interface to its trust list:
 *
 * - `GET /.well-known/barid-node`: its key-discovery document (spec 22.1);
 * - `GET /.well-known/barid-revocations/{kid}`: its operator CA's revocation list (spec 21.6.2);
 * - `GET /.well-known/barid-trust-list`: the trust list it holds (spec 20.7);
 * - `GET /v1/admin/trust-list`: the held list's sequence, freshness and operators' states;
 * - `PUT /v1/admin/trust-list`: offers a new list (`application/barid-trust-list+cose`); it is
 *   adopted if it verifies and is newer, refused otherwise (`ERR_TRUST_LIST_ROLLBACK`, ...).
 */
import { Hono } from 'hono'
import { BaridError, DOCUMENT_TYPE, timingSafeEqual } from '../core.js'
import { readBody } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'

/** Largest trust list accepted by the admin API (spec 20: a list is at most 1 MiB). */
const MAX_LIST_BYTES = 1 << 20

const iso = (s: number) => new Date(s * 1000).toISOString()

/**
 * @example
 * ```ts
 * app.route('/', trustRoutes(svc))
 * ```
 */
export function trustRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const binary = (bytes: Uint8Array, type: string, maxAge: number) =>
    new Response(bytes as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: { 'content-type': type, 'cache-control': `public, max-age=${maxAge}` },
    })

  app.get('/.well-known/barid-node', async () =>
    binary(await svc.trust.discoveryDocument(), DOCUMENT_TYPE.discovery, 300),
  )
  app.get('/.well-known/barid-revocations/:kid', async (c) => {
    const bytes = await svc.trust.revocationList(c.req.param('kid'))
    if (!bytes) throw new BaridError('ERR_NOT_FOUND', 'no revocation list for that CA here')
    return binary(bytes, DOCUMENT_TYPE.revocationList, 300)
  })
  app.get('/.well-known/barid-trust-list', () =>
    binary(svc.trust.held.store.list.bytes, DOCUMENT_TYPE.trustList, 60),
  )

  const expected = new TextEncoder().encode(`Bearer ${svc.keys.adminToken}`)
  app.use('/v1/admin/trust-list', async function authenticateAdmin(c, next) {
    const given = new TextEncoder().encode(c.req.header('authorization') ?? '')
    if (!timingSafeEqual(given, expected))
      throw new BaridError('ERR_UNAUTHENTICATED', 'admin token required')
    await next()
  })
  app.get('/v1/admin/trust-list', (c) => {
    const store = svc.trust.held.store
    const list = store.list
    const f = store.freshness()
    return c.json({
      federation: list.federation,
      sequence: list.sequence,
      issued: iso(list.issued),
      nextUpdate: iso(list.nextUpdate),
      freshness: f.state,
      hardFailAt: iso(f.hardFailAt),
      operators: list.operators.map((o) => ({
        operator: o.id,
        country: o.country,
        state: store.stateAt(o.id),
        endpoints: o.endpoints,
      })),
    })
  })
  app.put('/v1/admin/trust-list', async (c) => {
    const bytes = await readBody(c, MAX_LIST_BYTES)
    const r = await svc.trust.held.update(bytes)
    c.get('log').info('trust list offered by admin', {
      sequence: r.list.sequence,
      changed: r.changed,
    })
    return c.json({ changed: r.changed, sequence: r.list.sequence })
  })
  return app
}
