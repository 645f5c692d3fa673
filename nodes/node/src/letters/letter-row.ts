/**
 * @module letters/letter-row
 * The stored row of a letter this node accepted, from its inspected header: one shape for a
 * letter submitted here and one received from a peer.
 */
import type { SenderDisplay } from '../core.js'
import type { LetterRow } from '../storage/types.js'
import type { InspectedLetter } from './letter-port.js'

/**
 * @param origin the operator the letter came from (this node for a submission)
 * @param receivedAt when this node took it, in milliseconds
 * @param size the sealed letter's length in bytes
 * @param senderDisplay the sender's display names that came with it (spec 11.4, 15.5), if any
 *
 * @example
 * ```ts
 * const row = letterRow(inspected, svc.directory.self, svc.now(), bytes.byteLength)
 * ```
 */
export function letterRow(
  l: InspectedLetter,
  origin: string,
  receivedAt: number,
  size: number,
  senderDisplay: SenderDisplay | null = null,
): LetterRow {
  const h = l.header
  return {
    id: h.id,
    digest: l.digest,
    senderAddress: h.sender,
    senderKid: h.senderKid,
    kind: h.kind,
    createdAt: h.created,
    expiresAt: h.expires,
    threadId: h.threadId,
    replyTo: h.replyTo,
    lang: h.lang,
    senderDisplay,
    origin,
    receivedAt,
    size,
    attachments: h.attachments,
  }
}
