/**
 * @module mailbox/account-routes
 * Routes for any authenticated mailbox holder that are not about reading the mailbox:
 * attachment upload, key registration (certified by the node), sending a letter, the status of
 * a letter one sent, and directory lookup. Mounted for citizens and for sender organisations
 * (spec 12, 13).
 */
import type { Context } from 'hono'
import { createHash } from 'node:crypto'
import {
  BaridError,
  isBaridError,
  recipientKeys,
  type AttachmentUploadView,
  type KeyListView,
  type LetterStatusView,
  type RegisteredKeyView,
} from '../core.js'
import { lookup, parseLookupQuery } from '../directory/lookup.js'
import { idempotent, type InFlight } from '../federation/idempotent.js'
import { b64Field, parseJsonObject, readBody, readJson, strField } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import {
  letterStatus,
  replyPolicy,
  submitLetter,
  type SubmissionResult,
} from '../letters/submit.js'
import { renewalDue, servedKeys } from '../keys/key-renewal.js'
import { isPrintKey } from '../paper/paper-keys.js'
import type { NodeServices } from '../services.js'
import { mutant } from '../test-control/mutants.js'
import { isBlobDigest } from '../storage/blob-store.js'

const MAX_KEYS_PER_MAILBOX = 32

/** JSON view of a submission or status (spec 12.3). */
export function statusView(r: SubmissionResult): LetterStatusView {
  return {
    letterId: r.letterId,
    digest: r.digest,
    duplicate: r.duplicate,
    recipients: r.recipients,
    evidence: r.evidence,
  }
}

/** `PUT …/attachments/{digest}`: streams a ciphertext blob in, checked against its digest. */
export async function uploadAttachment(svc: NodeServices, c: Context<NodeEnv>): Promise<Response> {
  const digest = c.req.param('digest') ?? ''
  if (!isBlobDigest(digest))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'attachment id must be its 64-hex-digit digest')
  const existing = await svc.storage.getBlob(digest)
  if (existing) {
    await c.req.raw.body?.cancel().catch(() => undefined)
    return c.json({ digest, size: existing.size } satisfies AttachmentUploadView, 200)
  }
  const declared = c.req.header('content-length')
  const len = declared === undefined ? undefined : Number(declared)
  if (len !== undefined && (!Number.isSafeInteger(len) || len < 0))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'bad Content-Length')
  if (len !== undefined && len > svc.config.limits.maxAttachmentBytes) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'attachment is too large', {
      details: { limit: svc.config.limits.maxAttachmentBytes },
    })
  }
  const body = c.req.raw.body
  if (!body) throw new BaridError('ERR_INVALID_ARGUMENT', 'missing body')
  const r = await svc.blobs.put(body, {
    expectedDigest: digest,
    expectedSize: len,
    maxBytes: svc.config.limits.maxAttachmentBytes,
  })
  await svc.storage.putBlob(r.digest, r.size, svc.now())
  c.get('log').info('attachment stored', { size: r.size })
  return c.json({ digest: r.digest, size: r.size } satisfies AttachmentUploadView, 201)
}

