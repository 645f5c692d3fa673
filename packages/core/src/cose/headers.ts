/**
 * @module cose/headers
 * Reading COSE messages off the wire: the tagged array, and the protected / unprotected header
 * pair every layer carries (RFC 9052 section 3). Shape errors become `ERR_COSE_MALFORMED`;
 * CBOR errors are wrapped the same way (with the CBOR code in `details`) so callers see one code
 * per layer, except `ERR_INPUT_TOO_LARGE`, which stays what it is.
 */
import { BaridError } from '../errors.js'
import { CborTag, decodeStrict, type CborKey, type CborValue } from '../cbor/index.js'
import { COSE_TAG, HEADER } from './labels.js'

/** A decoded header map. Labels are integers or text (RFC 9052 section 3). */
export type HeaderMap = ReadonlyMap<CborKey, CborValue>

/** Options for reading COSE messages. */
export interface CoseReadOptions {
  /** Largest message accepted, in bytes. Default 1 MiB. */
  maxBytes?: number
  /** Most CBOR data items. Default 10,000. */
  maxItems?: number
  /**
   * Require deterministic CBOR (RFC 8949 4.2.1), as Barid's own structures are. Default true;
   * false only to read other producers' messages.
   */
  canonical?: boolean
  /** Accept the message without its CBOR tag (RFC 9052 section 2 leaves tagging to the application). Default false. */
  allowUntagged?: boolean
  /** Labels the application understands when they are listed in `crit`. Default none. */
  understood?: readonly CborKey[]
  /**
   * Largest protected header, in bytes, compared with the byte string's length before it is
   * decoded (`ERR_INPUT_TOO_LARGE`), so an oversize header costs no decoding. Default none.
   */
  maxProtectedBytes?: number
}

const COSE_TAGS: ReadonlySet<number> = new Set(Object.values(COSE_TAG))
const EMPTY: HeaderMap = new Map()

export function malformed(
  message: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): never {
  throw new BaridError('ERR_COSE_MALFORMED', message, { cause, details })
}

/** Runs a CBOR decode, turning CBOR errors into `ERR_COSE_MALFORMED`. */
export function decodeCbor(
  bytes: Uint8Array,
  options: Parameters<typeof decodeStrict>[1],
): CborValue {
  try {
    return decodeStrict(bytes, options)
  } catch (e) {
    if (e instanceof BaridError && e.code.startsWith('ERR_CBOR_')) {
      malformed(`not well-formed CBOR: ${e.message}`, { cbor: e.code }, e)
    }
    throw e
  }
}

/**
 * Decodes a COSE message and returns its array, checking the tag and the array length.
 * A different COSE tag is reported with `details.tag` so a caller can say what it got.
 */
export function readMessage(
  bytes: Uint8Array,
  tag: number,
  length: number,
  what: string,
  options: CoseReadOptions = {},
): readonly CborValue[] {
  const value = decodeCbor(bytes, {
    maxBytes: options.maxBytes,
    maxItems: options.maxItems,
    canonical: options.canonical ?? true,
    tags: COSE_TAGS,
  })
  let body = value
  if (value instanceof CborTag) {
    if (value.tag !== tag)
      malformed(`${what} must carry tag ${tag}, not ${value.tag}`, { tag: value.tag })
    body = value.value
  } else if (options.allowUntagged !== true) {
    malformed(`${what} must carry tag ${tag}`)
  }
  if (!Array.isArray(body) || body.length !== length)
    malformed(`${what} must be an array of ${length} items`)
  return body as readonly CborValue[]
}

/** The two header buckets of one layer, and the exact protected bytes that were signed or authenticated. */
export interface Headers {
  readonly protectedBytes: Uint8Array
  readonly protected: HeaderMap
  readonly unprotected: HeaderMap
}

/**
 * Parses a layer's `protected` (a bstr wrapping a map) and `unprotected` (a map) members and
 * applies RFC 9052 section 3's rules: no label in both buckets, `crit` only protected and only
 * naming understood labels that are present, and the common parameters of the right type.
 */
