/**
 * @module api/citizen-api
 * JSON shapes of the citizen API's answers and push messages (`spec/13-citizen-api.md`), shared
 * by the reference node and the client SDK. A sender organisation reads its inbox with the same
 * shapes (spec 12.9). Types only: they describe the wire, they do not validate it. Times are
 * RFC 3339 UTC strings.
 */

/** A letter's kind as the mailbox shows it (spec 05, 17). */
export type MailboxLetterKind = 'letter' | 'registered'

/**
 * An attachment of a mailbox entry (spec 13.5): its position in the letter's manifest and its
 * ciphertext digest (lower-case hex) and size.
 */
export interface MailboxAttachmentView {
  index: number
  digest: string
  size: number
}

/**
 * An entry of a mailbox listing (spec 13.5).
 *
 * @example
 * ```ts
 * const unread = (e: MailboxEntryView) => e.openedAt === null
 * ```
 */
export interface MailboxEntryView {
  /** Orders the mailbox: higher is newer. */
  cursor: number
  letterId: string
  sender: string
  /**
   * The sender's display name for this mailbox's languages (spec 13.5): its name in the first
   * of them it has, else the name its operator registered; null when the letter came without
   * names (a citizen's letter, or one stored before names were kept).
   */
  senderName: string | null
  /** The sender's names per language (BCP 47 tag to name), as its operator registered them. */
  senderNames: Record<string, string>
  kind: MailboxLetterKind
  createdAt: string
  /** When the letter was placed in this mailbox (spec 13.5, retention). */
  receivedAt: string
  openedAt: string | null
  expiresAt: string | null
  threadId: string | null
  replyTo: string | null
  /** Size of the sealed letter in bytes. */
  size: number
  attachments: MailboxAttachmentView[]
}

/**
 * One page of a mailbox listing (`GET …/letters`, spec 13.5), newest first.
 *
 * @example
 * ```ts
 * const next = (p: MailboxPageView) => p.nextCursor === null ? undefined : { before: p.nextCursor }
 * ```
 */
export interface MailboxPageView {
  letters: MailboxEntryView[]
  /** `before` for the next (older) page, or null at the end. */
  nextCursor: number | null
}

/**
 * The answer to `GET …/letters/{letterId}` (spec 13.5): the entry with the sealed letter.
 *
 * @example
 * ```ts
 * const bytes = (l: MailboxLetterView) => fromBase64Url(l.letter)
 * ```
 */
export interface MailboxLetterView extends MailboxEntryView {
  /** The sealed letter, unpadded base64url. */
  letter: string
}

/**
 * The answer to `POST …/letters/{letterId}/opened` (spec 13.5); `first` is false on a repeat.
 *
 * @example
 * ```ts
 * const o: OpenedView = { letterId: 'l1', openedAt: '2026-03-01T09:30:00.000Z', first: true }
 * ```
 */
export interface OpenedView {
  letterId: string
  openedAt: string
  first: boolean
}

/**
 * The answer to `GET /v1/citizen/me` (spec 13.2).
 *
 * @example
 * ```ts
 * const me: CitizenProfileView = await res.json()
 * ```
 */
export interface CitizenProfileView {
  address: string
  identifier: string | null
  /**
   * `active`: the mailbox takes digital letters; `exempt`: the holder is exempt from digital
   * post, and letters are served on paper or not delivered (spec 13.2, 17.6). A closed mailbox
   * is never answered: its holder's requests are refused with `ERR_FORBIDDEN`.
   */
  status: 'active' | 'exempt'
  /** The operator serving the mailbox. */
  operator: string
}

/**
 * A new-letter message on the citizen WebSocket (spec 13.6), for the backlog and live alike.
 *
 * @example
 * ```ts
 * const isNew = (e: LetterPushEvent, last: number) => e.type === 'letter' && e.cursor > last
 * ```
 */
export interface LetterPushEvent {
  type: 'letter'
  cursor: number
  letterId: string
  sender: string
  /**
   * The sender's display name, chosen as the mailbox listing chooses it (spec 13.5, 13.6); null
   * when the letter came without names.
   */
  senderName: string | null
  kind: MailboxLetterKind
  receivedAt: string
}

/** Sent once the backlog is out (spec 13.6): `cursor` is the last cursor sent. */
export interface PushReadyMessage {
  type: 'ready'
  cursor: number
}

/** Sent before the node closes a refused connection (spec 13.6). */
export interface PushErrorMessage {
  type: 'error'
  error: { code: string; message: string }
}

/** Every message the node sends on the citizen WebSocket (spec 13.6). */
export type PushMessage = LetterPushEvent | PushReadyMessage | PushErrorMessage

/**
 * The client's first message when it cannot set an `Authorization` header (spec 13.6).
 *
 * @example
 * ```ts
 * ws.send(JSON.stringify({ type: 'auth', token, after: 41 } satisfies PushAuthMessage))
 * ```
 */
export interface PushAuthMessage {
  type: 'auth'
  token: string
  /** The last cursor the client has seen (0 for none). */
  after?: number
}
