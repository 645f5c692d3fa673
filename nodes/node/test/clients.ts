/**
 * @module test/clients
 * Raw HTTP clients for the node's own tests: an agency (sender API) and a citizen (citizen
 * API), plus a party's keys and the sealing and opening done on the client's side with core.
 * They check nothing the node answers (tests need to send what a careful client never would);
 * integrators, and the demo, use `@barid/client`.
 */
import {
  BaridError,
  decryptAttachment,
  encryptAttachment,
  fromBase64Url,
  generateKeyPair,
  importPublicJwk,
  isBaridErrorCode,
  openLetter,
  recipientKeys,
  sealLetter,
  toBase64Url,
  toHex,
  type KeyPair,
  type OpenedLetter,
} from '../src/core.js'
import type { LookupResult } from '../src/directory/lookup.js'

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

/** A mailbox holder's keys, held on their own device. */
export interface PartyKeys {
  sign: KeyPair
  enc: KeyPair
}

/** @example `const keys = await newPartyKeys()` */
export async function newPartyKeys(sign: 'Ed25519' | 'ES256' = 'Ed25519'): Promise<PartyKeys> {
  return { sign: await generateKeyPair(sign), enc: await generateKeyPair('X25519') }
}

async function call<T>(f: Fetch, url: string, init: RequestInit = {}): Promise<T> {
  const res = await f(url, init)
  const text = await res.text()
  if (!res.ok) {
    let code = 'ERR_INTERNAL'
    let message = `HTTP ${res.status}`
    try {
      const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error
      if (e?.code && isBaridErrorCode(e.code)) code = e.code
      if (e?.message) message = e.message
    } catch {
      // not JSON
    }
    throw new BaridError(code as never, message, { details: { status: res.status } })
  }
  return (text ? JSON.parse(text) : undefined) as T
}

function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }
}

/** An attachment to seal: plaintext and its metadata (encrypted inside the letter). */
export interface PlainAttachment {
  filename: string
  mediaType: string
  bytes: Uint8Array
}

export interface SealInput {
  from: { address: string; keys: PartyKeys }
  to: { address: string; keys: LookupResult & { status: 'active' } }[]
  kind?: 'letter' | 'registered'
  subject: string
  body: string
  lang: string
  attachments?: PlainAttachment[]
  threadId?: string
  replyTo?: string
  expiresInSeconds?: number
  /** The sender's clock, ms; default now (a node whose test clock runs ahead needs its own). */
  now?: number
}

/**
 * Seals a letter on the sender's side. Returns the letter and the attachment ciphertexts to
 * upload (keyed by manifest digest, hex).
 */
export async function sealFor(
  input: SealInput,
): Promise<{ bytes: Uint8Array; id: string; blobs: { digest: string; bytes: Uint8Array }[] }> {
  const blobs: { digest: string; bytes: Uint8Array }[] = []
  const attachments = []
  for (const [i, a] of (input.attachments ?? []).entries()) {
    const id = `a${i + 1}`
    const e = await encryptAttachment(a.bytes, { attachmentId: id })
    blobs.push({ digest: toHex(e.sha256), bytes: e.ciphertext })
    attachments.push({
      id,
      size: e.size,
      sha256: e.sha256,
      key: e.key,
      filename: a.filename,
      mediaType: a.mediaType,
    })
  }
  const recipients = []
  for (const r of input.to) {
    const keys = []
    for (const k of recipientKeys(r.keys.keys)) {
      const h = await importPublicJwk(k.jwk, { use: 'encrypt' })
      keys.push({ publicKey: h.publicKey, kid: h.kid })
    }
    recipients.push({ address: r.keys.address, keys })
  }
  const now = input.now ?? Date.now()
  const sealed = await sealLetter({
    sender: {
      address: input.from.address,
      signingKey: input.from.keys.sign.privateKey,
      kid: input.from.keys.sign.kid,
      encryptionKey: { publicKey: input.from.keys.enc.publicKey, kid: input.from.keys.enc.kid },
    },
    recipients,
    kind: input.kind ?? 'letter',
    contentType: 'text/plain; charset=utf-8',
    lang: input.lang,
    subject: input.subject,
    body: new TextEncoder().encode(input.body),
    attachments,
    ...(input.threadId ? { threadId: input.threadId } : {}),
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    expires: Math.floor(now / 1000) + (input.expiresInSeconds ?? 30 * 24 * 3600),
    now,
  })
  return { bytes: sealed.bytes, id: sealed.id, blobs }
}

/** The status of a letter as its sender sees it. */
export interface LetterStatusView {
  letterId: string
  digest: string
  duplicate: boolean
  recipients: { address: string; state: string; code: string | null; chain?: string[] }[]
  evidence: string[]
}

/** Common calls of any mailbox holder; `base` is `/v1/sender` or `/v1/citizen`. */
class MailboxClient {
  constructor(
    readonly url: string,
    readonly base: string,
    readonly auth: () => Promise<string>,
    readonly f: Fetch,
  ) {}

