/**
 * @module citizen/citizen-client
 * The client a citizen's device uses with its operator's citizen API (spec 13): register the
 * device's keys, list the mailbox, fetch letters and open them on the device, mark them opened,
 * reply, delete, and receive new letters by push. The device's private keys never leave it.
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import { BaridError, parseMailboxAddress, type CitizenProfileView } from '../core.js'
import type { Recipient } from '../directory/lookup.js'
import type { RetryPolicy } from '../http/retry-policy.js'
import { createTransport, type FetchLike } from '../http/transport.js'
import type { PartyKeys } from '../keys/party-keys.js'
import { requireActive, sealOutgoing, type LetterContentInput } from '../letters/seal.js'
import { createAccount, type Account } from '../mailbox/account.js'
import { createMailbox, type Mailbox } from '../mailbox/mailbox.js'
import { subscribe, type SubscribeOptions, type Subscription } from '../push/subscribe.js'
import { trustFromNode } from '../trust/node-trust.js'
import type { KeyTrust } from '../trust/key-trust.js'
import type { LetterEvent, LetterStatus, RegisteredKey } from '../types.js'

/** Options of {@link createCitizenClient}. */
export interface CitizenClientOptions {
  /** The citizen's operator's node. */
  baseUrl: string
  /** The bearer token from the national eID, or a function giving a current one. */
  token: string | (() => string | Promise<string>)
  /** The device's keys. */
  keys: PartyKeys
  /**
   * The trust list key certificates are checked against; default the one the node serves. A
   * `KeyTrust` (`trustFromNode(...)`, `await trustFromTrustList(...)`); a Promise is refused.
   */
  trust?: KeyTrust
  /** Default language of replies. Default `en`. */
  lang?: string
  fetch?: FetchLike
  timeoutMs?: number
  uploadTimeoutMs?: number
  retry?: Partial<RetryPolicy>
  now?: () => number
  /** Push options applied to every {@link CitizenClient.subscribe}. */
  push?: Pick<SubscribeOptions, 'webSocket' | 'reconnect' | 'idleTimeoutMs'>
}

/** The citizen's own account (spec 13.2), as `GET /v1/citizen/me` answers it. */
export type CitizenAccount = CitizenProfileView

/** A reply: content only; the recipient and threading come from the letter replied to. */
export type ReplyInput = Omit<LetterContentInput, 'replyTo' | 'threadId' | 'kind'> & {
  idempotencyKey?: string
}

/** The citizen API client. */
export interface CitizenClient extends Mailbox {
  readonly baseUrl: string
  me(): Promise<CitizenAccount>
  /** Registers this device's keys (idempotent) and checks the node's certification of them. */
  registerKeys(o?: { label?: string }): Promise<RegisteredKey[]>
  listKeys: Account['listKeys']
  revokeKey: Account['revokeKey']
  /** Looks up a mailbox address (citizens cannot look up identifiers). */
  lookup(address: string): Promise<Recipient>
  /** Replies to a letter in the mailbox, in its thread, sealed on the device. */
  reply(letterId: string, input: ReplyInput): Promise<LetterStatus>
  /** Status of a reply this citizen sent. */
  sentStatus(letterId: string): Promise<LetterStatus>
  /** New letters pushed over the WebSocket, resuming after `after` (spec 13.6). */
  subscribe(onEvent: (e: LetterEvent) => void | Promise<void>, o?: SubscribeOptions): Subscription
}

/**
 * Creates a citizen API client.
 *
 * @example
 * ```ts
 * const lars = createCitizenClient({ baseUrl: 'http://127.0.0.1:7402', token, keys })
 * await lars.registerKeys({ label: "Lars's phone" })
 * for await (const e of lars.entries({ unread: true })) {
 *   const mail = await lars.open(e.letterId)
 *   console.log(mail.subject, mail.text())
 *   await lars.markOpened(e.letterId)
 * }
 * ```
 */
export function createCitizenClient(o: CitizenClientOptions): CitizenClient {
  check(o, shape.citizenClientOptions, 'options')
  const now = o.now ?? Date.now
  const token = typeof o.token === 'string' ? () => o.token as string : o.token
  const bearer = async () => {
    const t = await token()
    if (typeof t !== 'string' || t.length === 0)
      throw new BaridError('ERR_UNAUTHENTICATED', 'no token')
    return t
  }
  const transport = createTransport({
    baseUrl: o.baseUrl,
    authorization: async () => `Bearer ${await bearer()}`,
    fetch: o.fetch,
    timeoutMs: o.timeoutMs,
    retry: o.retry,
    now,
  })
  const trust =
    o.trust === undefined
      ? trustFromNode(transport.baseUrl, { fetch: o.fetch, now })
      : o.trust
  const account = createAccount({
    transport,
    base: '/v1/citizen',
    statusPath: '/sent',
    keys: o.keys,
    trust,
    now,
    uploadTimeoutMs: o.uploadTimeoutMs ?? 0,
  })
  let meCache: Promise<CitizenAccount> | undefined
  const me = () => {
    meCache ??= transport
      .json<CitizenAccount>({ method: 'GET', path: '/v1/citizen/me', repeatable: true })
      .then((r) => r.data)
    meCache.catch(() => (meCache = undefined))
    return meCache
  }
  const address = async () => (await me()).address
  const mailbox = createMailbox({
    transport,
    path: '/v1/citizen/letters',
    keys: o.keys,
    address,
    signingKeysOf: account.signingKeysOf,
  })

  return {
    ...mailbox,
    baseUrl: transport.baseUrl,
    me,
    async registerKeys(r) {
      check(r, shape.registerKeysOptions, 'options')
      return account.registerKeys(r)
    },
    listKeys: account.listKeys,
    async revokeKey(kid) {
      check(kid, shape.kid, 'kid')
      return account.revokeKey(kid)
    },
    async lookup(a) {
      check(a, shape.text, 'address')
      return account.lookup({ address: parseMailboxAddress(a).address })
    },
    async reply(letterId, input) {
      check(letterId, shape.letterId, 'letterId')
      check(input, shape.replyInput, 'input')
      const { idempotencyKey, ...content } = input
      const entry = await mailbox.get(letterId)
      const to = requireActive(await account.lookup({ address: entry.sender }), entry.sender)
      const sealed = await sealOutgoing({
        sender: { address: await address(), keys: o.keys },
        recipients: [to],
        content: {
          ...content,
          kind: 'letter',
          replyTo: entry.letterId,
          threadId: entry.threadId ?? entry.letterId,
        },
        lang: o.lang ?? 'en',
        now: now(),
      })
      return account.submit(sealed, idempotencyKey === undefined ? {} : { idempotencyKey })
    },
    async sentStatus(letterId) {
      check(letterId, shape.letterId, 'letterId')
      return account.status(letterId)
    },
    subscribe(onEvent, s = {}) {
      check(onEvent, shape.fn, 'onEvent')
      check(s, shape.subscribeOptions, 'options')
      return subscribe({ baseUrl: transport.baseUrl, token: bearer }, onEvent, { ...o.push, ...s })
    },
  }
}
