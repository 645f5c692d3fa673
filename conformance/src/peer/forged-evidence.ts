/**
 * @module peer/forged-evidence
 * Evidence records (section 07) a sending node must not keep when a receiver returns them in a
 * transaction answer (spec 11.4): records that do not verify with their issuer's evidence key
 * (signed with another key under the issuer's kid, a broken signature, or naming an issuer whose
 * key did not sign them), and well-signed records about another letter or other content under
 * the letter's id. The harness peer answers with them in its `forge` answers (peer/harness-peer).
 */
import {
  createEvidence,
  fromHex,
  generateKeyPair,
  type CreateEvidenceOptions,
  type EvidenceReason,
  type EvidenceType,
} from '@barid/core'
import type { OperatorIdentity } from './identity.js'

/** What a record says, before it is signed. */
export interface RecordFields {
  type: EvidenceType
  letterId: string
  /** Hex SHA-256 of the letter the record names. */
  digest: string
  recipient: string
  prev: Uint8Array
  reason?: EvidenceReason
  time: number
}

/**
 * How a record fails to be evidence about a letter: `wrong-key` signed with a key that is not
 * the issuer's under the issuer's kid, `broken-signature` signed by the issuer with one signature
 * bit flipped, `other-issuer` naming `issuer` while the peer's key signed it, `valid` signed as it
 * should be (for records about another letter or digest, which fail on their content).
 */
export type Forgery = 'wrong-key' | 'broken-signature' | 'other-issuer' | 'valid'

/**
 * A record with `fields`, issued by the peer `id` and spoiled as `how` says (`issuer`: the
 * operator an `other-issuer` record names).
 *
 * @example
 * ```ts
 * const bytes = await forgedRecord(peer.id, fields, 'broken-signature')
 * ```
 */
export async function forgedRecord(
  id: OperatorIdentity,
  fields: RecordFields,
  how: Forgery,
  o: { issuer?: string } = {},
): Promise<Uint8Array> {
  const key =
    how === 'wrong-key'
      ? { privateKey: (await generateKeyPair('Ed25519')).privateKey, kid: id.evidence.kid }
      : { privateKey: id.evidence.privateKey, kid: id.evidence.kid }
  const options: CreateEvidenceOptions = {
    type: fields.type,
    letterId: fields.letterId,
    letterDigest: fromHex(fields.digest),
    issuer: how === 'other-issuer' ? (o.issuer ?? 'other.test') : id.operator,
    recipient: fields.recipient,
    prev: fields.prev,
    time: fields.time,
    key,
    ...(fields.reason ? { reason: fields.reason } : {}),
  }
  const bytes = (await createEvidence(options)).bytes.slice()
  // The signature is the last member of the COSE_Sign1 array: its last byte ends the record.
  if (how === 'broken-signature') bytes[bytes.length - 1]! ^= 0x01
  return bytes
}

/** `digest` with its first hex digit changed: the digest of no letter sent. */
export function otherDigest(digest: string): string {
  return digest.replace(/^./, (c) => (c === '0' ? '1' : '0'))
}