/** `POST …/keys`: registers a public key for the caller's mailbox and certifies it. */
export async function registerKey(svc: NodeServices, c: Context<NodeEnv>): Promise<Response> {
  const body = await readJson(c, 16 * 1024)
  const use = body.use
  if (use !== 'enc' && use !== 'sig')
    throw new BaridError('ERR_INVALID_ARGUMENT', 'use must be enc or sig')
  const label = body.label === undefined ? null : strField(body, 'label', 100)
  const mailbox = c.get('mailbox')
  const now = svc.now()
  const cert = await svc.certifier.certify({ sub: mailbox.address, use, jwk: body.jwk, now })
  const { kid } = cert
  // The limit is counted, and the list read, in the insert's transaction: registrations running
  // at once cannot together pass the limit, and what this one displaced is decided against
  // exactly the keys it joined.
  const registered = await svc.storage.registerMailboxKey(
    {
      mailboxId: mailbox.id,
      kid,
      use,
      jwk: JSON.stringify(cert.jwk),
      certificate: cert.certificate,
      label,
      createdAt: now,
      revokedAt: null,
      certNotAfter: cert.notAfter,
      certIssuer: cert.issuer,
    },
    { maxKeys: MAX_KEYS_PER_MAILBOX },
  )
  if (registered.full)
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'too many keys registered', {
      details: { limit: MAX_KEYS_PER_MAILBOX },
    })
  const { added } = registered
  const keys = registered.keys.filter((k) => !isPrintKey(svc, k.kid))
  let stored = keys.find((k) => k.kid === kid)
  if (!stored)
    throw new BaridError(
      'ERR_KEY_INVALID',
      'that key was revoked for this mailbox and cannot be registered again',
    )
  // Registered again with a certificate due for renewal (13.4), or issued under a CA the
  // operator has rotated away from (21.4; or not read yet): the one just issued renews it.
  const renews =
    stored.certIssuer !== cert.issuer ||
    (renewalDue(stored.certNotAfter, now) && cert.notAfter > stored.certNotAfter)
  if (!added && renews) {
    const renewed = await svc.storage.renewKeyCertificate({
      mailboxId: mailbox.id,
      kid,
      previous: stored.certificate,
      certificate: cert.certificate,
      certNotAfter: cert.notAfter,
      certIssuer: cert.issuer,
    })
    if (renewed)
      stored = {
        ...stored,
        certificate: cert.certificate,
        certNotAfter: cert.notAfter,
        certIssuer: cert.issuer,
      }
  }
  return c.json(
    {
      kid,
      use,
      certificate: stored.certificate,
      address: mailbox.address,
      displaced: added ? displacedBy(kid, keys.filter((k) => served(k, now))) : [],
    } satisfies RegisteredKeyView,
    added ? 201 : 200,
  )
}

/**
 * Whether a key is in what lookups serve (spec 13.4): not one whose certificate has expired. A
 * key whose notAfter is not read yet (0) counts: lookups read it, and renew it if it is due.
 */
function served(k: { certNotAfter: number }, now: number): boolean {
  return k.certNotAfter === 0 || k.certNotAfter > now
}

/**
 * The keys that the registration of `kid` pushed out of those senders encrypt to (spec 13.4),
 * from the mailbox's keys newest first: they open the letters they got, but no new ones.
 */
function displacedBy(kid: string, keys: readonly { kid: string; use: string }[]): string[] {
  const now = new Set(recipientKeys(keys).map((k) => k.kid))
  return recipientKeys(keys.filter((k) => k.kid !== kid))
    .filter((k) => !now.has(k.kid))
    .map((k) => k.kid)
}

/** `GET …/keys`: the keys as lookups serve them, certificates renewed, none expired (13.4). */
export async function listKeys(svc: NodeServices, c: Context<NodeEnv>): Promise<Response> {
  const keys = await servedKeys(svc, c.get('mailbox'))
  return c.json({
    keys: keys.map((k) => ({
      kid: k.kid,
      use: k.use,
      label: k.label,
      jwk: JSON.parse(k.jwk) as unknown,
      certificate: k.certificate,
      createdAt: new Date(k.createdAt).toISOString(),
    })),
  } satisfies KeyListView)
}

/** `DELETE …/keys/{kid}`: revokes a key at once. */
export async function revokeKey(svc: NodeServices, c: Context<NodeEnv>): Promise<Response> {
  if (
    !(await svc.storage.revokeMailboxKey(c.get('mailbox').id, c.req.param('kid') ?? '', svc.now()))
  )
    throw new BaridError('ERR_NOT_FOUND', 'no such key')
  return c.body(null, 204)
}

/**
 * `POST …/letters`: submits one sealed letter, `{"letter": base64url}`. An `Idempotency-Key`
 * header makes retries return the first answer (spec 12.2).
 */
