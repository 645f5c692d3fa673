/**
 * @module api
 * JSON wire types of the sender API (spec 12) and the citizen API (spec 13), shared by the
 * reference node and the client SDK.
 */
export type {
  AttachmentUploadView,
  BatchAccepted,
  BatchItemStatus,
  BatchItemView,
  BatchProgressView,
  KeyListEntry,
  KeyListView,
  LetterStatusView,
  MailboxKeyUse,
  RecipientState,
  RecipientStatus,
  RegisteredKeyView,
} from './sender-api.js'
export type {
  CitizenProfileView,
  LetterPushEvent,
  MailboxAttachmentView,
  MailboxEntryView,
  MailboxLetterKind,
  MailboxLetterView,
  MailboxPageView,
  OpenedView,
  PushAuthMessage,
  PushErrorMessage,
  PushMessage,
  PushReadyMessage,
} from './citizen-api.js'
export { parseHttpDate } from './http-date.js'
export type { SenderDisplay } from './sender-names.js'
export {
  MAX_SENDER_NAME_LENGTH,
  MAX_SENDER_NAMES,
  parseSenderDisplay,
  parseSenderName,
  parseSenderNames,
} from './sender-names.js'
