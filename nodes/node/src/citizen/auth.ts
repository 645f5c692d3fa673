/**
 * @module citizen/auth
 * Citizen authentication (spec 13.2): a bearer JWT verified with jose against the configured
 * issuer, audience and key set (a remote JWKS, cached with a cooldown, or the development
 * IdP's keys). One claim carries the citizen's participant identifier; it maps to their
 * mailbox. Optionally, a first sign-in provisions the mailbox.
 */
import type { MiddlewareHandler } from 'hono'
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { randomBytes } from 'node:crypto'
import { BaridError, parseIdentifier } from '../core.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import type { Mailbox } from '../storage/types.js'

const ALGORITHMS = ['EdDSA', 'ES256', 'PS256', 'RS256']

/**
 * The key set from config: a remote JWKS, or (development) the given local one. Without either,
 * citizen sign-in is off: every token is refused and the node logs why at start.
 */
export function citizenKeySet(svc: NodeServices, local?: JWTVerifyGetKey): JWTVerifyGetKey {
  const url = svc.config.citizenAuth.jwksUrl
  if (url)
    return createRemoteJWKSet(new URL(url), {
      timeoutDuration: 5000,
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    })
  if (local) return local
  svc.log.warn(
    'citizen sign-in is not configured (set citizenAuth.jwksUrl, or devIdentityProvider for local use)',
  )
  return async () => {
    throw new BaridError('ERR_UNAVAILABLE', 'citizen sign-in is not configured on this node')
  }
}

function randomLocalPart(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  return 'p' + [...randomBytes(12)].map((b) => alphabet[b & 31]).join('')
}

/** The mailbox for a verified token, provisioning it when allowed. */
export async function mailboxForToken(
  svc: NodeServices,
  token: string,
  keySet: JWTVerifyGetKey,
): Promise<Mailbox> {
  const a = svc.config.citizenAuth
  let payload: Record<string, unknown>
  try {
    ;({ payload } = await jwtVerify(token, keySet, {
      issuer: a.issuer,
      audience: a.audience,
      algorithms: ALGORITHMS,
      currentDate: new Date(svc.now()),
      clockTolerance: 30,
    }))
  } catch (e) {
    if (e instanceof BaridError && e.code === 'ERR_UNAVAILABLE') throw e
    throw new BaridError('ERR_UNAUTHENTICATED', 'a valid bearer token is required')
  }
  const claim = payload[a.identifierClaim]
  let identifier: string
  try {
    identifier = parseIdentifier(claim).text
  } catch {
    throw new BaridError('ERR_UNAUTHENTICATED', 'the token carries no valid identifier')
  }
  const scheme = identifier.slice(0, identifier.indexOf(':', identifier.indexOf(':') + 1))
  if (!svc.config.profile.identifierSchemes.includes(scheme))
    throw new BaridError('ERR_FORBIDDEN', 'this operator does not serve that identifier')
  const existing = await svc.storage.getMailboxByIdentifier(identifier)
  if (existing) {
    if (existing.status === 'closed') throw new BaridError('ERR_FORBIDDEN', 'the mailbox is closed')
    return existing
  }
  if (!svc.config.autoProvisionMailboxes)
    throw new BaridError('ERR_FORBIDDEN', 'no mailbox for this identity')
  try {
    return await svc.storage.createMailbox({
      address: `${randomLocalPart()}@${svc.directory.self}`,
      identifier,
      kind: 'person',
      createdAt: svc.now(),
    })
  } catch {
    // A concurrent first sign-in created it.
    const again = await svc.storage.getMailboxByIdentifier(identifier)
    if (!again) throw new BaridError('ERR_INTERNAL', 'mailbox could not be provisioned')
    return again
  }
}

/**
 * @example
 * ```ts
 * citizen.use('*', citizenAuth(svc, keySet))
 * ```
 */
export function citizenAuth(
  svc: NodeServices,
  keySet: JWTVerifyGetKey,
): MiddlewareHandler<NodeEnv> {
  return async function authenticateCitizen(c, next) {
    const h = c.req.header('authorization') ?? ''
    if (!h.startsWith('Bearer ') || h.length > 8192)
      throw new BaridError('ERR_UNAUTHENTICATED', 'a valid bearer token is required')
    const mailbox = await mailboxForToken(svc, h.slice(7).trim(), keySet)
    c.set('mailbox', mailbox)
    await next()
  }
}
