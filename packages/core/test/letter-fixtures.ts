/**
 * Test-only fixtures for sealed letters: a small directory of senders and mailboxes with keys,
 * a sender-key resolver that behaves as a node's directory should, and a forger that rewrites a
 * letter's protected header and re-signs it (for the attacks the tests replay).
 */
import { toHex } from '../src/bytes.js'
import { BaridError } from '../src/errors.js'
import {
  CborTag,
  decodeStrict,
  encodeCanonical,
  type CborKey,
  type CborValue,
} from '../src/cbor/index.js'
import type { LetterHeader } from '../src/letter/header.js'
import type { ResolveSenderKey } from '../src/letter/read.js'
import type { SealRecipient, SealSender } from '../src/letter/seal.js'
import { signSign1 } from '../src/cose/sign1.js'
import { signatureAlgorithmOfKey } from '../src/cose/signature.js'
import {
  agreementKey,
  signingKey,
  type AgreementCurve,
  type SigningCurve,
  type TestKey,
} from './keys.js'

export interface TestSender {
  address: string
  signing: TestKey
  encryption: TestKey
  seal: SealSender
}

export interface TestMailbox {
  address: string
  keys: TestKey[]
  seal: SealRecipient
}

export async function makeSender(
  address: string,
  curve: SigningCurve,
  enc: AgreementCurve = 'X25519',
): Promise<TestSender> {
  const [signing, encryption] = await Promise.all([signingKey(curve), agreementKey(enc)])
  return {
    address,
    signing,
    encryption,
    seal: {
      address,
      signingKey: signing.privateKey,
      kid: signing.kid,
      encryptionKey: { publicKey: encryption.publicKey, kid: encryption.kid },
    },
  }
}

export async function makeMailbox(address: string, curves: AgreementCurve[]): Promise<TestMailbox> {
  const keys = await Promise.all(curves.map(agreementKey))
  return {
    address,
    keys,
    seal: { address, keys: keys.map((k) => ({ publicKey: k.publicKey, kid: k.kid })) },
  }
}

/** A directory resolver: the kid must be a known signing key of the header's sender. */
export function directory(senders: readonly TestSender[]): ResolveSenderKey {
  const byKid = new Map(senders.map((s) => [toHex(s.signing.kid), s]))
  return async (kid: Uint8Array, header: LetterHeader): Promise<CryptoKey> => {
    const s = byKid.get(toHex(kid))
    if (s === undefined) throw new BaridError('ERR_KEY_NOT_FOUND', 'unknown sender key')
    if (s.address !== header.sender)
      throw new BaridError('ERR_SENDER_MISMATCH', "key is not the sender's")
    return s.signing.publicKey
  }
}

/** The decoded parts of a sealed letter. */
export function letterParts(bytes: Uint8Array): {
  protected: Map<CborKey, CborValue>
  payload: Uint8Array
  protectedBytes: Uint8Array
} {
  const t = decodeStrict(bytes, { tags: new Set([18]), maxBytes: 1 << 25 }) as CborTag
  const [p, , payload] = t.value as [Uint8Array, unknown, Uint8Array, Uint8Array]
  return {
    protected: decodeStrict(p, { maxItems: 100_000, maxBytes: 1 << 25 }) as Map<CborKey, CborValue>,
    payload,
    protectedBytes: p,
  }
}

/**
 * Rewrites a letter's protected header (and optionally its payload) and signs the result with
 * `key`: what an attacker who strips the signature can produce.
 */
export async function forge(
  bytes: Uint8Array,
  key: CryptoKey,
  change: (protectedHeader: Map<CborKey, CborValue>, letterHeader: Map<CborKey, CborValue>) => void,
  payload?: Uint8Array,
): Promise<Uint8Array> {
  const parts = letterParts(bytes)
  const header = new Map(parts.protected.get(-65537) as Map<CborKey, CborValue>)
  const prot = new Map(parts.protected)
  prot.set(-65537, header)
  change(prot, header)
  prot.set(1, signatureAlgorithmOfKey(key))
  const protectedBytes = encodeCanonical(prot)
  return signSign1({ payload: payload ?? parts.payload, key, protectedHeader: protectedBytes })
}

/** Rebuilds a Sign1 from raw parts without signing (for shape tests). */
export function rawSign1(parts: CborValue[]): Uint8Array {
  return encodeCanonical(new CborTag(18, parts))
}
