/**
 * @module x509/extensions
 * Decoders for the extension values Barid processes (RFC 5280 section 4.2.1), on the strict DER
 * reader: the extnValue OCTET STRING must itself hold exactly one DER value. Written here rather
 * than taken from the ASN.1 library because these six shapes are small, and decoding them
 * directly is both stricter and an order of magnitude faster.
 */
import { BaridError } from '../errors.js'
import { contents, decodeOid, readDer, type DerNode } from './der.js'
import { KEY_USAGE_NAMES, type KeyUsageName } from './roles.js'

const LIMITS = { maxDepth: 8, maxNodes: 256 }

/** basicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPT. } */
export function decodeBasicConstraints(value: Uint8Array): {
  ca: boolean
  pathLength: number | undefined
} {
  const seq = sequence(value)
  let i = 0
  let ca = false
  if (seq.children[i]?.tag === 0x01) {
    // DER (X.690 section 11.5): the DEFAULT FALSE value is never encoded.
    if (value[seq.children[i]!.contentStart] !== 0xff)
      throw malformed('basicConstraints cA FALSE is encoded')
    ca = true
    i++
  }
  let pathLength: number | undefined
  if (seq.children[i]?.tag === 0x02) {
    const b = contents(value, seq.children[i]!)
    if (b[0]! & 0x80 || b.length > 2) throw malformed('pathLenConstraint out of range')
    pathLength = b.reduce((n, x) => n * 256 + x, 0)
    i++
  }
  if (i !== seq.children.length) throw malformed('unexpected field in basicConstraints')
  return { ca, pathLength }
}

/** keyUsage ::= BIT STRING (named bits; DER drops trailing zero bits, X.690 section 11.2.2) */
export function decodeKeyUsage(value: Uint8Array): KeyUsageName[] {
  const node = readDer(value, LIMITS)
  if (node.tag !== 0x03) throw malformed('keyUsage is not a BIT STRING')
  const body = contents(value, node)
  const unused = body[0]!
  const bits = body.subarray(1)
  if (bits.length > 2) throw malformed('keyUsage is too long')
  if (bits.length > 0 && ((bits[bits.length - 1]! >> unused) & 1) === 0) {
    throw malformed('keyUsage has trailing zero bits')
  }
  return KEY_USAGE_NAMES.filter((_, i) => ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0)
}

/** extKeyUsage ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
export function decodeExtKeyUsage(value: Uint8Array): string[] {
  const seq = sequence(value)
  if (seq.children.length === 0) throw malformed('extendedKeyUsage is empty')
  return seq.children.map((n) => decodeOid(value, n))
}

/** subjectKeyIdentifier ::= KeyIdentifier (OCTET STRING) */
export function decodeSubjectKeyId(value: Uint8Array): Uint8Array {
  const node = readDer(value, LIMITS)
  if (node.tag !== 0x04) throw malformed('subjectKeyIdentifier is not an OCTET STRING')
  return contents(value, node)
}

/** authorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier, [1] certIssuer, [2] certSerial } */
export function decodeAuthorityKeyId(value: Uint8Array): {
  keyId: Uint8Array | undefined
  hasIssuer: boolean
} {
  const seq = sequence(value)
  let keyId: Uint8Array | undefined
  let hasIssuer = false
  let last = -1
  for (const n of seq.children) {
    const number = n.tag & 0x1f
    if ((n.tag & 0xc0) !== 0x80 || number > 2 || number <= last) {
      throw malformed('unexpected field in authorityKeyIdentifier')
    }
    last = number
    if (number === 0) keyId = contents(value, n)
    else hasIssuer = true
  }
  return { keyId, hasIssuer }
}

/** subjectAltName ::= GeneralNames; URIs are [6] IA5String (RFC 5280 section 4.2.1.6). */
export function decodeSubjectAltName(value: Uint8Array): { uris: string[]; others: number } {
  const seq = sequence(value)
  if (seq.children.length === 0) throw malformed('subjectAltName is empty')
  const uris: string[] = []
  let others = 0
  for (const n of seq.children) {
    if (n.tag === 0x86) uris.push(ia5(contents(value, n)))
    else others++
  }
  return { uris, others }
}

function ia5(b: Uint8Array): string {
  for (const c of b) if (c > 0x7e || c < 0x20) throw malformed('URI is not printable IA5String')
  return String.fromCharCode(...b)
}

function sequence(value: Uint8Array): DerNode {
  const node = readDer(value, LIMITS)
  if (node.tag !== 0x30) throw malformed('extension value is not a SEQUENCE')
  return node
}

function malformed(why: string): BaridError {
  return new BaridError('ERR_CERT_MALFORMED', `certificate: ${why}`)
}
