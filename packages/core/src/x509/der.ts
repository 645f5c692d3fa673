/**
 * @module x509/der
 * A small, strict DER reader (X.690 section 10) used before any certificate reaches the ASN.1
 * library. It enforces the encoding rules that make a certificate's bytes unique (definite,
 * minimal lengths; primitive strings; canonical BOOLEAN and INTEGER) and bounds depth and item
 * count, so one certificate has one encoding and hostile input costs little. It also hands back
 * the exact byte ranges the signature and name chaining are computed over: RFC 5280 section
 * 4.1.1.3 signs the DER of tbsCertificate as received, and section 7.1 compares names.
 */
import { BaridError } from '../errors.js'

/** One TLV: its tag byte, where it starts, where its contents start and where it ends. */
export interface DerNode {
  readonly tag: number
  readonly start: number
  readonly contentStart: number
  readonly end: number
  readonly children: readonly DerNode[]
}

/** Limits for {@link readDer}. */
export interface DerLimits {
  maxDepth: number
  maxNodes: number
}

const DEFAULT_DER_LIMITS: DerLimits = { maxDepth: 24, maxNodes: 4096 }

const TAG_BOOLEAN = 0x01
const TAG_INTEGER = 0x02
const TAG_BIT_STRING = 0x03
const TAG_NULL = 0x05
const TAG_OID = 0x06
const TAG_SEQUENCE = 0x30
const TAG_SET = 0x31

/**
 * Reads `bytes` as exactly one DER TLV (no trailing bytes). Throws `ERR_CERT_MALFORMED` for any
 * encoding that is not DER, and for input past the depth or item limits.
 *
 * @example
 * ```ts
 * const root = readDer(certificateBytes)
 * root.children.length // 3: tbsCertificate, signatureAlgorithm, signatureValue
 * ```
 */
export function readDer(bytes: Uint8Array, limits: DerLimits = DEFAULT_DER_LIMITS): DerNode {
  const state = { nodes: 0 }
  const node = readNode(bytes, 0, bytes.length, 0, limits, state)
  if (node.end !== bytes.length) throw malformed('bytes follow the certificate')
  return node
}

function readNode(
  b: Uint8Array,
  pos: number,
  limit: number,
  depth: number,
  limits: DerLimits,
  state: { nodes: number },
): DerNode {
  if (depth > limits.maxDepth) throw malformed('nesting is too deep')
  if (++state.nodes > limits.maxNodes) throw malformed('too many items')
  if (pos + 2 > limit) throw malformed('truncated')
  const tag = b[pos]!
  if ((tag & 0x1f) === 0x1f) throw malformed('high tag numbers are not used')
  let len = b[pos + 1]!
  let contentStart = pos + 2
  if (len & 0x80) {
    const n = len & 0x7f
    // 0x80 is the BER indefinite form; more than 3 length octets exceeds any certificate.
    if (n === 0 || n > 3) throw malformed('length form is not DER')
    if (contentStart + n > limit) throw malformed('truncated')
    if (b[contentStart] === 0) throw malformed('length is not minimal')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + b[contentStart + i]!
    if (len < 0x80) throw malformed('length is not minimal')
    contentStart += n
  }
  const end = contentStart + len
  if (end > limit) throw malformed('truncated')
  const constructed = (tag & 0x20) !== 0
  const children: DerNode[] = []
  if (constructed) {
    // DER (X.690 section 10.2) forbids constructed strings: only SEQUENCE, SET and tagged types.
    if ((tag & 0xc0) === 0 && tag !== TAG_SEQUENCE && tag !== TAG_SET) {
      throw malformed('constructed string encoding is not DER')
    }
    let p = contentStart
    while (p < end) {
      const child = readNode(b, p, end, depth + 1, limits, state)
      children.push(child)
      p = child.end
    }
  } else {
    checkPrimitive(b, tag, contentStart, end)
  }
  return { tag, start: pos, contentStart, end, children }
}

