/**
 * @module letter/vectors-intermediates
 * The intermediate values of a sealed letter for spec/vectors/letter.json, so that another
 * implementation that fails to reproduce a letter can tell which step differs: the protected
 * header bytes (the wire form of the letter header), Sig_structure, Enc_structure, the content
 * plaintext, and per COSE recipient the ECDH secret, KDF context, KEK and wrapped CEK.
 * None depends on a randomised signature, so ES256 letters have them too.
 */
import { toHex } from '../bytes.js'
import {
  CborTag,
  decodeStrict,
  encodeCanonical,
  type CborKey,
  type CborValue,
} from '../cbor/index.js'
import { kdfContext } from '../cose/kdf.js'
import { encStructure, sigStructure } from '../cose/structures.js'
import type { FixedKey } from './fixed-keys.js'

const RECIPIENT_PROTECTED = Uint8Array.of(0xa1, 0x01, 0x38, 0x1e)
const CONTENT_PROTECTED = Uint8Array.of(0xa1, 0x01, 0x03)

async function sharedSecret(ephemeral: FixedKey, recipient: FixedKey): Promise<Uint8Array> {
  const curve = ephemeral.jwk.crv === 'X25519' ? 'X25519' : 'ECDH'
  const bits = await crypto.subtle.deriveBits(
    { name: curve, public: recipient.publicKey },
    ephemeral.privateKey,
    256,
  )
  return new Uint8Array(bits)
}

async function hkdf(ikm: Uint8Array, info: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', ikm as Uint8Array<ArrayBuffer>, 'HKDF', false, [
    'deriveBits',
  ])
  const bits = await crypto.subtle.deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: info as Uint8Array<ArrayBuffer>,
    },
    key,
    256,
  )
  return new Uint8Array(bits)
}

/**
 * Intermediates of `letter`, whose COSE recipients were made for `recipients` (in COSE order)
 * with `ephemerals` (the same order) and whose content is `content`.
 *
 * @example
 * ```ts
 * const i = await letterIntermediates(bytes, [amina, skatEncryption], [eph0, eph1], content)
 * i.recipients[0].kek // hex of the KEK for Amina's entry
 * ```
 */
export async function letterIntermediates(
  letter: Uint8Array,
  recipients: readonly FixedKey[],
  ephemerals: readonly FixedKey[],
  content: Map<CborKey, CborValue>,
): Promise<Record<string, unknown>> {
  const outer = decodeStrict(letter, { tags: new Set([18]) }) as CborTag
  const [protectedBytes, , payload] = outer.value as [Uint8Array, unknown, Uint8Array]
  const inner = decodeStrict(payload, { tags: new Set([96]) }) as CborTag
  type Entry = [Uint8Array, Map<CborKey, CborValue>, Uint8Array]
  const entries = (inner.value as CborValue[])[3] as Entry[]
  const context = kdfContext({
    algorithmId: -5,
    keyDataLength: 256,
    protectedBytes: RECIPIENT_PROTECTED,
  })
  const perRecipient = []
  for (const [i, entry] of entries.entries()) {
    const z = await sharedSecret(ephemerals[i]!, recipients[i]!)
    perRecipient.push({
      key: recipients[i]!.name,
      kid: toHex(entry[1].get(4) as Uint8Array),
      ephemeralKey: ephemerals[i]!.name,
      sharedSecret: toHex(z),
      kek: toHex(await hkdf(z, context)),
      wrappedCek: toHex(entry[2]),
    })
  }
  return {
    protectedHeader: toHex(protectedBytes),
    toBeSigned: toHex(sigStructure(protectedBytes, undefined, payload)),
    encStructure: toHex(encStructure('Encrypt', CONTENT_PROTECTED, protectedBytes)),
    content: toHex(encodeCanonical(content)),
    kdfContext: toHex(context),
    recipients: perRecipient,
  }
}
