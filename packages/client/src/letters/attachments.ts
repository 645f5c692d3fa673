/**
 * @module letters/attachments
 * Encrypting attachments on the sender's side (spec 06) and giving each an upload body. Bytes
 * in memory are encrypted once and the ciphertext kept; a `Blob` (a `File`, or Node's
 * `fs.openAsBlob`) or a stream factory is streamed twice (digest, then upload) under the guard
 * of `block-guard.ts`, so a large file never sits whole in memory.
 */
import {
  BaridError,
  MAX_IN_MEMORY_ATTACHMENT_SIZE,
  digestingStream,
  encryptAttachment,
  encryptAttachmentStream,
  generateAttachmentKey,
  toHex,
  type SealAttachment,
} from '../core.js'
import { recordBlocks, requireSameBlocks } from './block-guard.js'

/** An attachment to send: its plaintext and the metadata carried encrypted inside the letter. */
export interface AttachmentInput {
  filename: string
  mediaType: string
  /** The content: bytes, or a `Blob`/`File` (streamed). */
  data?: Uint8Array | Blob
  /**
   * Or a function returning the content as a new stream on each call. It is called twice
   * (digest, then upload) and must give the same bytes both times.
   */
  stream?: () => ReadableStream<Uint8Array>
}

/** An encrypted attachment, ready for the letter and for upload. */
export interface PreparedAttachment {
  /** What `sealLetter` needs (includes the attachment key: keep it in memory only). */
  readonly seal: SealAttachment
  /** The ciphertext digest, hex: the upload address (spec 12.6). */
  readonly digest: string
  /** Ciphertext length. */
  readonly size: number
  /** A fresh upload body (ciphertext) on each call. */
  body(): Uint8Array | ReadableStream<Uint8Array>
}

async function drain(s: ReadableStream<Uint8Array>): Promise<void> {
  const reader = s.getReader()
  while (!(await reader.read()).done) {
    // nothing: the digest stream upstream sees every byte
  }
}

/**
 * Encrypts one attachment under a fresh key as attachment `id` of a letter.
 *
 * @example
 * ```ts
 * const a = await prepareAttachment({ filename: 'assessment.pdf', mediaType: 'application/pdf', data: pdf }, 'a1')
 * await upload(a.digest, a.body())
 * ```
 */
export async function prepareAttachment(
  input: AttachmentInput,
  id: string,
  o: { chunkSize?: number } = {},
): Promise<PreparedAttachment> {
  const meta = { id, filename: input.filename, mediaType: input.mediaType }
  if (input.data instanceof Uint8Array) {
    if (input.data.length > MAX_IN_MEMORY_ATTACHMENT_SIZE) {
      throw new BaridError(
        'ERR_INPUT_TOO_LARGE',
        'attachment bytes are too large to hold in memory; pass a Blob or a stream',
        { details: { limit: MAX_IN_MEMORY_ATTACHMENT_SIZE } },
      )
    }
    const e = await encryptAttachment(input.data, { attachmentId: id, chunkSize: o.chunkSize })
    const ciphertext = e.ciphertext
    return {
      seal: { ...meta, key: e.key, size: e.size, sha256: e.sha256 },
      digest: toHex(e.sha256),
      size: e.size,
      body: () => ciphertext,
    }
  }
  const blob = input.data
  const source: (() => ReadableStream<Uint8Array>) | undefined =
    blob !== undefined && typeof blob === 'object' && typeof blob.stream === 'function'
      ? () => blob.stream()
      : input.stream
  if (!source)
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'an attachment needs data (bytes or a Blob) or a stream function',
      { details: { field: 'attachments' } },
    )
  const key = generateAttachmentKey()
  // encryptAttachmentStream wipes the key it is given once it has derived its own: pass copies.
  const encrypt = () =>
    encryptAttachmentStream({ key: key.slice(), attachmentId: id, chunkSize: o.chunkSize })
  const blocks = recordBlocks()
  const digest = digestingStream()
  await drain(source().pipeThrough(blocks.stream).pipeThrough(encrypt()).pipeThrough(digest))
  const [{ size, sha256 }, hashes] = await Promise.all([digest.result, blocks.hashes])
  return {
    seal: { ...meta, key, size, sha256 },
    digest: toHex(sha256),
    size,
    body: () => source().pipeThrough(requireSameBlocks(hashes)).pipeThrough(encrypt()),
  }
}

/**
 * Encrypts a letter's attachments, ids `a1`, `a2`, … in order.
 *
 * @example
 * ```ts
 * const prepared = await prepareAttachments(input.attachments ?? [])
 * ```
 */
export async function prepareAttachments(
  list: readonly AttachmentInput[],
  o: { chunkSize?: number } = {},
): Promise<PreparedAttachment[]> {
  const out: PreparedAttachment[] = []
  for (const [i, a] of list.entries()) out.push(await prepareAttachment(a, `a${i + 1}`, o))
  return out
}