  protected async h(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.auth()}`, ...extra }
  }

  async registerKeys(keys: PartyKeys): Promise<void> {
    for (const [use, k] of [
      ['sig', keys.sign],
      ['enc', keys.enc],
    ] as const) {
      await call(this.f, `${this.url}${this.base}/keys`, {
        ...json({ use, jwk: k.publicJwk }),
        headers: { ...(await this.h()), 'content-type': 'application/json' },
      })
    }
  }

  async uploadBlob(digest: string, bytes: Uint8Array): Promise<void> {
    await call(this.f, `${this.url}${this.base}/attachments/${digest}`, {
      method: 'PUT',
      headers: await this.h({ 'content-type': 'application/octet-stream' }),
      body: bytes as Uint8Array<ArrayBuffer>,
    })
  }

  async submit(bytes: Uint8Array, idempotencyKey?: string): Promise<LetterStatusView> {
    const extra: Record<string, string> = idempotencyKey
      ? { 'idempotency-key': idempotencyKey }
      : {}
    return call(this.f, `${this.url}${this.base}/letters`, {
      ...json({ letter: toBase64Url(bytes) }),
      headers: { ...(await this.h(extra)), 'content-type': 'application/json' },
    })
  }

  async lookup(q: { identifier: string } | { address: string }): Promise<LookupResult> {
    const qs =
      'identifier' in q
        ? `identifier=${encodeURIComponent(q.identifier)}`
        : `address=${encodeURIComponent(q.address)}`
    return call(this.f, `${this.url}${this.base}/directory?${qs}`, { headers: await this.h() })
  }

  async list(
    path: string,
    query = '',
  ): Promise<{
    letters: {
      letterId: string
      cursor: number
      sender: string
      senderName: string | null
      kind: string
      openedAt: string | null
      attachments: { index: number }[]
    }[]
    nextCursor: number | null
  }> {
    return call(this.f, `${this.url}${this.base}${path}${query ? `?${query}` : ''}`, {
      headers: await this.h(),
    })
  }

  async fetchLetter(
    path: string,
    id: string,
  ): Promise<{ letter: string; attachments: { index: number; digest: string; size: number }[] }> {
    return call(this.f, `${this.url}${this.base}${path}/${id}`, { headers: await this.h() })
  }

  async attachment(path: string, id: string, index: number): Promise<Uint8Array> {
    const res = await this.f(`${this.url}${this.base}${path}/${id}/attachments/${index}`, {
      headers: await this.h(),
    })
    if (!res.ok) throw new BaridError('ERR_NOT_FOUND', `attachment: HTTP ${res.status}`)
    return new Uint8Array(await res.arrayBuffer())
  }

  async markOpened(path: string, id: string): Promise<{ openedAt: string; first: boolean }> {
    return call(this.f, `${this.url}${this.base}${path}/${id}/opened`, {
      method: 'POST',
      headers: await this.h(),
    })
  }

  /** Fetches, verifies and decrypts a letter and its attachments with this party's keys. */
  async open(
    path: string,
    id: string,
    me: { address: string; keys: PartyKeys },
  ): Promise<OpenedLetter & { files: { filename: string; bytes: Uint8Array }[] }> {
    const fetched = await this.fetchLetter(path, id)
    const bytes = fromBase64Url(fetched.letter)
    const opened = await openLetter(bytes, {
      key: { privateKey: me.keys.enc.privateKey, kid: me.keys.enc.kid },
      address: me.address,
      resolveSenderKey: async (kid, header) => {
        const r = await this.lookup({ address: header.sender })
        const k =
          r.status === 'active'
            ? r.keys.find((x) => x.use === 'sig' && x.kid === toBase64Url(kid))
            : undefined
        if (!k) throw new BaridError('ERR_KEY_NOT_FOUND', 'sender key not found in the directory')
        return (await importPublicJwk(k.jwk, { use: 'sign' })).publicKey
      },
    })
    const files = []
    for (const [i, a] of opened.attachments.entries()) {
      const ct = await this.attachment(path, id, i)
      files.push({
        filename: a.filename,
        bytes: await decryptAttachment(ct, { key: a.key, attachmentId: a.id }),
      })
    }
    return { ...opened, files }
  }
}

/**
 * An agency using the sender API.
 *
 * @example
 * ```ts
 * const eta = new AgencyClient('http://127.0.0.1:7401', apiKey)
 * const r = await eta.lookup({ identifier: 'dk:cpr:0101901234' })
 * ```
 */
export class AgencyClient extends MailboxClient {
  constructor(url: string, apiKey: string, f: Fetch = fetch) {
    super(url, '/v1/sender', async () => apiKey, f)
  }

  async status(id: string): Promise<LetterStatusView> {
    return call(this.f, `${this.url}/v1/sender/letters/${id}`, { headers: await this.h() })
  }

  async submitBatch(
    letters: Uint8Array[],
    idempotencyKey?: string,
  ): Promise<{ batchId: string; total: number }> {
    const extra: Record<string, string> = idempotencyKey
      ? { 'idempotency-key': idempotencyKey }
      : {}
    return call(this.f, `${this.url}/v1/sender/batches`, {
      ...json({ letters: letters.map(toBase64Url) }),
      headers: { ...(await this.h(extra)), 'content-type': 'application/json' },
    })
  }

  async batch(id: string): Promise<{
    total: number
    processed: number
    accepted: number
    rejected: number
    completedAt: string | null
    results: { index: number; status: string; letterId: string | null; code?: string }[]
  }> {
    return call(this.f, `${this.url}/v1/sender/batches/${id}`, { headers: await this.h() })
  }
}

/**
 * A citizen's device using the citizen API with a bearer token.
 *
 * @example
 * ```ts
 * const lars = new CitizenClient('http://127.0.0.1:7402', () => token)
 * ```
 */
export class CitizenClient extends MailboxClient {
  constructor(url: string, token: () => Promise<string>, f: Fetch = fetch) {
    super(url, '/v1/citizen', token, f)
  }

  async me(): Promise<{ address: string; identifier: string | null }> {
    return call(this.f, `${this.url}/v1/citizen/me`, { headers: await this.h() })
  }
}

/** Gets a token from a node's development identity provider. */
export async function devToken(url: string, identifier: string, f: Fetch = fetch): Promise<string> {
  const r = await call<{ access_token: string }>(f, `${url}/dev/idp/token`, json({ identifier }))
  return r.access_token
}