export function readHeaders(
  protectedRaw: CborValue,
  unprotectedRaw: CborValue,
  options: CoseReadOptions = {},
): Headers {
  if (!(protectedRaw instanceof Uint8Array)) malformed('protected header must be a byte string')
  const limit = options.maxProtectedBytes
  if (limit !== undefined && protectedRaw.length > limit) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', `protected header exceeds ${limit} bytes`, {
      details: { limit, size: protectedRaw.length },
    })
  }
  let prot: HeaderMap = EMPTY
  let protectedBytes = protectedRaw
  if (protectedRaw.length > 0) {
    const decoded = decodeCbor(protectedRaw, {
      maxBytes: protectedRaw.length,
      maxItems: options.maxItems,
      canonical: options.canonical ?? true,
    })
    if (!(decoded instanceof Map)) malformed('protected header must encode a map')
    if (decoded.size > 0) prot = decoded
    // RFC 9052 section 3: no protected parameters is a zero-length bstr. Other producers may
    // write h'A0' instead; it then counts as empty, in Sig_structure and Enc_structure too.
    else if (options.canonical ?? true)
      malformed('an empty protected header must be a zero-length byte string')
    else protectedBytes = new Uint8Array(0)
  }
  if (!(unprotectedRaw instanceof Map)) malformed('unprotected header must be a map')
  const unprot: HeaderMap = unprotectedRaw
  for (const label of unprot.keys()) {
    if (prot.has(label))
      malformed(`header label ${String(label)} appears in both buckets`, { label: String(label) })
  }
  if (unprot.has(HEADER.crit)) malformed('crit must be a protected header parameter')
  checkCrit(prot, options.understood ?? [])
  checkCommonTypes(prot)
  checkCommonTypes(unprot)
  return { protectedBytes, protected: prot, unprotected: unprot }
}

function checkCrit(prot: HeaderMap, understood: readonly CborKey[]): void {
  const crit = prot.get(HEADER.crit)
  if (crit === undefined) return
  if (!Array.isArray(crit) || crit.length === 0) malformed('crit must be a non-empty array')
  for (const label of crit as readonly CborValue[]) {
    if (typeof label !== 'number' && typeof label !== 'string')
      malformed('crit must list integer or text labels')
    if (!prot.has(label))
      malformed(`crit lists label ${String(label)}, which is not in the protected header`)
    if (!understood.includes(label)) {
      throw new BaridError(
        'ERR_COSE_CRITICAL_UNKNOWN',
        `critical header parameter ${String(label)} is not understood`,
        {
          details: { label: String(label) },
        },
      )
    }
  }
}

const BSTR_LABELS: readonly number[] = [HEADER.kid, HEADER.iv, HEADER.partialIv]

function checkCommonTypes(h: HeaderMap): void {
  if (h.size === 0) return
  const alg = h.get(HEADER.alg)
  if (alg !== undefined && typeof alg !== 'number' && typeof alg !== 'string')
    malformed('alg must be an integer or text')
  for (const label of BSTR_LABELS) {
    const v = h.get(label)
    if (v !== undefined && !(v instanceof Uint8Array))
      malformed(`header parameter ${label} must be a byte string`)
  }
  if (h.has(HEADER.iv) && h.has(HEADER.partialIv))
    malformed('IV and Partial IV must not both be present')
  const ct = h.get(HEADER.contentType)
  if (
    ct !== undefined &&
    typeof ct !== 'string' &&
    !(typeof ct === 'number' && ct >= 0 && ct <= 65535)
  ) {
    malformed('content type must be text or an unsigned 16-bit integer')
  }
}

/** A header parameter from either bucket (they never both hold it, see {@link readHeaders}). */
export function param(h: Headers, label: CborKey): CborValue | undefined {
  return h.protected.get(label) ?? h.unprotected.get(label)
}

/** Encodes a CBOR major-type head (for building large structures without copying their payload twice). */
export function cborHead(major: number, n: number): Uint8Array {
  const m = major << 5
  if (n < 24) return Uint8Array.of(m | n)
  if (n < 0x100) return Uint8Array.of(m | 24, n)
  if (n < 0x10000) return Uint8Array.of(m | 25, n >> 8, n & 0xff)
  if (n < 0x100000000)
    return Uint8Array.of(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
  throw new BaridError('ERR_INPUT_TOO_LARGE', 'COSE items are limited to 4 GiB')
}
