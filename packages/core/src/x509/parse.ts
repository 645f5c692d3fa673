/**
 * @module x509/parse
 * Parses a certificate into a {@link ParsedCertificate} with the strict DER reader of `der.ts`
 * and the small decoders of `names.ts`, `time.ts` and `extensions.ts` (the ASN.1 library is used
 * only to issue certificates). Any failure becomes `ERR_CERT_MALFORMED`; input over
 * {@link MAX_CERTIFICATE_BYTES} is refused with `ERR_INPUT_TOO_LARGE` before it is read.
 */
import { toBase64Url, toHex } from '../bytes.js'
import { BaridError, isBaridError } from '../errors.js'
import { parseMailboxAddress } from '../address/mailbox-address.js'
import { parseOperatorId } from '../address/operator-id.js'
import { jwkThumbprint, type KeyAlgorithm, type PublicJwk } from '../keys/index.js'
import {
  sealView,
  type CertificateExtension,
  type CertificateInput,
  type ParsedCertificate,
  isParsedCertificate,
} from './certificate.js'
import { contents, decodeOid, readDer, tlv, type DerNode } from './der.js'
import {
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyId,
} from './extensions.js'
import { EXTENSION_OID, SIGNATURE_ALGORITHM_DER, SPKI_PREFIX } from './oids.js'
import { pemToDer } from './pem.js'
import { inferRole, type CertificateKeyType, type CertificateRole } from './roles.js'
import { readName } from './names.js'
import { readTime } from './time.js'

/** Largest certificate accepted, in bytes of DER (Barid certificates are well under 2 KiB). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024

/**
 * Parses a certificate (DER bytes or PEM text) into a typed view; a view passes through as is.
 * Throws `ERR_INPUT_TOO_LARGE` over 16 KiB and `ERR_CERT_MALFORMED` for anything that is not a
 * DER X.509 certificate. Parsing checks form only: use `validateChain` to trust it.
 *
 * @example
 * ```ts
 * const cert = await parseCertificate(pemText)
 * console.log(cert.role, cert.subject.text, cert.operatorId, toBase64Url(cert.kid!))
 * ```
 */
export async function parseCertificate(input: CertificateInput): Promise<ParsedCertificate> {
  if (isParsedCertificate(input)) return input
  let der: Uint8Array
  if (typeof input === 'string') der = pemToDer(input)
  else if (input instanceof Uint8Array) der = input.slice()
  else throw new BaridError('ERR_INVALID_ARGUMENT', 'a certificate must be DER bytes or PEM text')
  if (der.length > MAX_CERTIFICATE_BYTES) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'certificate is larger than allowed', {
      details: { limit: MAX_CERTIFICATE_BYTES },
    })
  }
  try {
    return sealView(await parseDer(der))
  } catch (cause) {
    if (isBaridError(cause)) throw cause
    throw new BaridError('ERR_CERT_MALFORMED', 'certificate cannot be parsed', { cause })
  }
}

