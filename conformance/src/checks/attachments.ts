/**
 * @module checks/attachments
 * A letter from the harness peer with one encrypted attachment (spec 06), for the checks on
 * blobs (11.5) and on letters that name attachments (11.4 step 5).
 */
import { encryptAttachment, sealLetter, toHex } from '@barid/core'
import { letterEntry, type PeerSender, type RecipientKey } from '../peer/letters.js'
import { textAttachment } from '../world/parties.js'
import type { World } from '../world/world.js'

/**
 * @example
 * ```ts
 * const a = await attachmentLetter(world, sender, recipient) // a.blob is the ciphertext to upload
 * ```
 */
export async function attachmentLetter(world: World, sender: PeerSender, to: RecipientKey) {
  const enc = await encryptAttachment(
    new TextEncoder().encode('attached by the conformance harness'),
    {
      attachmentId: 'a1',
    },
  )
  const now = world.clock.now()
  const letter = await sealLetter({
    sender: {
      address: sender.address,
      signingKey: sender.signing.privateKey,
      kid: sender.signing.kid,
      encryptionKey: { publicKey: sender.encryption.publicKey, kid: sender.encryption.kid },
    },
    recipients: [{ address: to.address, keys: [to.key] }],
    contentType: 'text/plain; charset=utf-8',
    lang: 'en',
    body: new TextEncoder().encode('see attachment'),
    attachments: [textAttachment(enc)],
    now,
  })
  return {
    letter,
    blob: enc.ciphertext,
    digest: toHex(enc.sha256),
    entry: letterEntry({
      bytes: letter.bytes,
      recipients: [to.address],
      deliverBeforeMs: now + 3600_000,
      senderCertificate: sender.certificate,
    }),
  }
}
