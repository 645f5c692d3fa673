/**
 * @module peer/harness-peer
 * The harness peer (spec 30.5): the operator `conformance.test` on a loopback HTTP server. It
 * answers directory lookups for its mailboxes, receives blobs and transactions from the nodes
 * under test (peer/receive.ts), and can be taken down, made unavailable, or made to answer
 * ambiguously (process, then `500`) or unreadably (process, then `200` with a malformed body).
 * It can also answer registered letters with evidence no sending node may keep (`forge`), and
 * refuse chosen blobs for good (`refuseBlobs`). Its self-description advertises the optional
 * features of 11.3 that a check sets (`features`). It verifies every request against 11.2 and
 * records what a node got wrong as a violation of the clause concerned.
 */
import {
  fromBase64Url,
  toBase64Url,
  toHex,
  type KeyPair,
  type ResolveEvidenceKey,
} from '@barid/core'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { certifyKey, type OperatorIdentity } from './identity.js'
import {
  deliveryKey,
  receiveBlob,
  receiveTransaction,
  type Delivery,
  type ReceiverState,
  type ReturnedEvidence,
  type SentByPeer,
} from './receive.js'
import { authorityOf, checkIncoming } from './signatures.js'

export type PeerMode = 'up' | 'down' | 'unavailable' | 'ambiguous' | 'malformed'

/** A mailbox at the harness peer: the harness holds its private keys. */
export interface PeerMailbox {
  address: string
  signing: KeyPair
  encryption: KeyPair
}

export interface PeerViolation {
  clause: string
  what: string
}

/** A node under test, as the peer knows it. */
export interface KnownNode {
  operator: string
  requestKid: string
  requestKey: CryptoKey
}

/**
 * What the peer answers, in place of its own answer, for each recipient of a registered letter
 * it delivers (or holds already): to see what a sending node keeps of returned evidence (11.4).
 */
export interface ForgedAnswer {
  /** The recipient's status: `delivered`, or `retry` with `ERR_UNAVAILABLE`. */
  status: 'delivered' | 'retry'
  /** The records (base64url) returned for the delivery, instead of the peer's own. */
  evidence(d: Delivery): Promise<string[]>
}

/** A refusal of a blob upload: its status and the code of its error body (none: a bare body). */
export interface BlobRefusal {
  status: number
  code?: string
}

/** Every transaction attempt the peer saw, for checks on retries. */
export interface TxAttempt {
  from: string
  txid: string
  mode: PeerMode
  status: number
  letterIds: string[]
  /**
   * Each letter entry as sent, by its letter's SHA-256 (hex, the letter's digest), with its
   * `senderDisplay` (11.4; `present: false` when the entry had none), for checks that compare
   * what the retries of one letter carried.
   */
  entries: { digest: string; present: boolean; senderDisplay: unknown }[]
}

const MAX_BODY = 64 * 1024 * 1024

/** What the harness peer advertises unless a check says otherwise (11.3). */
export const DEFAULT_PEER_FEATURES = ['sender-display', 'conformance-not-yet-defined'] as const

async function readAll(req: IncomingMessage): Promise<Uint8Array> {
  const parts: Buffer[] = []
  let n = 0
  for await (const c of req) {
    n += (c as Buffer).length
    if (n > MAX_BODY) throw new Error('body too large')
    parts.push(c as Buffer)
  }
  return new Uint8Array(Buffer.concat(parts))
}

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(text)
}

const err = (code: string, message: string) => ({ error: { code, message } })

/** The letter entries of a transaction body, for {@link TxAttempt.entries}. */
async function entriesOf(parsed: unknown): Promise<TxAttempt['entries']> {
  const letters = (parsed as { letters?: unknown } | null)?.letters
  if (!Array.isArray(letters)) return []
  const out: TxAttempt['entries'] = []
  for (const raw of letters) {
    const e = (raw ?? {}) as Record<string, unknown>
    if (typeof e.letter !== 'string') continue
    let bytes: Uint8Array
    try {
      bytes = fromBase64Url(e.letter)
    } catch {
      continue
    }
    const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
    out.push({
      digest: toHex(new Uint8Array(d)),
      present: 'senderDisplay' in e,
      senderDisplay: e.senderDisplay,
    })
  }
  return out
}

