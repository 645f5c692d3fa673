/**
 * @module letter/read
 * Reads and verifies a sealed letter's outer layer, shared by {@link inspectLetter} and
 * {@link openLetter}. Order (`spec/05-sealed-letter.md` section 5.7): size limit; the COSE_Sign1
 * and its protected header, exactly as the profile fixes them; the sender's key from the
 * caller; the signature; only then the time checks and the encrypted payload's structure.
 */
import { BaridError } from '../errors.js'
import { bytesEqual, sha256, toHex } from '../bytes.js'
import type { CborKey, CborValue } from '../cbor/index.js'
import { SIGNATURE_ALG, type SignatureAlgorithm } from '../cose/algorithms.js'
import { parseCoseKey } from '../cose/cose-key.js'
import { parseCoseEncrypt, type ParsedCoseEncrypt } from '../cose/decrypt.js'
import type { HeaderMap } from '../cose/headers.js'
import { HEADER, ECDH_HEADER } from '../cose/labels.js'
import type { SignatureVerifier } from '../cose/signature.js'
import { decodeSign1, verifySign1Signature, type DecodedSign1 } from '../cose/sign1.js'
import { letterError } from './errors.js'
import { BARID_LETTER_LABEL, parseLetterHeader, type LetterHeader } from './header.js'
import {
  DEFAULT_CLOCK_SKEW,
  MAX_CERT_BYTES,
  MAX_COSE_RECIPIENTS,
  MAX_HEADER_BYTES,
  MAX_LETTER_BYTES,
  MAX_X5CHAIN_CERTS,
} from './limits.js'

/** `typ` (RFC 9596) of a sealed letter; it keeps a letter from being taken for another signed object. */
export const LETTER_TYP = 'application/barid-letter+cose'
/** `content type` of the outer payload: CoAP Content-Format 96, `application/cose; cose-type="cose-encrypt"`. */
export const LETTER_PAYLOAD_CTY = 96

const PROTECTED_LABELS: readonly CborKey[] = [
  HEADER.alg,
  HEADER.crit,
  HEADER.contentType,
  HEADER.kid,
  HEADER.typ,
  HEADER.x5chain,
  BARID_LETTER_LABEL,
]
const CONTENT_PROTECTED = Uint8Array.of(0xa1, 0x01, 0x03) // {1: 3}, A256GCM
const RECIPIENT_PROTECTED = Uint8Array.of(0xa1, 0x01, 0x38, 0x1e) // {1: -31}, ECDH-ES + A256KW

/** Who signed a letter, from its protected header. */
export interface LetterSigner {
  /** The sender's signing key id (32 bytes: RFC 7638 SHA-256 thumbprint). */
  readonly kid: Uint8Array
  readonly alg: SignatureAlgorithm
  /** The sender's certificate chain, leaf first (DER), when the letter carries one. */
  readonly x5chain?: readonly Uint8Array[]
}

/**
 * Finds the sender's public signing key. It MUST return only a key bound to `header.sender`
 * (else throw `ERR_SENDER_MISMATCH`), and throw `ERR_KEY_NOT_FOUND` for an unknown kid.
 * The header is not yet verified when it is called.
 */
export type ResolveSenderKey = (
  kid: Uint8Array,
  header: LetterHeader,
  x5chain: readonly Uint8Array[] | undefined,
) => Promise<CryptoKey>

/** Options shared by the readers. */
export interface ReadLetterOptions {
  resolveSenderKey: ResolveSenderKey
  /** The reader's clock, in milliseconds since the epoch. Default `Date.now()`. */
  now?: number
  /** Largest letter accepted; at most, and by default, {@link MAX_LETTER_BYTES}. */
  maxBytes?: number
  /** Refuse a letter past `expires` with `ERR_LETTER_EXPIRED`. */
  checkExpiry?: boolean
  /** Seconds `created` may be ahead of `now`. Default 300. */
  clockSkew?: number
  /**
   * Signature verification in place of WebCrypto's, e.g. a server's synchronous one (WebCrypto
   * hands each verification to a worker thread). Every check before and after the signature
   * stays the same.
   */
  verifier?: SignatureVerifier
}

