/**
 * @module letter/limits
 * The sealed letter's size and count limits (`spec/05-sealed-letter.md` section 5.9). Every
 * reader checks them before the work they bound, so a hostile letter costs at most its size.
 */
import {
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_TAG_BYTES,
  MAX_ATTACHMENT_PLAINTEXT_SIZE,
  MIN_ATTACHMENT_CHUNK_SIZE,
} from '../attachment/format.js'

/** Largest sealed letter, in bytes (16 MiB). Attachments travel separately and do not count. */
export const MAX_LETTER_BYTES = 16 * 1024 * 1024

/** Largest body, in bytes (15 MiB), leaving room for headers and recipients within a letter. */
export const MAX_BODY_BYTES = 15 * 1024 * 1024

/** Most recipient mailboxes of one letter. */
export const MAX_RECIPIENTS = 1000

/** Most encryption keys per recipient mailbox (a mailbox may hold keys for several devices). */
export const MAX_KEYS_PER_RECIPIENT = 4

/** Most COSE recipients of the payload: every recipient key, plus the sender's own key. */
export const MAX_COSE_RECIPIENTS = MAX_RECIPIENTS * MAX_KEYS_PER_RECIPIENT + 1

/** Most attachments of one letter. */
export const MAX_ATTACHMENTS = 64

/**
 * Largest attachment a manifest may declare: the largest ciphertext the attachment format can
 * produce (`spec/06-attachments.md` 6.3, 6.7: 64 GiB of plaintext in 64-byte chunks), i.e.
 * 85,899,345,926 bytes. A larger size names no attachment that could ever match it.
 */
export const MAX_ATTACHMENT_BYTES =
  ATTACHMENT_HEADER_BYTES +
  MAX_ATTACHMENT_PLAINTEXT_SIZE +
  ATTACHMENT_TAG_BYTES * (MAX_ATTACHMENT_PLAINTEXT_SIZE / MIN_ATTACHMENT_CHUNK_SIZE)

/** Largest protected header (letter header, certificates) in bytes. */
export const MAX_HEADER_BYTES = 512 * 1024

/** Most certificates in `x5chain`, and the largest one, in bytes. */
export const MAX_X5CHAIN_CERTS = 8
export const MAX_CERT_BYTES = 16 * 1024

/** Longest media type, attachment id, file name, subject and language tag, in characters. */
export const MAX_MEDIA_TYPE_LENGTH = 255
export const MAX_ATTACHMENT_ID_LENGTH = 64
export const MAX_FILENAME_LENGTH = 255
export const MAX_SUBJECT_LENGTH = 256
export const MAX_LANG_LENGTH = 35
/** Longest notification title (5.3), in code points: it must fit a phone's lock screen. */
export const MAX_TITLE_LENGTH = 120

/** Latest time a letter may carry (seconds since the epoch; year 36812), so times stay exact integers. */
export const MAX_TIME = 2 ** 40

/** Default time from creation to expiry, in seconds (30 days). */
export const DEFAULT_LIFETIME = 30 * 24 * 60 * 60

/** Default tolerance for a creation time ahead of the receiver's clock, in seconds. */
export { DEFAULT_CLOCK_SKEW } from '../clock.js'
