/**
 * @module mailbox/mailbox
 * Reading a mailbox, the same for a citizen (`/v1/citizen/letters`, spec 13.5) and for a sender
 * organisation's inbox of replies (`/v1/sender/inbox`, spec 12.9): list with cursor paging,
 * fetch a sealed letter and open it on this side, mark it opened, delete it.
 */
import {
  BaridError,
  fromBase64Url,
  type MailboxLetterView,
  type OpenedView,
} from '../core.js'
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import { cursorPages } from '../http/paging.js'
import type { Transport } from '../http/transport.js'
import type { CertifiedKey } from '../keys/key-certificate.js'
import type { PartyKeys } from '../keys/party-keys.js'
import { openIncoming, type OpenedMail } from '../letters/open.js'
import type { MailboxEntry, MailboxPage } from '../types.js'

/** Options of a listing. */
export interface ListOptions {
  /** 1 to 200; default 50. */
  limit?: number
  /** Only entries older than this cursor. */
  before?: number
  /** Only entries not yet opened. */
  unread?: boolean
}

/** A mailbox, read through the node. */
export interface Mailbox {
  /** One page, newest first. */
  list(o?: ListOptions): Promise<MailboxPage>
  /** Every entry, newest first, fetching pages as needed. */
  entries(o?: Omit<ListOptions, 'before'>): AsyncGenerator<MailboxEntry, void, undefined>
  /** An entry with its sealed letter (still encrypted). */
  get(letterId: string): Promise<MailboxEntry & { letter: Uint8Array }>
  /** Fetches the letter and opens it here: verifies the sender's signature and decrypts. */
  open(letterId: string): Promise<OpenedMail & { entry: MailboxEntry }>
  /** Records the first opening (registered mail: the node issues `retrieved` evidence). */
  markOpened(letterId: string): Promise<OpenedView>
  /** Removes the entry from the mailbox. */
  delete(letterId: string): Promise<void>
}

/** What a {@link Mailbox} needs from its client. */
export interface MailboxContext {
  transport: Transport
  /** `/v1/citizen/letters` or `/v1/sender/inbox`. */
  path: string
  keys: PartyKeys
  /** The mailbox's own address. */
  address(): Promise<string>
  signingKeysOf(address: string): Promise<readonly CertifiedKey[]>
}

const id = (letterId: string) => {
  check(letterId, shape.letterId, 'letterId')
  return encodeURIComponent(letterId)
}

/**
 * @example
 * ```ts
 * const inbox = createMailbox({ transport, path: '/v1/citizen/letters', keys, address, signingKeysOf })
 * for await (const e of inbox.entries({ unread: true })) console.log((await inbox.open(e.letterId)).subject)
 * ```
 */
export function createMailbox(ctx: MailboxContext): Mailbox {
  const t = ctx.transport
  const list = async (o: ListOptions = {}) => {
    check(o, shape.listOptions, 'options')
    const { data } = await t.json<MailboxPage>({
      method: 'GET',
      path: ctx.path,
      query: { limit: o.limit, before: o.before, unread: o.unread ? 'true' : undefined },
      repeatable: true,
    })
    return data
  }
  const get = async (letterId: string) => {
    const { data } = await t.json<MailboxLetterView>({
      method: 'GET',
      path: `${ctx.path}/${id(letterId)}`,
      repeatable: true,
    })
    return { ...data, letter: fromBase64Url(data.letter) }
  }
  return {
    list,
    entries(o = {}) {
      check(o, shape.listOptions, 'options')
      return cursorPages(async (before) => {
        const page = await list({ ...o, before })
        return { items: page.letters, next: page.nextCursor }
      })
    },
    get,
    async open(letterId) {
      const { letter, ...entry } = await get(letterId)
      const mail = await openIncoming(letter, {
        keys: ctx.keys,
        address: await ctx.address(),
        signingKeysOf: ctx.signingKeysOf,
        download: async (index) => {
          const res = await t.send({
            method: 'GET',
            path: `${ctx.path}/${id(letterId)}/attachments/${index}`,
            repeatable: true,
            headers: { accept: 'application/octet-stream' },
          })
          if (!res.body)
            throw new BaridError(
              'ERR_ATTACHMENT_TRUNCATED',
              'the node sent an empty attachment body',
            )
          return res.body
        },
      })
      if (mail.letterId !== letterId)
        throw new BaridError(
          'ERR_LETTER_TAMPERED',
          'the node returned another letter than the one asked for',
        )
      return { ...mail, entry }
    },
    async markOpened(letterId) {
      return (
        await t.json<OpenedView>({
          method: 'POST',
          path: `${ctx.path}/${id(letterId)}/opened`,
          repeatable: true,
        })
      ).data
    },
    async delete(letterId) {
      await t.send({ method: 'DELETE', path: `${ctx.path}/${id(letterId)}`, repeatable: true })
    },
  }
}
