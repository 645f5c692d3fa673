/**
 * @module cose/typed-document
 * The envelope every signed Barid document shares (trust lists, revocation lists, discovery
 * documents, log checkpoints, cosignatures, fork statements): a tagged
 * COSE_Sign1 (RFC 9052 section 4.2) whose protected header carries `alg`, `kid` (the signer's
 * RFC 7638 thumbprint) and `typ` (RFC 9596), and whose payload is canonical CBOR. The `typ`
 * separates the document kinds, so a signature made for one is never accepted as another.
 * Verification order (spec/00 section 0.4): the envelope is read only far enough to find the key,
 * the signature is checked, and only then is the payload decoded. Documents may also carry
 * the signer's certificate in the protected header (`x5chain`, RFC 9360 section 2), so the key
 * is found, and validated against the trust list, before the payload is read.
 */
import {
  decodeStrict,
  encodeCanonical,
  type CborKey,
  type CborValue,
  type DecodeLimits,
} from '../cbor/index.js'
import { BaridError, type BaridErrorCode } from '../errors.js'
import { decodeSign1, signSign1, verifyKnownSigner } from './sign1.js'

const HEADER_KID = 4
const HEADER_TYP = 16
const HEADER_X5CHAIN = 33

/** A document type: a media type such as `application/barid-trust-list+cose` (RFC 9596 `typ`). */
export type DocumentType = `application/barid-${string}+cose`

/** The signing half of a key pair: a private key and its RFC 7638 key id (32 bytes). */
export interface DocumentSigner {
  readonly privateKey: CryptoKey
  readonly kid: Uint8Array
}

/**
 * Signs `payload` (encoded canonically) as a document of type `typ`.
 *
 * @example
 * ```ts
 * const bytes = await signDocument(payloadMap, DOCUMENT_TYPE.trustList, governanceKeyPair)
 * ```
 */
export async function signDocument(
  payload: CborValue,
  typ: DocumentType,
  signer: DocumentSigner,
  certificate?: Uint8Array,
): Promise<Uint8Array> {
  const header = new Map<CborKey, CborValue>([
    [HEADER_KID, signer.kid],
    [HEADER_TYP, typ],
  ])
  if (certificate !== undefined) header.set(HEADER_X5CHAIN, certificate)
  return signSign1({
    payload: encodeCanonical(payload),
    key: signer.privateKey,
    protectedHeader: header,
  })
}

/** A document whose envelope was read but whose signature is not yet checked. */
export interface OpenedDocument {
  /** The signer's key id from the protected header. */
  readonly kid: Uint8Array
  /** The exact payload bytes the signature covers (not yet verified). */
  readonly payloadBytes: Uint8Array
  /** The signer's certificate (RFC 9360 `x5chain`, one certificate), for documents that carry it. */
  readonly x5chain: Uint8Array | undefined
  /** Checks the signature under `key`, then decodes the payload with `limits`. */
  verify(key: CryptoKey, limits: DecodeLimits): Promise<CborValue>
}

/**
 * Reads the envelope of a document of type `typ`: bounded size, COSE shape, allowed algorithm,
 * protected `kid` and `typ`. Shape problems specific to the document fail with `code`.
 *
 * @example
 * ```ts
 * const doc = openDocument(bytes, DOCUMENT_TYPE.trustList, 'ERR_TRUST_LIST_MALFORMED', 4 << 20)
 * const payload = await doc.verify(keyFor(doc.kid), TRUST_LIST_LIMITS)
 * ```
 */
export function openDocument(
  bytes: Uint8Array,
  typ: DocumentType,
  code: BaridErrorCode,
  maxBytes: number,
  options: { x5chain?: boolean } = {},
): OpenedDocument {
  if (!(bytes instanceof Uint8Array))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'document must be bytes')
  if (bytes.length > maxBytes) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'document exceeds its size limit', {
      details: { limit: maxBytes },
    })
  }
  // The envelope has five items plus the headers; the payload is a single byte string here.
  const decoded = decodeSign1(bytes, { maxBytes, maxItems: 64 })
  const p = decoded.protectedHeader
  for (const label of p.keys()) {
    if (
      label !== 1 &&
      label !== HEADER_KID &&
      label !== HEADER_TYP &&
      !(label === HEADER_X5CHAIN && options.x5chain === true)
    ) {
      throw new BaridError(code, 'document carries an unknown protected header parameter')
    }
  }
  if (decoded.unprotectedHeader.size !== 0)
    throw new BaridError(code, 'document must have an empty unprotected header')
  if (p.get(HEADER_TYP) !== typ)
    throw new BaridError(code, 'document is not of the expected type', {
      details: { expected: typ },
    })
  const kid = p.get(HEADER_KID)
  if (!(kid instanceof Uint8Array) || kid.length !== 32)
    throw new BaridError(code, 'document must name its signer by a 32-byte kid')
  const x5chain = p.get(HEADER_X5CHAIN)
  if (options.x5chain === true && !(x5chain instanceof Uint8Array)) {
    throw new BaridError(
      code,
      "document must carry its signer's certificate (x5chain, one certificate)",
    )
  }
  return {
    kid,
    payloadBytes: decoded.payload,
    x5chain: x5chain instanceof Uint8Array ? x5chain : undefined,
    async verify(key: CryptoKey, limits: DecodeLimits): Promise<CborValue> {
      await verifyKnownSigner(decoded, key, 'document')
      try {
        return decodeStrict(decoded.payload, { ...limits, canonical: true })
      } catch (e) {
        if (e instanceof BaridError && e.code.startsWith('ERR_CBOR_')) {
          throw new BaridError(code, `payload is not canonical CBOR: ${e.message}`, {
            cause: e,
            details: { cbor: e.code },
          })
        }
        throw e
      }
    },
  }
}