async function parseDer(der: Uint8Array): Promise<ParsedCertificate> {
  const root = readDer(der)
  const [tbsNode, sigAlgNode, sigNode] = expectSeq(root, 3, 3) as [DerNode, DerNode, DerNode]
  const tbsFields = expectSeq(tbsNode, 6, 10)
  let i = 0
  let version = 1
  if (tbsFields[0]!.tag === 0xa0) {
    const [v] = expectChildren(tbsFields[0]!, 1)
    const vb = contents(der, expectTag(v, 0x02))
    if (vb.length !== 1 || vb[0]! > 2) throw malformed('unknown version')
    // X.690 DEFAULT rule: v1 must be omitted, not written.
    if (vb[0] === 0) throw malformed('version v1 is written out')
    version = vb[0]! + 1
    i = 1
  }
  const serial = contents(der, expectTag(tbsFields[i++], 0x02))
  const innerSigAlg = tlv(der, expectTag(tbsFields[i++], 0x30))
  const issuer = readName(der, expectTag(tbsFields[i++], 0x30))
  const [nb, na] = expectSeq(expectTag(tbsFields[i++], 0x30), 2, 2) as [DerNode, DerNode]
  const subject = readName(der, expectTag(tbsFields[i++], 0x30))
  const spki = tlv(der, expectTag(tbsFields[i++], 0x30))
  let hasUniqueIds = false
  let extensionsNode: DerNode | undefined
  for (const rest of tbsFields.slice(i)) {
    if (rest.tag === 0x81 || rest.tag === 0x82) hasUniqueIds = true
    else if (rest.tag === 0xa3 && extensionsNode === undefined) extensionsNode = rest
    else throw malformed('unexpected field in tbsCertificate')
  }
  if (extensionsNode !== undefined && version !== 3) throw malformed('extensions need version 3')

  const outerSigAlg = tlv(der, expectTag(sigAlgNode, 0x30))
  // RFC 5280 section 4.1.1.2: the signed and the unsigned algorithm fields MUST be identical.
  if (toHex(outerSigAlg) !== toHex(innerSigAlg))
    throw malformed('signature algorithm fields differ')
  const sigBits = contents(der, expectTag(sigNode, 0x03))
  if (sigBits[0] !== 0) throw malformed('signature has unused bits')

  const exts =
    extensionsNode === undefined ? emptyExtensions() : readExtensions(der, extensionsNode)
  const selfIssued = toHex(subject.der) === toHex(issuer.der)
  const key = readKey(spki)
  const role = inferRole({
    ca: exts.basicConstraints?.ca === true,
    selfIssued,
    extKeyUsage: exts.extKeyUsage,
  })
  return {
    der,
    role,
    version,
    serialNumber: toHex(serial),
    subject,
    issuer,
    selfIssued,
    notBefore: readTime(nb.tag, contents(der, nb)),
    notAfter: readTime(na.tag, contents(der, na)),
    signatureAlgorithm: signatureAlgorithmOf(outerSigAlg),
    keyType: key?.type,
    keyAlgorithm: key === undefined ? undefined : keyAlgorithmFor(key.type, role),
    publicJwk: key?.jwk,
    kid: key === undefined ? undefined : await jwkThumbprint(key.jwk),
    spki,
    tbs: tlv(der, tbsNode),
    signature: sigBits.slice(1),
    hasUniqueIds,
    ...exts,
  }
}

interface ExtensionFields {
  extensions: CertificateExtension[]
  basicConstraints: ParsedCertificate['basicConstraints']
  keyUsage: ParsedCertificate['keyUsage']
  extKeyUsage: string[] | undefined
  subjectKeyId: Uint8Array | undefined
  authorityKeyId: Uint8Array | undefined
  authorityKeyIdHasIssuer: boolean
  uris: string[]
  otherAltNames: number
  operatorId: string | undefined
  mailbox: string | undefined
}

function emptyExtensions(): ExtensionFields {
  return {
    extensions: [],
    basicConstraints: undefined,
    keyUsage: undefined,
    extKeyUsage: undefined,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    authorityKeyIdHasIssuer: false,
    uris: [],
    otherAltNames: 0,
    operatorId: undefined,
    mailbox: undefined,
  }
}

function readExtensions(der: Uint8Array, node: DerNode): ExtensionFields {
  const [list] = expectChildren(node, 1)
  const out = emptyExtensions()
  const seen = new Set<string>()
  for (const ext of expectSeq(expectTag(list, 0x30), 1, 64)) {
    const parts = expectSeq(ext, 2, 3)
    const oid = decodeOid(der, parts[0]!)
    // RFC 5280 section 4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(oid)) throw malformed('an extension appears twice')
    seen.add(oid)
    let critical = false
    if (parts.length === 3) {
      // DER (X.690 section 11.5): the DEFAULT FALSE value is never encoded.
      if (der[expectTag(parts[1], 0x01).contentStart] !== 0xff)
        throw malformed('critical FALSE is encoded')
      critical = true
    }
    const value = contents(der, expectTag(parts[parts.length - 1], 0x04))
    out.extensions.push({ oid, critical })
    decodeKnown(out, oid, critical, value)
  }
  return out
}