function checkPrimitive(b: Uint8Array, tag: number, start: number, end: number): void {
  const len = end - start
  switch (tag) {
    case TAG_BOOLEAN:
      // X.690 section 11.1: TRUE is 0xFF.
      if (len !== 1 || (b[start] !== 0x00 && b[start] !== 0xff))
        throw malformed('BOOLEAN is not DER')
      break
    case TAG_INTEGER:
      if (len === 0) throw malformed('empty INTEGER')
      if (
        len > 1 &&
        ((b[start] === 0 && b[start + 1]! < 0x80) || (b[start] === 0xff && b[start + 1]! >= 0x80))
      ) {
        throw malformed('INTEGER is not minimal')
      }
      break
    case TAG_BIT_STRING:
      if (len === 0 || b[start]! > 7 || (len === 1 && b[start] !== 0)) {
        throw malformed('BIT STRING is not DER')
      }
      break
    case TAG_NULL:
      if (len !== 0) throw malformed('NULL is not empty')
      break
    case TAG_OID:
      if (len === 0 || (b[end - 1]! & 0x80) !== 0) throw malformed('OBJECT IDENTIFIER is truncated')
      for (let i = start; i < end; i++) {
        if (b[i] === 0x80 && (i === start || (b[i - 1]! & 0x80) === 0)) {
          throw malformed('OBJECT IDENTIFIER is not minimal')
        }
      }
      break
  }
}

/**
 * Dotted-decimal text of an OBJECT IDENTIFIER node's contents (X.690 section 8.19).
 *
 * @example
 * ```ts
 * decodeOid(bytes, node) // '2.5.29.19'
 * ```
 */
export function decodeOid(b: Uint8Array, node: DerNode): string {
  if (node.tag !== TAG_OID) throw malformed('expected an OBJECT IDENTIFIER')
  const arcs: number[] = []
  let v = 0
  for (let i = node.contentStart; i < node.end; i++) {
    v = v * 128 + (b[i]! & 0x7f)
    if (v > Number.MAX_SAFE_INTEGER / 128) throw malformed('OBJECT IDENTIFIER arc is too large')
    if ((b[i]! & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80)
      else arcs.push(v)
      v = 0
    }
  }
  return arcs.join('.')
}

/** The bytes of a node, header included. */
export function tlv(b: Uint8Array, node: DerNode): Uint8Array<ArrayBuffer> {
  return b.slice(node.start, node.end)
}

/** The bytes of a node's contents. */
export function contents(b: Uint8Array, node: DerNode): Uint8Array<ArrayBuffer> {
  return b.slice(node.contentStart, node.end)
}

/**
 * The raw (r || s, 32 bytes each) form WebCrypto verifies, from a DER ECDSA-Sig-Value
 * (RFC 5480 section 2.2 / RFC 3279 section 2.2.3). Throws `ERR_CERT_MALFORMED` if the value is not
 * DER or a component does not fit P-256.
 *
 * @example
 * ```ts
 * const raw = ecdsaSignatureToRaw(derSignature) // Uint8Array(64)
 * ```
 */
export function ecdsaSignatureToRaw(sig: Uint8Array): Uint8Array {
  const seq = readDer(sig, { maxDepth: 2, maxNodes: 3 })
  if (seq.tag !== TAG_SEQUENCE || seq.children.length !== 2) {
    throw malformed('ECDSA signature is not a SEQUENCE of two INTEGERs')
  }
  const out = new Uint8Array(64)
  seq.children.forEach((n, i) => {
    if (n.tag !== TAG_INTEGER) throw malformed('ECDSA signature component is not an INTEGER')
    let v = contents(sig, n)
    if (v[0]! & 0x80) throw malformed('ECDSA signature component is negative')
    if (v.length > 1 && v[0] === 0) v = v.subarray(1)
    if (v.length > 32) throw malformed('ECDSA signature component is too long')
    out.set(v, i * 32 + 32 - v.length)
  })
  return out
}

function malformed(why: string): BaridError {
  return new BaridError('ERR_CERT_MALFORMED', `certificate is not DER: ${why}`)
}
