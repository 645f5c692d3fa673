/**
 * @module test-control/mount
 * Mounts the test-control interface (spec 30.4) when, and only when, the node is configured
 * with a test-control secret (`testControlSecret` in the config file or
 * `BARID_TEST_CONTROL_SECRET`). Off by default. When on, the node says so loudly at start, and
 * every call must carry `Authorization: Bearer <secret>`, compared in constant time. A node
 * asked to run as a mutant (`BARID_MUTANT`, see `mutants.ts`) refuses to start without test
 * control, so that a deliberately broken variant can never pass for a production node.
 */
import { Hono } from 'hono'
import { createHash } from 'node:crypto'
import type { DevIdp } from '../citizen/dev-idp.js'
import { MIN_TEST_CONTROL_SECRET_LENGTH } from '../config/settings.js'
import { BaridError, timingSafeEqual } from '../core.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import { MUTANTS, activeMutant, isMutantName } from './mutants.js'
import { testControlRoutes } from './routes.js'

export { MIN_TEST_CONTROL_SECRET_LENGTH }

const digest = (s: string) => new Uint8Array(createHash('sha256').update(s).digest())

/**
 * Adds `/v1/test-control` to `app` if the config enables it; otherwise does nothing.
 *
 * @example
 * ```ts
 * mountTestControl(app, svc, { devIdp })
 * ```
 */
export function mountTestControl(
  app: Hono<NodeEnv>,
  svc: NodeServices,
  o: { devIdp?: DevIdp } = {},
): void {
  const secret = svc.config.testControlSecret
  const m = activeMutant()
  if (m !== undefined) {
    if (!isMutantName(m))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'BARID_MUTANT names no known mutant')
    if (!secret)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'BARID_MUTANT requires test control enabled')
    svc.log.error('THIS NODE IS A DELIBERATELY BROKEN MUTANT FOR CONFORMANCE TESTING', {
      mutant: m,
      brokenRule: MUTANTS[m],
    })
  }
  if (!secret) return
  if (secret.length < MIN_TEST_CONTROL_SECRET_LENGTH)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `config: testControlSecret must be at least ${MIN_TEST_CONTROL_SECRET_LENGTH} characters`,
    )
  svc.log.warn(
    'TEST CONTROL IS ENABLED: anyone with the secret can create mailboxes, move the clock and ' +
      'replace the federation at /v1/test-control. Never enable it in production.',
  )
  const expected = digest(`Bearer ${secret}`)
  const guarded = new Hono<NodeEnv>()
  guarded.use('*', async function authenticateTestControl(c, next) {
    // Digests of equal length, so the comparison's time says nothing about the secret.
    if (!timingSafeEqual(digest(c.req.header('authorization') ?? ''), expected))
      throw new BaridError('ERR_UNAUTHENTICATED', 'test-control secret required')
    await next()
  })
  guarded.route('/', testControlRoutes(svc, o))
  app.route('/v1/test-control', guarded)
}
