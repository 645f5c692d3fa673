/**
 * @module x509/names
 * Reads a distinguished name (RFC 5280 section 4.1.2.4) from its DER: the attributes Barid uses
 * (CN, O, C) and an RFC 4514 string for display. Names are compared as DER bytes (spec section
 * 5 step 3), never as strings, so the text form only has to be unambiguous, not canonical.
 */
import { toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import type { CertificateName } from './certificate.js'
import { decodeOid, type DerNode } from './der.js'

// RFC 4514 section 3 short names.
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The name whose DER TLV is `node` within `der`. Throws `ERR_CERT_MALFORMED` if it is not an
 * RDNSequence of AttributeTypeAndValue, or a UTF8String is not UTF-8.
 *
 * @example
 * ```ts
 * readName(der, subjectNode).text // 'CN=Amina Hassan,O=Egypt Post,C=EG'
 * ```
 */
export function readName(der: Uint8Array, node: DerNode): CertificateName {
  if (node.tag !== 0x30) throw malformed('name is not a SEQUENCE')
  const rdns: string[] = []
  const first = new Map<string, string>()
  let attributeCount = 0
  for (const rdn of node.children) {
    if (rdn.tag !== 0x31 || rdn.children.length === 0) throw malformed('name has a malformed RDN')
    const parts: string[] = []
    for (const atv of rdn.children) {
      const [type, value] = atv.children
      if (
        atv.tag !== 0x30 ||
        atv.children.length !== 2 ||
        type === undefined ||
        value === undefined
      ) {
        throw malformed('name has a malformed attribute')
      }
      const oid = decodeOid(der, type)
      const text = decodeString(der, value)
      const short = SHORT_NAMES[oid]
      if (text !== undefined && short !== undefined && !first.has(short)) first.set(short, text)
      // RFC 4514 section 2.4: a value of unknown string type is written as '#' and its BER in hex.
      const shown =
        text === undefined ? `#${toHex(der.subarray(value.start, value.end))}` : escape(text)
      parts.push(`${short ?? oid}=${shown}`)
      attributeCount++
    }
    rdns.push(parts.join('+'))
  }
  return {
    // RFC 4514 section 2.1: the last RDN of the sequence comes first.
    text: rdns.reverse().join(','),
    der: der.slice(node.start, node.end),
    commonName: first.get('CN'),
    organization: first.get('O'),
    country: first.get('C'),
    attributeCount,
  }
}

function decodeString(der: Uint8Array, n: DerNode): string | undefined {
  const b = der.subarray(n.contentStart, n.end)
  switch (n.tag) {
    case 0x0c: // UTF8String
      try {
        return utf8.decode(b)
      } catch {
        throw malformed('UTF8String is not UTF-8')
      }
    case 0x13: // PrintableString
    case 0x16: // IA5String
      for (const c of b) if (c > 0x7f) throw malformed('ASCII string has a non-ASCII byte')
      return String.fromCharCode(...b)
    case 0x1e: {
      // BMPString: UTF-16BE
      if (b.length % 2 !== 0) throw malformed('BMPString has an odd length')
      let s = ''
      for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!)
      return s
    }
    default:
      return undefined
  }
}

// RFC 4514 section 2.4, plus control characters as hex pairs so the text is one printable line.
function escape(s: string): string {
  let out = s.replace(/[\\"+,;<>]/g, (c) => `\\${c}`)
  out = out.replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  )
  if (s.endsWith(' ')) out = `${out.slice(0, -1)}\\ `
  if ((s.startsWith(' ') && s.length > 1) || s.startsWith('#')) out = `\\${out}`
  return out
}

function malformed(why: string): BaridError {
  return new BaridError('ERR_CERT_MALFORMED', `certificate: ${why}`)
}
