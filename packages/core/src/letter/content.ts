/**
 * @module letter/content
 * The letter content: the plaintext of the COSE_Encrypt payload (`spec/05-sealed-letter.md`
 * section 5.4). It holds everything an operator must not see: the body, the subject, and for each
 * attachment its key, file name and media type.
 */
import { BaridError } from '../errors.js'
import { MapReader, decodeStrict, type CborKey, type CborValue } from '../cbor/index.js'
import type { AttachmentRef } from './header.js'
import {
  MAX_ATTACHMENTS,
  MAX_BODY_BYTES,
  MAX_FILENAME_LENGTH,
  MAX_LETTER_BYTES,
  MAX_SUBJECT_LENGTH,
} from './limits.js'
import { attachmentIdProblem, filenameProblem, mediaTypeProblem, subjectProblem } from './syntax.js'

/** An attachment's secrets, carried inside the encryption. */
export interface AttachmentSecret {
  readonly id: string
  /** The 32-byte key of the attachment's stream (`spec/06-attachments.md`). */
  readonly key: Uint8Array
  readonly filename: string
  readonly mediaType: string
}

/** An attachment as the recipient sees it: the header's reference and the content's secrets. */
export interface LetterAttachment extends AttachmentRef, AttachmentSecret {}

/** The decrypted content. */
export interface LetterContent {
  readonly body: Uint8Array
  readonly subject?: string
  readonly attachments: readonly AttachmentSecret[]
}

const CONTENT_KEYS: readonly CborKey[] = ['body', 'subject', 'att']
const ATT_KEYS: readonly CborKey[] = ['id', 'key', 'name', 'type']

/** The content as the CBOR map that is encrypted. */
export function encodeLetterContent(c: LetterContent): Map<CborKey, CborValue> {
  const m = new Map<CborKey, CborValue>([
    ['body', c.body],
    [
      'att',
      c.attachments.map(
        (a) =>
          new Map<CborKey, CborValue>([
            ['id', a.id],
            ['key', a.key],
            ['name', a.filename],
            ['type', a.mediaType],
          ]),
      ),
    ],
  ])
  if (c.subject !== undefined) m.set('subject', c.subject)
  return m
}

function checked(
  r: MapReader,
  key: string,
  problem: (v: string) => string | undefined,
  max: number,
): string {
  const v = r.text(key, max)
  const p = problem(v)
  if (p !== undefined)
    throw new BaridError('ERR_LETTER_MALFORMED', `letter content: ${key} ${p}`, {
      details: { field: key },
    })
  return v
}

/**
 * Decodes and checks the decrypted content, and requires its attachments to be exactly those
 * of the header, in the same order.
 */
export function parseLetterContent(
  plaintext: Uint8Array,
  refs: readonly AttachmentRef[],
): LetterContent {
  const r = MapReader.of(
    decodeStrict(plaintext, { maxBytes: MAX_LETTER_BYTES, maxItems: 16 + MAX_ATTACHMENTS * 9 }),
    'ERR_LETTER_MALFORMED',
    'letter content',
  ).only(CONTENT_KEYS)
  const body = r.bytes('body', { max: MAX_BODY_BYTES })
  const subject = r.has('subject')
    ? checked(r, 'subject', subjectProblem, 2 * MAX_SUBJECT_LENGTH)
    : undefined
  const attachments = r.array('att', MAX_ATTACHMENTS).map((a) => {
    const ar = MapReader.of(a, 'ERR_LETTER_MALFORMED', 'letter content attachment').only(ATT_KEYS)
    return {
      id: checked(ar, 'id', attachmentIdProblem, 64),
      key: ar.bytes('key', { exact: 32 }),
      filename: checked(ar, 'name', filenameProblem, 2 * MAX_FILENAME_LENGTH),
      mediaType: checked(ar, 'type', mediaTypeProblem, 255),
    }
  })
  if (attachments.length !== refs.length || attachments.some((a, i) => a.id !== refs[i]!.id)) {
    throw new BaridError(
      'ERR_LETTER_MALFORMED',
      "letter content: attachments differ from the header's manifest",
      {
        details: { field: 'att' },
      },
    )
  }
  return subject === undefined ? { body, attachments } : { body, subject, attachments }
}