/** The harness peer. */
export class HarnessPeer implements AsyncDisposable {
  mode: PeerMode = 'up'
  /** How lookups are answered: normally, or with a redirect a node must not follow (10.5). */
  /**
   * How lookups are answered: normally, by a redirect, with `delivery: "paper"` (17.6), as a
   * mailbox with no key yet (`keyless`, 11.6), or (`malformed`) with answers no node may relay,
   * in turn (11.6).
   */
  lookupMode: 'normal' | 'redirect' | 'paper' | 'keyless' | 'malformed' | 'expired-key' =
    'normal'
  /**
   * Answers for registered letters with a check's status and evidence instead of the peer's own
   * (11.4); such an answer is not stored, so a retry of the transaction is answered afresh.
   */
  forge: ForgedAnswer | undefined = undefined
  /**
   * The `features` its self-description advertises (11.3); `null` leaves the member out. By
   * default every feature a node may send, and a name no node knows, which readers ignore.
   */
  features: string[] | null = [...DEFAULT_PEER_FEATURES]
  /** Blobs (by digest) whose upload the peer refuses, on every try (11.5). */
  readonly refuseBlobs = new Map<string, BlobRefusal>()
  private malformedLookups = 0
  readonly mailboxes = new Map<string, PeerMailbox>()
  readonly violations: PeerViolation[] = []
  readonly attempts: TxAttempt[] = []
  /** Requests that reached `/canary` (only a node following a redirect gets there). */
  canaryHits = 0
  readonly state: ReceiverState
  private readonly nodes = new Map<string, KnownNode>()
  private readonly plausibleSeconds: () => number[]
  private readonly nonces = new Set<string>()
  private readonly stored = new Map<string, { digest: string; body: string }>()
  private server: Server | undefined
  private port = 0

