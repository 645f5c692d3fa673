/**
 * @module trust/routes
 * What the node publishes for the federation, and the admin interface to its trust list:
 *
 * - `GET /.well-known/barid-node`: its key-discovery document (spec 22.1);
 * - `GET /.well-known/barid-revocations/{kid}`: its operator CA's revocation list (spec 21.6.2);
 * - `GET /.well-known/barid-trust-list`: the trust list it holds (spec 20.7);
 * - `GET /v1/admin/trust-list`: the held list's sequence, freshness and operators' states;
 * - `PUT /v1/admin/trust-list`: offers a new list (`application/barid-trust-list+cose`); it is
 *   adopted if it verifies and is newer, refused otherwise (`ERR_TRUST_LIST_ROLLBACK`, ...);
 * - `GET /v1/admin/node-keys`: the node's keys, which one signs, days left on its certificate;
 * - `POST /v1/admin/node-keys/reload`: reads the operator directory again after
 *   `barid operator rotate-node` (spec 21.4), as SIGHUP does.
 *
 * It also registers the trust gauges of spec 15.3: days left on the node certificate, and the
 * held list's freshness (spec 20.6 asks for an alert while it is stale).
 */
import { Hono, type MiddlewareHandler } from 'hono'
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

  const registry = svc.metrics.registry
  registry.gauge(
    'barid_node_certificate_days_left',
    'Days until the current node certificate expires (renew with barid operator rotate-node)',
    async () => [{ labels: {}, value: svc.trust.nodeKeys().certificate.daysLeft }],
  )
  registry.gauge(
    'barid_trust_list_freshness',
    'State of the held trust list (spec 20.6): 1 for the current state',
    async () => {
      const state = svc.trust.held.store.freshness().state
      return (['fresh', 'stale', 'expired'] as const).map((s) => ({
        labels: { state: s },
        value: s === state ? 1 : 0,
      }))
    },
  )

  const expected = new TextEncoder().encode(`Bearer ${svc.keys.adminToken}`)
  const authenticateAdmin: MiddlewareHandler<NodeEnv> = async (c, next) => {
    const given = new TextEncoder().encode(c.req.header('authorization') ?? '')
    if (!timingSafeEqual(given, expected))
      throw new BaridError('ERR_UNAUTHENTICATED', 'admin token required')
    await next()
  }
  app.use('/v1/admin/trust-list', authenticateAdmin)
  app.use('/v1/admin/node-keys', authenticateAdmin)
  app.use('/v1/admin/node-keys/*', authenticateAdmin)
  app.get('/v1/admin/node-keys', (c) => c.json(svc.trust.nodeKeys()))
  app.post('/v1/admin/node-keys/reload', async (c) => {
    const r = await svc.trust.reloadNodeKeys({ force: true })
    c.get('log').info('node keys reload asked by admin', { changed: r.changed })
    return c.json({ changed: r.changed, ...r.keys })
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