/** What {@link readLetter} also needs to know. */
interface ReadMode {
  /** Hash the letter (operators need the digest; a recipient opening it does not). */
  digest: boolean
}

/** A letter whose signature verified, with its payload parsed but not decrypted. */
export interface VerifiedLetter {
  readonly header: LetterHeader
  readonly signer: LetterSigner
  /** Present when asked for. */
  readonly digest: Uint8Array | undefined
  readonly protectedBytes: Uint8Array
  readonly payload: ParsedCoseEncrypt
}

function malformed(message: string): never {
  throw new BaridError('ERR_LETTER_MALFORMED', `sealed letter: ${message}`)
}

function readX5chain(v: CborValue | undefined): readonly Uint8Array[] | undefined {
  if (v === undefined) return undefined
  // RFC 9360 section 2: one certificate as a bstr, two or more as an array.
  const certs =
    v instanceof Uint8Array
      ? [v]
      : Array.isArray(v) && v.length >= 2
        ? (v as readonly CborValue[])
        : malformed('x5chain must be a bstr or an array of 2 or more')
  if (certs.length > MAX_X5CHAIN_CERTS)
    throw new BaridError(
      'ERR_INPUT_TOO_LARGE',
      `x5chain holds more than ${MAX_X5CHAIN_CERTS} certificates`,
    )
  return certs.map((c) => {
    if (!(c instanceof Uint8Array) || c.length === 0)
      return malformed('x5chain certificates must be byte strings')
    if (c.length > MAX_CERT_BYTES)
      throw new BaridError('ERR_INPUT_TOO_LARGE', `a certificate exceeds ${MAX_CERT_BYTES} bytes`)
    return c
  })
}

/** Checks the protected header against the profile and returns the letter header and signer. */
function readProtected(d: DecodedSign1): { header: LetterHeader; signer: LetterSigner } {
  if (d.unprotectedHeader.size !== 0) malformed('the unprotected header must be empty')
  const p: HeaderMap = d.protectedHeader
  for (const label of p.keys())
    if (!PROTECTED_LABELS.includes(label)) malformed(`header label ${String(label)} is not allowed`)
  const crit = p.get(HEADER.crit)
  if (!Array.isArray(crit) || crit.length !== 1 || crit[0] !== BARID_LETTER_LABEL)
    malformed('crit must be [-65537]')
  if (p.get(HEADER.contentType) !== LETTER_PAYLOAD_CTY)
    malformed('content type must be 96 (cose-encrypt)')
  if (p.get(HEADER.typ) !== LETTER_TYP) malformed(`typ must be ${LETTER_TYP}`)
  const kid = p.get(HEADER.kid)
  if (!(kid instanceof Uint8Array) || kid.length !== 32) malformed('kid must be 32 bytes')
  const header = parseLetterHeader(p.get(BARID_LETTER_LABEL))
  const x5chain = readX5chain(p.get(HEADER.x5chain))
  const alg: SignatureAlgorithm = d.alg === SIGNATURE_ALG.EdDSA ? 'EdDSA' : 'ES256'
  return { header, signer: x5chain === undefined ? { kid, alg } : { kid, alg, x5chain } }
}

