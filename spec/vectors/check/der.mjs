// A minimal strict DER reader (X.690 section 10), for the parts of a certificate that
// node:crypto's X509Certificate does not expose (spec 08, 8.3.1 rule 2). Every failure is
// ERR_CERT_MALFORMED: this reader is used for certificates only.
import { fail } from './cbor.mjs'

const bad = (m) => fail('ERR_CERT_MALFORMED', m)

// Universal types DER requires in primitive form (strings, BOOLEAN, INTEGER, OID, times).
const PRIMITIVE_ONLY = new Set([1, 2, 3, 4, 5, 6, 12, 19, 22, 23, 24, 26, 30])

/**
 * Parses one DER element that fills `bytes` exactly. A node is { tag, constructed, bytes (the
 * whole element), content, children (constructed only) }.
 */
export function parseDer(bytes, { maxDepth = 24, maxItems = 4096 } = {}) {
  let items = 0
  const element = (pos, end, depth) => {
    items += 1
    if (items > maxItems) bad('too many items')
    if (depth > maxDepth) bad('nested too deeply')
    if (pos + 2 > end) bad('truncated header')
    const tag = bytes[pos]
    if ((tag & 0x1f) === 0x1f) bad('high tag number')
    const constructed = (tag & 0x20) !== 0
    if ((tag & 0xc0) === 0 && constructed && PRIMITIVE_ONLY.has(tag & 0x1f))
      bad(`constructed form of universal type ${tag & 0x1f}`)
    let len = bytes[pos + 1]
    let at = pos + 2
    if (len === 0x80) bad('indefinite length')
    if (len > 0x80) {
      const n = len & 0x7f
      if (n > 4 || at + n > end) bad('length of length')
      if (bytes[at] === 0) bad('length not minimal')
      len = 0
      for (let i = 0; i < n; i++) len = len * 256 + bytes[at + i]
      if (len < 0x80) bad('long form for a short length')
      at += n
    }
    if (at + len > end) bad('truncated content')
    const node = {
      tag,
      constructed,
      bytes: bytes.subarray(pos, at + len),
      content: bytes.subarray(at, at + len),
    }
    if (constructed) {
      node.children = []
      let p = at
      while (p < at + len) {
        const child = element(p, at + len, depth + 1)
        node.children.push(child)
        p += child.bytes.length
      }
    }
    return node
  }
  const node = element(0, bytes.length, 1)
  if (node.bytes.length !== bytes.length) bad(`${bytes.length - node.bytes.length} bytes after`)
  return node
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8: 0x0c,
  PRINTABLE: 0x13,
  IA5: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
}

export function expect(node, tag, what) {
  if (!node || node.tag !== tag) bad(`${what}: tag ${node?.tag?.toString(16)}`)
  return node
}

export function oid(node) {
  expect(node, TAG.OID, 'OID')
  const c = node.content
  if (c.length === 0) bad('empty OID')
  const arcs = []
  let v = 0n
  for (let i = 0; i < c.length; i++) {
    if (v === 0n && c[i] === 0x80) bad('OID arc not minimal')
    v = (v << 7n) | BigInt(c[i] & 0x7f)
    if ((c[i] & 0x80) === 0) {
      arcs.push(v)
      v = 0n
    } else if (i === c.length - 1) bad('OID truncated')
  }
  const first = arcs[0] < 40n ? 0n : arcs[0] < 80n ? 1n : 2n
  return [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.')
}

/** A minimal INTEGER; returns its content octets and value (bigint). */
export function integer(node) {
  expect(node, TAG.INTEGER, 'INTEGER')
  const c = node.content
  if (c.length === 0) bad('empty INTEGER')
  if (c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80)))
    bad('INTEGER not minimal')
  let v = BigInt.asUintN(8 * c.length, BigInt('0x' + Buffer.from(c).toString('hex')))
  if (c[0] >= 0x80) v -= 1n << BigInt(8 * c.length)
  return { content: c, value: v }
}

export function boolean(node) {
  expect(node, TAG.BOOLEAN, 'BOOLEAN')
  if (node.content.length !== 1) bad('BOOLEAN length')
  if (node.content[0] === 0xff) return true
  if (node.content[0] === 0) return false
  return bad('BOOLEAN TRUE not FF')
}

/** A BIT STRING: { unused, bits (content without the unused-bits octet) }. */
export function bitString(node) {
  expect(node, TAG.BIT_STRING, 'BIT STRING')
  const c = node.content
  if (c.length === 0 || c[0] > 7 || (c.length === 1 && c[0] !== 0)) bad('BIT STRING')
  const bits = c.subarray(1)
  if (c[0] > 0 && (bits[bits.length - 1] & ((1 << c[0]) - 1)) !== 0)
    bad('BIT STRING unused bits not zero')
  return { unused: c[0], bits }
}

/** UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (8.3.1 rule 4), in seconds. */
export function time(node) {
  const s = Buffer.from(node.content).toString('latin1')
  let year
  let rest
  if (node.tag === TAG.UTC_TIME) {
    if (!/^\d{12}Z$/.test(s)) bad(`UTCTime ${s}`)
    const yy = Number(s.slice(0, 2))
    year = yy < 50 ? 2000 + yy : 1900 + yy
    rest = s.slice(2)
  } else if (node.tag === TAG.GENERALIZED_TIME) {
    if (!/^\d{14}Z$/.test(s)) bad(`GeneralizedTime ${s}`)
    year = Number(s.slice(0, 4))
    if (year < 2050) bad('GeneralizedTime before 2050')
    rest = s.slice(4)
  } else return bad('time tag')
  const [mo, d, h, mi, se] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2)))
  const t = Date.UTC(year, mo - 1, d, h, mi, se)
  const back = new Date(t)
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    se > 59
  )
    bad(`not a real date: ${s}`)
  return t / 1000
}
