/**
 * @module peer/letters
 * Letters the harness peer sends (spec 11.4): sealed by one of its sender mailboxes, certified
 * by its evidence key, with a `submission-accepted` record for registered mail, wrapped in a
 * transaction entry. Tampering and forgery start from these.
 */
import {
  createEvidence,
  sealLetter,
  toBase64Url,
  type KeyPair,
  type SealedLetter,
  type SignedEvidence,
} from '@barid/core'
import { certifyKey, type OperatorIdentity } from './identity.js'

/** A sender at the peer, with its certified signing key. */
export interface PeerSender {
  address: string
  signing: KeyPair
  encryption: KeyPair
  certificate: string
}

/** A recipient's encryption key. */
export interface RecipientKey {
  address: string
  key: { publicKey: CryptoKey; kid: Uint8Array }
}

/**
 * @example
 * ```ts
 * const s = await peerSender(h, 'agency', nowMs)
 * ```
 */
export async function peerSender(
  id: OperatorIdentity,
  local: string,
  keys: { signing: KeyPair; encryption: KeyPair },
  nowMs: number,
  o: { address?: string } = {},
): Promise<PeerSender> {
  const address = o.address ?? `${local}@${id.operator}`
  return {
    address,
    ...keys,
    certificate: await certifyKey(id, { sub: address, use: 'sig', key: keys.signing, nowMs }),
  }
}

/** Seals a letter from `sender` to `to`. */
export async function sealFrom(
  sender: PeerSender,
  to: readonly RecipientKey[],
  o: { kind: 'letter' | 'registered'; nowMs: number; subject?: string; lang?: string },
): Promise<SealedLetter> {
  return sealLetter({
    sender: {
      address: sender.address,
      signingKey: sender.signing.privateKey,
      kid: sender.signing.kid,
      encryptionKey: { publicKey: sender.encryption.publicKey, kid: sender.encryption.kid },
    },
    recipients: to.map((r) => ({ address: r.address, keys: [r.key] })),
    kind: o.kind,
    contentType: 'text/plain; charset=utf-8',
    lang: o.lang ?? 'en',
    subject: o.subject ?? 'Conformance',
    body: new TextEncoder().encode('A letter from the conformance harness.'),
    now: o.nowMs,
  })
}

/** The submission record the sending operator issues for registered mail (14.5). */
export async function submissionRecord(
  id: OperatorIdentity,
  letter: SealedLetter,
  nowMs: number,
): Promise<SignedEvidence> {
  return createEvidence({
    type: 'submission-accepted',
    letterId: letter.id,
    letterDigest: letter.digest,
    issuer: id.operator,
    time: nowMs,
    key: { privateKey: id.evidence.privateKey, kid: id.evidence.kid },
  })
}

/** A transaction's letter entry (11.4). */
export function letterEntry(o: {
  bytes: Uint8Array
  recipients: string[]
  deliverBeforeMs: number
  senderCertificate: string
  evidence?: Uint8Array[]
  /** The sender's display names (11.4), sent as given, well-formed or not. */
  senderDisplay?: unknown
}): Record<string, unknown> {
  return {
    letter: toBase64Url(o.bytes),
    recipients: o.recipients,
    deliverBefore: new Date(o.deliverBeforeMs).toISOString(),
    senderCertificate: o.senderCertificate,
    evidence: (o.evidence ?? []).map((e) => toBase64Url(e)),
    ...('senderDisplay' in o ? { senderDisplay: o.senderDisplay } : {}),
  }
}

/** A fresh transaction id (11.4: 8 to 64 base64url characters). */
export function newTxid(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(18)))
}
