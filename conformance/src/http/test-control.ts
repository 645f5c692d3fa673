/**
 * @module http/test-control
 * A client for a node's test-control interface (spec 30.4). A feature the node does not list is
 * reported by {@link Unsupported}, which turns a check's result into `unsupported`, not `fail`.
 */
import { call, json, type Exchange, type HttpOptions, type HttpResult } from './http.js'

export type Feature =
  | 'mailboxes'
  | 'senders'
  | 'tokens'
  | 'mailbox-state'
  | 'clock'
  | 'federation'
  | 'delivery'
  | 'reset'

/** Thrown when a check needs a feature the node under test does not offer. */
export class Unsupported extends Error {
  constructor(
    readonly feature: string,
    message = `the node does not offer test-control feature "${feature}"`,
  ) {
    super(message)
    this.name = 'Unsupported'
  }
}

/** A failure of the test-control interface itself (not a protocol finding). */
export class ControlError extends Error {
  readonly exchange: Exchange
  constructor(what: string, r: HttpResult) {
    const x = r.exchange
    const answer = r.code
      ? `${r.code}${r.message ? `: ${r.message.slice(0, 200)}` : ''}`
      : x.response?.body || '(empty body)'
    // A 404 usually means no test control here: a node started without a secret answers its
    // interface like any unknown path (30.4), and so does a web server that is no node at all.
    const hint =
      r.status === 404
        ? ' (is this a Barid node started with a test-control secret, spec 30.4?)'
        : r.status === 401 || r.code === 'ERR_UNAUTHENTICATED'
          ? ' (the node refused the test-control secret)'
          : ''
    super(
      `${x.target}: test control: ${what}: ${x.request.method} ${new URL(x.request.url).pathname} answered HTTP ${r.status} ${answer}${hint}`,
    )
    this.name = 'ControlError'
    this.exchange = x
  }
}

export interface MailboxState {
  address: string
  status: string
  kind: string
  letters: {
    letterId: string
    digest: string
    sender: string
    kind: string
    cursor: number
    receivedAt: string
    openedAt: string | null
  }[]
}

export interface CreatedMailbox {
  address: string
  identifier: string | null
  kind: string
  status: string
  keys: { kid: string; use: 'enc' | 'sig'; certificate: string }[]
}

/** The test-control interface of one node. */
export class TestControl {
  features: Set<string> = new Set()
  operator = ''

  constructor(
    readonly baseUrl: string,
    private readonly secret: string,
    private readonly http: HttpOptions = {},
  ) {}

  private auth(): Record<string, string> {
    return { authorization: `Bearer ${this.secret}` }
  }

  private async req<T>(
    what: string,
    path: string,
    init: Parameters<typeof call>[1],
    ok = [200, 201],
  ) {
    const r = await call<T>(
      `${this.baseUrl}/v1/test-control${path}`,
      {
        ...init,
        headers: { ...init?.headers, ...this.auth() },
      },
      { timeoutMs: this.http.timeoutMs },
    )
    if (!ok.includes(r.status)) throw new ControlError(what, r)
    return r.body
  }

  need(feature: Feature): void {
    if (!this.features.has(feature)) throw new Unsupported(feature)
  }

  /** Reads the feature list; fails if the interface is absent or the secret is refused. */
  async connect(): Promise<void> {
    const info = await this.req<{ v: number; operator: string; features: string[] }>('info', '', {})
    if (info.v !== 1 || !Array.isArray(info.features))
      throw new Error('test control: unexpected answer to GET /v1/test-control')
    this.features = new Set(info.features)
    this.operator = info.operator
  }

  async createMailbox(
    o: {
      address?: string
      identifier?: string
      status?: 'active' | 'exempt'
      kind?: 'person' | 'organisation'
      keys?: { use: 'enc' | 'sig'; jwk: unknown }[]
    } = {},
  ): Promise<CreatedMailbox> {
    this.need('mailboxes')
    return this.req('create mailbox', '/mailboxes', json('POST', o))
  }

  async createSender(
    o: { name?: string } = {},
  ): Promise<{ id: string; address: string; apiKey: string }> {
    this.need('senders')
    return this.req('create sender', '/senders', json('POST', o))
  }

  async token(address: string): Promise<string> {
    this.need('tokens')
    return (await this.req<{ token: string }>('token', '/tokens', json('POST', { address }))).token
  }

  async mailbox(address: string): Promise<MailboxState> {
    this.need('mailbox-state')
    return this.req('mailbox state', `/mailboxes/${encodeURIComponent(address)}`, {})
  }

  async advanceClock(seconds: number): Promise<void> {
    this.need('clock')
    await this.req('clock', '/clock', json('POST', { advanceSeconds: seconds }))
  }

  async installFederation(file: unknown): Promise<void> {
    this.need('federation')
    await this.req('federation', '/federation', json('PUT', file))
  }

  async runDelivery(): Promise<void> {
    if (!this.features.has('delivery')) return
    await this.req('delivery', '/delivery/run', json('POST', {}))
  }

  async reset(): Promise<void> {
    if (!this.features.has('reset')) return
    await this.req('reset', '/reset', json('POST', {}))
  }
}
