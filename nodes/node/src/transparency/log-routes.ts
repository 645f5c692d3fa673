/**
 * @module transparency/log-routes
 * The public log API (spec 17.9): this node's newest signed checkpoint with its cosignatures,
 * inclusion proofs of its evidence records, consistency proofs between any two signed sizes, the
 * root at a signed size, cosignatures from witnesses, the fork statements this node signed as
 * a witness, and the governance resets its log goes on under (spec 16.12). Everything served is
 * hashes and signatures; no evidence record is published.
 */
import { Hono } from 'hono'
import {
  BaridError,
  consistencyProofValue,
  encodeCanonical,
  fromHex,
  inclusionProofValue,
  toBase64Url,
  toHex,
  verifyCheckpoint,
  verifyCosignature,
} from '../core.js'
import { b64Field, readJson, strField } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import { storedCheckpointEpoch } from './checkpoint-epoch.js'
import { logKeyResolver } from './log-keys.js'

const HEX64 = /^[0-9a-f]{64}$/


function size(v: string | undefined, name: string): number {
  if (v === undefined || !/^\d{1,16}$/.test(v))
    throw new BaridError('ERR_INVALID_ARGUMENT', `${name} must be a tree size`)
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new BaridError('ERR_INVALID_ARGUMENT', `${name} is too large`)
  return n
}

/**
 * Mounted at the app root.
 *
 * @example
 * ```ts
 * app.route('/', logRoutes(svc))
 * ```
 */
export function logRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
  const resolveKey = logKeyResolver(svc)

  app.get('/v1/log/checkpoint', async (c) => {
    const latest = await svc.registered.log.latest()
    if (!latest) throw new BaridError('ERR_UNAVAILABLE', 'the log has no checkpoint yet')
    const cp = latest.checkpoint
    c.header('cache-control', 'no-cache')
    return c.json({
      log: svc.directory.self,
      // Stated as signed: read from the checkpoint, not from the resets installed since.
      epoch: storedCheckpointEpoch(cp.bytes),
      size: cp.size,
      time: new Date(cp.time * 1000).toISOString(),
      digest: cp.digest,
      checkpoint: toBase64Url(cp.bytes),
      cosignatures: latest.cosignatures.map(toBase64Url),
    })
  })

  app.get('/v1/log/inclusion', async (c) => {
    const id = c.req.query('evidence') ?? ''
    if (!HEX64.test(id))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'evidence must be a record id (64 hex digits)')
    const inc = await svc.registered.log.inclusion(id)
    if (!inc) throw new BaridError('ERR_NOT_FOUND', 'no such record in a signed checkpoint yet')
    return c.json({
      evidence: id,
      index: inc.proof.index,
      size: inc.proof.size,
      proof: toBase64Url(encodeCanonical(inclusionProofValue(inc.proof))),
      checkpoint: toBase64Url(inc.checkpoint.bytes),
      cosignatures: (await svc.storage.listCosignatures(inc.checkpoint.digest)).map(toBase64Url),
    })
  })

  app.get('/v1/log/consistency', async (c) => {
    const first = size(c.req.query('first'), 'first')
    const second = size(c.req.query('second'), 'second')
    const proof = await svc.registered.log.consistency(first, second)
    return c.json({
      first,
      second,
      proof: toBase64Url(encodeCanonical(consistencyProofValue(proof))),
    })
  })

  app.get('/v1/log/root', async (c) => {
    const n = size(c.req.query('size'), 'size')
    return c.json({ size: n, root: toBase64Url(await svc.registered.log.root(n)) })
  })

  app.post('/v1/log/cosignatures', async (c) => {
    const body = await readJson(c, 4096)
    const digest = strField(body, 'checkpoint', 64)
    if (!HEX64.test(digest))
      throw new BaridError('ERR_INVALID_ARGUMENT', 'checkpoint must be a checkpoint digest')
    const cosignature = b64Field(body, 'cosignature', 1024)
    const stored = await svc.storage.getCheckpoint(digest)
    if (!stored) throw new BaridError('ERR_NOT_FOUND', 'no such checkpoint')
    const checkpoint = await verifyCheckpoint(stored.bytes, { resolveKey })
    // Verified before it is kept: a witness's key from the trust list, over this checkpoint.
    const v = await verifyCosignature(cosignature, { checkpoint, resolveKey })
    if (v.witnessId === svc.directory.self)
      throw new BaridError('ERR_WITNESS_STATEMENT_INVALID', 'a log does not witness itself')
    await svc.storage.putCosignature(toHex(fromHex(digest)), v.witnessId, v.time, cosignature)
    return c.body(null, 204)
  })

  app.get('/v1/log/resets', async (c) => {
    const list = await svc.storage.listLogResets()
    return c.json({
      resets: list.map((r) => ({
        epoch: r.epoch,
        installed: new Date(r.installedAt).toISOString(),
        reset: toBase64Url(r.bytes),
      })),
    })
  })

  app.get('/v1/log/forks', async (c) => {
    const list = await svc.storage.listForkStatements()
    return c.json({
      statements: list.map((f) => ({
        log: f.log,
        kind: f.kind,
        time: new Date(f.createdAt).toISOString(),
        statement: toBase64Url(f.bytes),
      })),
    })
  })

  return app
}