export function submitHandler(
  svc: NodeServices,
  inflight: InFlight,
  opts: { repliesOnly?: boolean } = {},
) {
  return async function submit(c: Context<NodeEnv>): Promise<Response> {
    const raw = await readBody(c, Math.ceil(svc.config.limits.maxLetterBytes * 1.34) + 4096)
    const type = c.req.header('content-type') ?? ''
    if (!/^application\/json(\s*;|$)/i.test(type))
      throw new BaridError('ERR_UNSUPPORTED_MEDIA_TYPE', 'expected application/json')
    const run = async () => {
      const bytes = b64Field(parseJsonObject(raw), 'letter', svc.config.limits.maxLetterBytes)
      const author = c.get('mailbox')
      const r = await submitLetter(
        svc,
        bytes,
        author,
        opts.repliesOnly ? replyPolicy(svc, author) : undefined,
      )
      return { status: r.duplicate ? 200 : 202, body: JSON.stringify(statusView(r)) }
    }
    const key = mutant('ignore-idempotency-key') ? undefined : c.req.header('idempotency-key')
    const r =
      key === undefined
        ? { ...(await run()), replayed: false }
        : await withIdempotencyKey(svc, inflight, c, key, raw, run)
    if (r.replayed) c.header('Idempotent-Replayed', 'true')
    return c.body(r.body, r.status as 202, { 'content-type': 'application/json' })
  }
}

/** Runs `run` under the caller's Idempotency-Key (scope: the caller's mailbox). */
export async function withIdempotencyKey(
  svc: NodeServices,
  inflight: InFlight,
  c: Context<NodeEnv>,
  key: string,
  raw: Uint8Array,
  run: () => Promise<{ status: number; body: string }>,
) {
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'Idempotency-Key must be 1 to 255 visible ASCII characters',
    )
  const scope = `mailbox:${c.get('mailbox').id}`
  const requestDigest = createHash('sha256')
    .update(`${c.req.method} ${new URL(c.req.url).pathname}\n`)
    .update(raw)
    .digest('hex')
  return idempotent(inflight, {
    key: `${scope} ${key}`,
    requestDigest,
    conflictCode: 'ERR_IDEMPOTENCY_CONFLICT',
    load: () => svc.storage.getIdempotent(scope, key),
    store: (rec) => svc.storage.putIdempotent(scope, key, rec, svc.now()),
    run: async () => {
      try {
        return await run()
      } catch (e) {
        // A refusal is an answer too: store it, so a retry does not run a second time.
        if (isBaridError(e) && e.httpStatus < 500)
          return {
            status: e.httpStatus,
            body: JSON.stringify({ error: { code: e.code, message: e.message } }),
          }
        throw e
      }
    },
  })
}

/** `GET …/sent/{id}` (citizen) or `GET /v1/sender/letters/{id}`: status of a letter the caller sent. */
export async function sentStatus(svc: NodeServices, c: Context<NodeEnv>): Promise<Response> {
  const id = c.req.param('id') ?? ''
  const letter = await svc.storage.getLetter(id)
  if (
    !letter ||
    (letter.senderAddress !== c.get('mailbox').address && !mutant('leak-sent-status')) ||
    letter.origin !== svc.directory.self
  ) {
    throw new BaridError('ERR_NOT_FOUND', 'no such letter')
  }
  return c.json(statusView(await letterStatus(svc, id)))
}

/** `GET …/directory?identifier=…` or `?address=…`. */
export async function directoryLookup(
  svc: NodeServices,
  c: Context<NodeEnv>,
  allowIdentifiers: boolean,
): Promise<Response> {
  const q = parseLookupQuery({
    identifier: c.req.query('identifier'),
    address: c.req.query('address'),
  })
  if ('identifier' in q && !allowIdentifiers)
    throw new BaridError('ERR_FORBIDDEN', 'lookup by identifier is for sender organisations')
  const r = await lookup(svc, q)
  return c.json(r)
}
