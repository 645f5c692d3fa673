/**
 * @module types
 * The JSON shapes of the node's answers that the client passes on (spec 12.3, 12.4, 12.7, 13.5,
 * 13.6), under the client's names. The shapes themselves live in `@barid/core` (`src/api/`),
 * which the reference node writes them with, so both sides read one definition. Times are
 * RFC 3339 strings, as on the wire.
 */
import type {
  BatchItemView,
  BatchProgressView,
  CoreRecipientState,
  LetterPushEvent,
  LetterStatusView,
  MailboxEntryView,
  MailboxPageView,
  RegisteredKeyView,
} from './core.js'

/** Where one recipient's copy of a letter stands (spec 12.3). */
export type RecipientState = CoreRecipientState

/**
 * The status of a letter its sender submitted (spec 12.3, 12.8).
 *
 * @example
 * ```ts
 * const status: LetterStatus = await sender.status(letterId)
 * ```
 */
export type LetterStatus = LetterStatusView

/** An entry of a mailbox listing (spec 13.5). */
export type MailboxEntry = MailboxEntryView

/** One page of a mailbox listing (spec 13.5). */
export type MailboxPage = MailboxPageView

/** A new-letter event pushed over the citizen WebSocket (spec 13.6). */
export type LetterEvent = LetterPushEvent

/** A key registered for the caller's mailbox and certified by its node (spec 12.7, 13.4). */
export type RegisteredKey = RegisteredKeyView

/** Per-letter result of a batch (spec 12.4). */
export type BatchItemResult = BatchItemView

/** A batch's progress (spec 12.4). */
export type BatchProgress = BatchProgressView