/** Checks the payload is the profile's COSE_Encrypt: fixed headers, one wrapped key per unique kid. */
function checkPayload(e: ParsedCoseEncrypt): void {
  if (
    !bytesEqual(e.headers.protectedBytes, CONTENT_PROTECTED) ||
    e.headers.unprotected.size !== 1 ||
    !e.headers.unprotected.has(HEADER.iv)
  ) {
    malformed('the payload must be A256GCM with only the IV unprotected')
  }
  const kids = new Set<string>()
  for (const r of e.recipients) {
    const u = r.headers.unprotected
    if (
      !bytesEqual(r.headers.protectedBytes, RECIPIENT_PROTECTED) ||
      u.size !== 2 ||
      !u.has(ECDH_HEADER.ephemeralKey)
    ) {
      malformed(
        'each recipient must be ECDH-ES + A256KW with only kid and ephemeral key unprotected',
      )
    }
    if (r.kid === undefined || r.kid.length !== 32)
      malformed('each recipient must carry a 32-byte kid')
    parseCoseKey(u.get(ECDH_HEADER.ephemeralKey))
    const k = toHex(r.kid)
    if (kids.has(k)) malformed('two recipients carry the same kid')
    kids.add(k)
  }
}

async function resolveKey(
  options: ReadLetterOptions,
  kid: Uint8Array,
  header: LetterHeader,
  x5chain: readonly Uint8Array[] | undefined,
): Promise<CryptoKey> {
  try {
    return await options.resolveSenderKey(kid, header, x5chain)
  } catch (e) {
    if (e instanceof BaridError) throw e
    throw new BaridError('ERR_INTERNAL', 'the sender key resolver failed', { cause: e })
  }
}

/** Reads and verifies the outer layer of a sealed letter. */
export async function readLetter(
  bytes: Uint8Array,
  options: ReadLetterOptions,
  mode: ReadMode,
): Promise<VerifiedLetter> {
  if (!(bytes instanceof Uint8Array))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'a sealed letter is a Uint8Array')
  const maxBytes = Math.min(options.maxBytes ?? MAX_LETTER_BYTES, MAX_LETTER_BYTES)
  if (bytes.length > maxBytes) {
    throw new BaridError(
      'ERR_INPUT_TOO_LARGE',
      `sealed letter of ${bytes.length} bytes exceeds ${maxBytes}`,
      {
        details: { limit: maxBytes, size: bytes.length },
      },
    )
  }
  // The digest is needed only at the end, but WebCrypto can hash while the rest runs.
  const digest = mode.digest ? sha256(bytes) : undefined
  let decoded: DecodedSign1
  let header: LetterHeader
  let signer: LetterSigner
  try {
    // The header's size is checked before it is decoded (spec 04, 4.1 rule 5).
    decoded = decodeSign1(bytes, {
      maxBytes,
      maxItems: 8192,
      maxProtectedBytes: MAX_HEADER_BYTES,
      understood: [BARID_LETTER_LABEL],
    })
    ;({ header, signer } = readProtected(decoded))
  } catch (e) {
    throw letterError(e, 'structure')
  }
  const key = await resolveKey(options, signer.kid, header, signer.x5chain)
  try {
    await verifySign1Signature(decoded, key, { verifier: options.verifier })
  } catch (e) {
    throw letterError(e, 'signature')
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000)
  if (header.created > now + (options.clockSkew ?? DEFAULT_CLOCK_SKEW)) {
    throw new BaridError(
      'ERR_LETTER_CLOCK_SKEW',
      "the letter was created later than the receiver's clock allows",
      {
        details: { created: header.created, now },
      },
    )
  }
  if (options.checkExpiry === true && header.expires <= now) {
    throw new BaridError('ERR_LETTER_EXPIRED', 'the letter is past its expiry time', {
      details: { expires: header.expires, now },
    })
  }
  let payload: ParsedCoseEncrypt
  try {
    payload = parseCoseEncrypt(decoded.payload, {
      maxBytes,
      maxItems: 16 * MAX_COSE_RECIPIENTS + 64,
      maxRecipients: MAX_COSE_RECIPIENTS,
    })
    checkPayload(payload)
  } catch (e) {
    throw letterError(e, 'structure')
  }
  return { header, signer, digest: await digest, protectedBytes: decoded.protectedBytes, payload }
}