function decodeKnown(
  out: ExtensionFields,
  oid: string,
  critical: boolean,
  value: Uint8Array,
): void {
  switch (oid) {
    case EXTENSION_OID.basicConstraints:
      out.basicConstraints = { ...decodeBasicConstraints(value), critical }
      break
    case EXTENSION_OID.keyUsage:
      out.keyUsage = { usages: decodeKeyUsage(value), critical }
      break
    case EXTENSION_OID.extKeyUsage:
      out.extKeyUsage = decodeExtKeyUsage(value)
      break
    case EXTENSION_OID.subjectKeyIdentifier:
      out.subjectKeyId = decodeSubjectKeyId(value)
      break
    case EXTENSION_OID.authorityKeyIdentifier: {
      const aki = decodeAuthorityKeyId(value)
      out.authorityKeyId = aki.keyId
      out.authorityKeyIdHasIssuer = aki.hasIssuer
      break
    }
    case EXTENSION_OID.subjectAltName: {
      const san = decodeSubjectAltName(value)
      out.uris = san.uris
      out.otherAltNames = san.others
      readBaridUris(out)
      break
    }
  }
}

// A barid: URI that does not parse is left out here; the profile check then finds it missing.
function readBaridUris(out: ExtensionFields): void {
  for (const uri of out.uris) {
    try {
      if (uri.startsWith('barid:operator:')) {
        out.operatorId = parseOperatorId(uri.slice(15), { canonical: true })
      } else if (uri.startsWith('barid:mailbox:')) {
        const m = parseMailboxAddress(uri.slice(14), { canonical: true })
        out.mailbox = m.address
        out.operatorId = m.operator
      }
    } catch {
      // not a Barid name: the profile check reports it
    }
  }
}

function readKey(spki: Uint8Array): { type: CertificateKeyType; jwk: PublicJwk } | undefined {
  const hex = toHex(spki)
  for (const type of ['Ed25519', 'X25519', 'P-256'] as const) {
    const prefix = SPKI_PREFIX[type]
    if (!hex.startsWith(prefix)) continue
    const key = spki.subarray(prefix.length / 2)
    if (type === 'P-256') {
      if (key.length !== 64) return undefined
      const x = toBase64Url(key.subarray(0, 32))
      return { type, jwk: { kty: 'EC', crv: 'P-256', x, y: toBase64Url(key.subarray(32)) } }
    }
    if (key.length !== 32) return undefined
    return { type, jwk: { kty: 'OKP', crv: type, x: toBase64Url(key) } }
  }
  return undefined
}

function keyAlgorithmFor(
  type: CertificateKeyType,
  role: CertificateRole | undefined,
): KeyAlgorithm {
  if (type === 'P-256') return role === 'mailbox-encryption' ? 'ECDH-P256' : 'ES256'
  return type
}

function signatureAlgorithmOf(algId: Uint8Array): 'Ed25519' | 'ES256' | undefined {
  const hex = toHex(algId)
  if (hex === SIGNATURE_ALGORITHM_DER.Ed25519) return 'Ed25519'
  if (hex === SIGNATURE_ALGORITHM_DER.ES256) return 'ES256'
  return undefined
}

function expectTag(node: DerNode | undefined, tag: number): DerNode {
  if (node === undefined || node.tag !== tag) throw malformed('unexpected structure')
  return node
}

function expectChildren(node: DerNode, n: number): readonly DerNode[] {
  if (node.children.length !== n) throw malformed('unexpected structure')
  return node.children
}

function expectSeq(node: DerNode, min: number, max: number): readonly DerNode[] {
  if (node.tag !== 0x30 || node.children.length < min || node.children.length > max) {
    throw malformed('unexpected structure')
  }
  return node.children
}

function malformed(why: string): BaridError {
  return new BaridError('ERR_CERT_MALFORMED', `certificate: ${why}`)
}