  constructor(
    readonly id: OperatorIdentity,
    o: {
      verifyMailboxCertificate: ReceiverState['verifyMailboxCertificate']
      resolveEvidenceKey: ResolveEvidenceKey
      now: () => number
      /** Seconds a sending node's clock may read now (see HarnessClock). */
      plausibleSeconds?: () => number[]
    },
  ) {
    this.plausibleSeconds = o.plausibleSeconds ?? (() => [Math.floor(o.now() / 1000)])
    this.state = {
      self: id,
      verifyMailboxCertificate: o.verifyMailboxCertificate,
      resolveEvidenceKey: o.resolveEvidenceKey,
      now: o.now,
      deliveries: new Map<string, Delivery>(),
      sent: new Map<string, SentByPeer>(),
      returned: [] as ReturnedEvidence[],
      blobs: new Map(),
      violation: (clause, what) => this.violations.push({ clause, what }),
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** Starts listening (on the same port as before, after a first start). */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) send(res, 500, err('ERR_INTERNAL', String(e).slice(0, 200)))
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  async stop(): Promise<void> {
    const s = this.server
    this.server = undefined
    if (!s) return
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
  }

  /** Sets the mode; `down` closes the socket so that connections are refused. */
  async setMode(mode: PeerMode): Promise<void> {
    if (mode === 'down' && this.server) await this.stop()
    if (mode !== 'down' && !this.server) await this.start()
    this.mode = mode
  }

  addNode(n: KnownNode): void {
    this.nodes.set(n.requestKid, n)
  }

  /** A new mailbox at the peer, with fresh keys the harness holds. */
  async addMailbox(
    local: string,
    keys: { signing: KeyPair; encryption: KeyPair },
  ): Promise<PeerMailbox> {
    const m = { address: `${local}@${this.id.operator}`, ...keys }
    this.mailboxes.set(m.address, m)
    return m
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const path = url.pathname
    if (path.startsWith('/canary')) {
      this.canaryHits++
      return send(res, 200, { canary: true })
    }
    const isBlobPut = req.method === 'PUT' && path.startsWith('/v1/federation/blobs/')
    const body = await readAll(req)
    if (path === '/.well-known/barid' && req.method === 'GET')
      return send(res, 200, this.selfDescription(), { 'cache-control': 'public, max-age=300' })
    if (!path.startsWith('/v1/federation/'))
      return send(res, 404, err('ERR_NOT_FOUND', 'no such resource'))
    const headers: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v
    const check = await checkIncoming(
      { method: req.method ?? 'GET', url: `${this.url}${req.url}`, headers, body },
      {
        authority: authorityOf(this.url),
        now: this.plausibleSeconds(),
        keys: new Map([...this.nodes.values()].map((n) => [n.requestKid, n.requestKey])),
        seenNonces: this.nonces,
        streamed: isBlobPut,
      },
    )
    const node = check.keyid ? this.nodes.get(check.keyid) : undefined
    for (const p of check.problems) {
      const clause = /^(\d+\.\d+-\d+)/.exec(p)?.[1] ?? '11.2-1'
      this.violations.push({ clause, what: `${node?.operator ?? 'unknown sender'}: ${p}` })
    }
    if (!node || check.problems.some((p) => p.startsWith('11.2-12')))
      return send(res, 401, err('ERR_FED_SIGNATURE_INVALID', 'request signature not accepted'))

    if (path === '/v1/federation/directory/lookup' && req.method === 'POST') {
      if (this.lookupMode === 'redirect')
        return send(res, 307, undefined, { location: `${this.url}/canary/lookup` })
      const answer = await this.lookup(JSON.parse(new TextDecoder().decode(body)))
      if (this.lookupMode === 'paper') return send(res, 200, { ...answer, delivery: 'paper' })
      if (this.lookupMode === 'keyless') return send(res, 200, { ...answer, keys: [] })
      if (this.lookupMode === 'malformed') {
        const other = `someone@${[...this.nodes.values()][0]?.operator ?? 'post.eg'}`
        const bad = [
          null,
          { status: 'maybe', operator: this.id.operator },
          { ...answer, address: other },
          { ...answer, keys: [{ kid: 'k', use: 'both', jwk: {}, certificate: 'x' }] },
          { ...answer, delivery: 'pigeon' },
        ]
        return send(res, 200, bad[this.malformedLookups++ % bad.length])
      }
      return send(res, 200, answer)
    }
    const blob = /^\/v1\/federation\/blobs\/([0-9a-f]{64})$/.exec(path)
    if (blob) {
      const digest = blob[1]!
      if (req.method === 'HEAD') {
        const b = this.state.blobs.get(digest)
        res.writeHead(b ? 200 : 404, b ? { 'content-length': String(b.byteLength) } : {})
        return void res.end()
      }
      if (req.method === 'PUT') {
        const refusal = this.refuseBlobs.get(digest)
        if (refusal) {
          if (!refusal.code) {
            // As a proxy before the peer would answer: no error body of 10.3.
            res.writeHead(refusal.status, { 'content-type': 'text/plain' })
            return void res.end('refused')
          }
          return send(res, refusal.status, err(refusal.code, 'the harness peer refuses this blob'))
        }
        if (this.state.blobs.has(digest))
          return send(res, 200, { digest, size: this.state.blobs.get(digest)!.byteLength })
        if (!(await receiveBlob(this.state, digest, body)))
          return send(res, 400, err('ERR_ATTACHMENT_MISMATCH', 'digest does not match'))
        return send(res, 201, { digest, size: body.byteLength })
      }
    }
    const tx = /^\/v1\/federation\/transactions\/([A-Za-z0-9_-]+)$/.exec(path)
    if (tx && req.method === 'PUT') return this.transaction(res, node, tx[1]!, body)
    return send(res, 404, err('ERR_NOT_FOUND', 'no such resource'))
  }

  private async transaction(res: ServerResponse, node: KnownNode, txid: string, body: Uint8Array) {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(txid))
      this.violations.push({
        clause: '11.4-14',
        what: `${node.operator}: transaction id ${txid.slice(0, 80)} is not 8 to 64 base64url characters`,
      })
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { letters?: { letter?: string }[] }
    const letterIds: string[] = []
    const entries = await entriesOf(parsed)
    const record = (status: number) =>
      this.attempts.push({
        from: node.operator,
        txid,
        mode: this.mode,
        status,
        letterIds,
        entries,
      })
    if (this.mode === 'unavailable') {
      record(503)
      return send(res, 503, err('ERR_UNAVAILABLE', 'the harness peer is unavailable'), {
        'retry-after': '0',
      })
    }
    const key = `${node.operator} ${txid}`
    const digest = toBase64Url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>)),
    )
    const prior = this.stored.get(key)
    if (prior) {
      record(prior.digest === digest ? 200 : 409)
      if (prior.digest !== digest)
        return send(
          res,
          409,
          err('ERR_FED_TRANSACTION_CONFLICT', 'transaction id reused with other content'),
        )
      res.writeHead(200, { 'content-type': 'application/json', 'barid-replayed': 'true' })
      return void res.end(prior.body)
    }
    const answer = await receiveTransaction(this.state, node.operator, parsed)
    for (const l of answer.letters as { id: string | null }[]) if (l.id) letterIds.push(l.id)
    if (this.mode === 'ambiguous') {
      // Processed, but the answer says otherwise: the sender cannot know (14.3).
      record(500)
      return send(res, 500, err('ERR_INTERNAL', 'the harness peer failed after processing'))
    }
    if (this.mode === 'malformed') {
      // Processed, and answered 200 with what no sender can read (11.4, 14.3): in turn not
      // JSON, results of the wrong type, an index of no letter sent, an unknown status.
      record(200)
      const letters = answer.letters as { recipients: Record<string, unknown>[] }[]
      const bodies = [
        'ok',
        JSON.stringify({ letters: { 0: 'delivered' } }),
        JSON.stringify({ ...answer, letters: letters.map((l, i) => ({ ...l, index: i + 100 })) }),
        JSON.stringify({
          ...answer,
          letters: letters.map((l) => ({
            ...l,
            recipients: l.recipients.map((r) => ({ ...r, status: 'probably' })),
          })),
        }),
      ]
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(bodies[this.attempts.length % bodies.length])
    }
    if (this.forge) {
      record(200)
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify(await this.forged(this.forge, answer)))
    }
    const text = JSON.stringify(answer)
    this.stored.set(key, { digest, body: text })
    record(200)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(text)
  }

  /** `answer` with the forged status and evidence for each delivered registered letter. */
  private async forged(forge: ForgedAnswer, answer: { letters: unknown[]; evidence: unknown[] }) {
    type Recipient = { address: string; status: string; code?: string; evidence: string[] }
    const letters = []
    for (const l of answer.letters as { id: string | null; recipients: Recipient[] }[]) {
      const recipients = []
      for (const r of l.recipients) {
        const d = l.id ? this.state.deliveries.get(deliveryKey(l.id, r.address)) : undefined
        if (r.status !== 'delivered' || d?.kind !== 'registered') recipients.push(r)
        else
          recipients.push({
            address: r.address,
            status: forge.status,
            ...(forge.status === 'retry' ? { code: 'ERR_UNAVAILABLE' } : {}),
            evidence: await forge.evidence(d),
          })
      }
      letters.push({ ...l, recipients })
    }
    return { ...answer, letters }
  }

  /** Its self-description (11.3), as far as a sending node reads it: the features. */
  private selfDescription() {
    const base = this.url
    return {
      v: 1,
      operator: this.id.operator,
      country: 'ZZ',
      endpoints: { federation: base },
      ...(this.features ? { features: this.features } : {}),
    }
  }

  private async lookup(q: { address?: unknown; identifier?: unknown }) {
    const m = typeof q.address === 'string' ? this.mailboxes.get(q.address) : undefined
    if (!m) return { status: 'unknown', operator: this.id.operator }
    const now = this.state.now()
    const keys = []
    for (const [use, pair] of [
      ['enc', m.encryption],
      ['sig', m.signing],
    ] as const) {
      // `expired-key`: the encryption key's certificate ran out eleven hours ago, as at a peer
      // that failed to renew it (the asking node leaves that key out, 11.6).
      const expired = use === 'enc' && this.lookupMode === 'expired-key'
      const certificate = await certifyKey(this.id, {
        sub: m.address,
        use,
        key: pair,
        ...(expired ? { nowMs: now - 23 * 3600_000, lifetimeSeconds: 12 * 3600 } : { nowMs: now }),
      })
      keys.push({ kid: pair.kidBase64Url, use, jwk: pair.publicJwk, certificate })
    }
    return { status: 'active', address: m.address, operator: this.id.operator, keys }
  }
}
