/**
 * @module federation/verify-middleware
 * Authenticates federation requests (spec 11.2): verifies the RFC 9421 signature against the
 * directory's request-signing keys and the replay cache, then reads the body (bounded) and checks
 * it against the signed Content-Digest, then sets `peer` and `fedBody`. A request from an operator that is not
 * active is refused. Hearing from a peer resets its delivery backoff.
 */
import type { MiddlewareHandler } from 'hono'
import { BaridError } from '../core.js'
import { readBody } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import { verifyContentDigest } from './content-digest.js'
import { authorityOf, verifyRequest } from './http-signatures.js'

/**
 * @example
 * ```ts
 * fed.use('*', verifyFederationRequest(svc, { maxBytes: 64 << 20 }))
 * ```
 */
export function verifyFederationRequest(
  svc: NodeServices,
  opts: { maxBytes: number; streamBody?: (path: string, method: string) => boolean },
): MiddlewareHandler<NodeEnv> {
  const authority = authorityOf(svc.config.publicUrl)
  return async function verifyFederation(c, next) {
    const method = c.req.method
    const url = new URL(c.req.url)
    const streamed = opts.streamBody?.(url.pathname, method) ?? false
    const hasBody = !streamed && method !== 'GET' && method !== 'HEAD'
    // The signature covers the Content-Digest field, not the body: verify it first, so that only
    // a federation member can make the node read a large body.
    let peerKey: Awaited<ReturnType<NodeServices['directory']['requestKey']>>
    await verifyRequest(
      {
        method,
        url: c.req.url,
        contentDigest: hasBody ? c.req.header('content-digest') : undefined,
      },
      c.req.header('signature-input'),
      c.req.header('signature'),
      {
        authority,
        windowSeconds: svc.config.signatureWindowSeconds,
        now: Math.floor(svc.now() / 1000),
        requireContentDigest: hasBody,
        // `created` is within the freshness window here: the key's retirement is judged at it.
        resolveKey: async (kid, created) => {
          peerKey = await svc.directory.requestKey(kid, created * 1000)
          // 11.1: an operator that is not active is refused, whatever the directory returns.
          if (peerKey?.peer.status !== 'active' && !mutant('accept-withdrawn-operator')) peerKey = undefined
          return peerKey?.key.key.publicKey
        },
        checkNonce: (kid, nonce, created) =>
          mutant('accept-replay') || svc.replay.check(kid, nonce, created),
      },
    )
    if (!peerKey)
      throw new BaridError('ERR_FED_KEY_UNKNOWN', 'no federation member holds the signing key')
    let body: Uint8Array = new Uint8Array(0)
    if (hasBody) {
      body = await readBody(c, opts.maxBytes)
      if (!mutant('ignore-content-digest')) verifyContentDigest(c.req.header('content-digest'), body)
    }
    if (peerKey.peer.operator === svc.directory.self)
      throw new BaridError('ERR_FORBIDDEN', 'a node does not federate with itself')
    c.set('peer', peerKey.peer)
    c.set('fedBody', body)
    svc.outbox.heardFrom(peerKey.peer.operator)
    await next()
  }
}
