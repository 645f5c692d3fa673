/**
 * @module citizen/dev-idp
 * A development identity provider, standing in for a national eID (MitID in Denmark, Egypt's
 * digital identity) on a developer's machine: it issues short-lived JWTs naming whatever
 * identifier it is asked for, with no authentication at all. Enabled only by the
 * `devIdentityProvider` setting; never in production (spec 13.2).
 */
import { Hono } from 'hono'
import { SignJWT, createLocalJWKSet, type JWTVerifyGetKey } from 'jose'
import { BaridError, parseIdentifier, type KeyPair } from '../core.js'
import { readJson } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'

export interface DevIdp {
  issuer: string
  /** The key set verifiers use. */
  keySet: JWTVerifyGetKey
  /** Issues a token for `identifier`. */
  issue(identifier: string, opts?: { lifetimeSeconds?: number; audience?: string }): Promise<string>
  routes(): Hono<NodeEnv>
}

/**
 * @example
 * ```ts
 * const idp = createDevIdp({ issuer: `${url}/dev/idp`, audience: `${url}/v1/citizen`, key, claim: 'barid_identifier', now: Date.now })
 * const token = await idp.issue('dk:cpr:0101901234')
 * ```
 */
export function createDevIdp(o: {
  issuer: string
  audience: string
  key: KeyPair
  claim: string
  now: () => number
}): DevIdp {
  const jwk = { ...o.key.publicJwk, kid: o.key.kidBase64Url, alg: 'EdDSA', use: 'sig' }
  const jwks = { keys: [jwk] }
  const keySet = createLocalJWKSet(jwks)
  const issue = async (
    identifier: string,
    opts: { lifetimeSeconds?: number; audience?: string } = {},
  ) => {
    const id = parseIdentifier(identifier).text
    const iat = Math.floor(o.now() / 1000)
    return new SignJWT({ [o.claim]: id })
      .setProtectedHeader({ alg: 'EdDSA', kid: o.key.kidBase64Url, typ: 'JWT' })
      .setIssuer(o.issuer)
      .setAudience(opts.audience ?? o.audience)
      .setSubject(id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (opts.lifetimeSeconds ?? 3600))
      .sign(o.key.privateKey)
  }
  return {
    issuer: o.issuer,
    keySet,
    issue,
    routes() {
      const app = new Hono<NodeEnv>()
      app.get('/jwks.json', (c) => c.json(jwks))
      app.post('/token', async (c) => {
        const body = await readJson(c, 4096)
        if (typeof body.identifier !== 'string')
          throw new BaridError('ERR_INVALID_ARGUMENT', 'identifier is required')
        c.get('log').info('development identity provider issued a token')
        return c.json({
          access_token: await issue(body.identifier),
          token_type: 'Bearer',
          expires_in: 3600,
        })
      })
      return app
    },
  }
}
