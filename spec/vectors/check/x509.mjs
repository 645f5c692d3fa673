// Certificates (spec 08): parsing under 8.3.1, the profiles of 8.4 and path validation (8.5).
// node:crypto's X509Certificate verifies signatures and gives the subject key, validity, cA,
// extended key usage and subjectAltName; der.mjs reads what it does not expose (criticality,
// pathLenConstraint, key identifiers, the exact bits of keyUsage, unique identifiers), and the
// two are compared wherever both can say.
import { X509Certificate } from 'node:crypto'
import { CheckError, fail } from './cbor.mjs'
import { equal, kidOf, toHex } from './cose.mjs'
import { canonicalMailbox, canonicalOperator } from './addresses.mjs'
import { TAG, bitString, boolean, expect, integer, oid, parseDer, time } from './der.mjs'

const bad = (m) => fail('ERR_CERT_MALFORMED', m)
const profile = (m) => fail('ERR_CERT_PROFILE', m)

const OID = {
  ed25519: '1.3.101.112',
  x25519: '1.3.101.110',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  countryName: '2.5.4.6',
}
export const KP = {
  requestSigning: '1.3.6.1.4.1.32473.1.1.1',
  evidenceSigning: '1.3.6.1.4.1.32473.1.1.2',
  mailbox: '1.3.6.1.4.1.32473.1.1.3',
  sender: '1.3.6.1.4.1.32473.1.1.4',
}
// 8.3.3: the extensions a certificate may carry; only the first two are critical.
const CRITICAL = [OID.basicConstraints, OID.keyUsage]
const ALLOWED = [
  ...CRITICAL,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.authorityInfoAccess,
]
const KU = { digitalSignature: 0, keyEncipherment: 2, keyAgreement: 4, keyCertSign: 5, cRLSign: 6 }
const DAY = 86400

// 8.4, by role: path length, pathLenConstraint (CAs), keyUsage, EKU, lifetime, subject keys,
// the barid: URI kind.
export const PROFILES = {
  'federation-root': {
    length: 1,
    pathLen: 1,
    ku: ['keyCertSign', 'cRLSign'],
    eku: [],
    days: 7305,
    keys: ['Ed25519', 'P-256'],
    uri: null,
  },
  'operator-ca': {
    length: 2,
    pathLen: 0,
    ku: ['keyCertSign', 'cRLSign'],
    eku: [],
    days: 3653,
    keys: ['Ed25519', 'P-256'],
    uri: 'operator',
  },
  node: {
    length: 3,
    ku: ['digitalSignature'],
    eku: [KP.requestSigning, KP.evidenceSigning],
    days: 731,
    keys: ['Ed25519', 'P-256'],
    uri: 'operator',
  },
  'mailbox-encryption': {
    length: 3,
    ku: ['keyAgreement'],
    eku: [KP.mailbox],
    days: 731,
    keys: ['X25519', 'P-256'],
    uri: 'mailbox',
  },
  'mailbox-signing': {
    length: 3,
    ku: ['digitalSignature'],
    eku: [KP.sender],
    days: 731,
    keys: ['Ed25519', 'P-256'],
    uri: 'mailbox',
  },
}

function algorithmIdentifier(node, what) {
  expect(node, TAG.SEQUENCE, what)
  const [o, ...params] = node.children
  return { oid: oid(o), params, bytes: node.bytes }
}

function name(node) {
  expect(node, TAG.SEQUENCE, 'Name')
  const attrs = []
  for (const rdn of node.children) {
    expect(rdn, TAG.SET, 'RDN')
    for (const atv of rdn.children) {
      expect(atv, TAG.SEQUENCE, 'AttributeTypeAndValue')
      const [t, v] = atv.children
      attrs.push({ type: oid(t), tag: v?.tag, value: Buffer.from(v?.content ?? []).toString() })
    }
  }
  const short = { [OID.commonName]: 'CN', [OID.organizationName]: 'O', [OID.countryName]: 'C' }
  // RFC 4514 order: the last RDN first.
  const text = [...attrs]
    .reverse()
    .map((a) => `${short[a.type] ?? a.type}=${a.value}`)
    .join(',')
  return { bytes: node.bytes, attrs, text }
}

function spki(node) {
  expect(node, TAG.SEQUENCE, 'SubjectPublicKeyInfo')
  const alg = algorithmIdentifier(node.children[0], 'spki algorithm')
  const { unused, bits } = bitString(node.children[1])
  let type = null
  if (alg.oid === OID.ed25519 && alg.params.length === 0 && bits.length === 32) type = 'Ed25519'
  if (alg.oid === OID.x25519 && alg.params.length === 0 && bits.length === 32) type = 'X25519'
  if (
    alg.oid === OID.ecPublicKey &&
    alg.params.length === 1 &&
    alg.params[0].tag === TAG.OID &&
    oid(alg.params[0]) === OID.prime256v1 &&
    bits.length === 65 &&
    bits[0] === 4
  )
    type = 'P-256'
  return { type, unused }
}

function extensionValue(oidText, raw) {
  const v = parseDer(raw)
  switch (oidText) {
    case OID.basicConstraints: {
      expect(v, TAG.SEQUENCE, 'basicConstraints')
      let [a, b] = v.children
      let ca = false
      if (a?.tag === TAG.BOOLEAN) {
        ca = boolean(a)
        if (!ca) bad('cA FALSE written')
        a = b
        b = undefined
      }
      if (b !== undefined || (a !== undefined && a.tag !== TAG.INTEGER)) bad('basicConstraints')
      const pathLen = a === undefined ? null : integer(a).value
      return { ca, pathLen }
    }
    case OID.keyUsage: {
      const { unused, bits } = bitString(v)
      if (bits.length > 0 && bits[bits.length - 1] === 0) bad('keyUsage trailing zero octet')
      if (bits.length > 0 && unused > 0 && (bits[bits.length - 1] & (1 << unused)) === 0)
        bad('keyUsage unused bits not minimal')
      const set = []
      for (const [n, i] of Object.entries(KU))
        if (bits.length > i >> 3 && (bits[i >> 3] & (0x80 >> (i & 7))) !== 0) set.push(n)
      let count = 0
      for (const byte of bits) for (let i = 0; i < 8; i++) count += (byte >> i) & 1
      return { names: set, count }
    }
    case OID.subjectKeyIdentifier:
      return expect(v, TAG.OCTET_STRING, 'subjectKeyIdentifier').content
    case OID.authorityKeyIdentifier: {
      expect(v, TAG.SEQUENCE, 'authorityKeyIdentifier')
      const keyId = v.children.find((c) => c.tag === 0x80)?.content ?? null
      return { keyId, onlyKeyId: v.children.length === 1 && keyId !== null }
    }
    case OID.extKeyUsage:
      return expect(v, TAG.SEQUENCE, 'extKeyUsage').children.map(oid)
    case OID.subjectAltName:
      return expect(v, TAG.SEQUENCE, 'subjectAltName')
        .children.filter((c) => c.tag === 0x86)
        .map((c) => Buffer.from(c.content).toString('latin1'))
    default:
      return v
  }
}

/** 8.3.1: parses DER (or fails ERR_INPUT_TOO_LARGE / ERR_CERT_MALFORMED). */
export function parseCertificate(der) {
  if (der.length > 16384) fail('ERR_INPUT_TOO_LARGE', 'certificate over 16 384 octets')
  const root = parseDer(der)
  expect(root, TAG.SEQUENCE, 'Certificate')
  if (root.children.length !== 3) bad('Certificate has not 3 members')
  const [tbs, sigAlgNode, sigNode] = root.children
  expect(tbs, TAG.SEQUENCE, 'tbsCertificate')
  const f = [...tbs.children]
  let version = 1
  if (f[0]?.tag === 0xa0) {
    const v = integer(f.shift().children[0]).value
    if (v === 0n) bad('version v1 written')
    version = Number(v) + 1
  }
  const serial = integer(f.shift())
  const sigInner = algorithmIdentifier(f.shift(), 'signature')
  const issuer = name(f.shift())
  const validity = expect(f.shift(), TAG.SEQUENCE, 'Validity')
  if (validity.children.length !== 2) bad('Validity')
  const notBefore = time(validity.children[0])
  const notAfter = time(validity.children[1])
  const subject = name(f.shift())
  const key = spki(f.shift())
  let uniqueIds = false
  while (f[0] && (f[0].tag === 0x81 || f[0].tag === 0xa1 || f[0].tag === 0x82 || f[0].tag === 0xa2))
    ((uniqueIds = true), f.shift())
  const extensions = new Map()
  if (f[0]?.tag === 0xa3) {
    const list = expect(f.shift().children[0], TAG.SEQUENCE, 'Extensions')
    for (const e of list.children) {
      expect(e, TAG.SEQUENCE, 'Extension')
      const [o, ...rest] = e.children
      const id = oid(o)
      let critical = false
      if (rest[0]?.tag === TAG.BOOLEAN) {
        critical = boolean(rest.shift())
        if (!critical) bad('critical FALSE written')
      }
      if (rest.length !== 1) bad('Extension')
      const raw = expect(rest[0], TAG.OCTET_STRING, 'extnValue').content
      if (extensions.has(id)) bad(`extension ${id} twice`)
      extensions.set(id, { critical, value: extensionValue(id, raw) })
    }
  }
  if (f.length !== 0) bad('unknown tbsCertificate members')
  const sigAlg = algorithmIdentifier(sigAlgNode, 'signatureAlgorithm')
  if (!equal(sigAlg.bytes, sigInner.bytes)) bad('signature and signatureAlgorithm differ')
  const sig = bitString(sigNode)
  if (sig.unused !== 0) bad('signature has unused bits')
  let x509
  try {
    x509 = new X509Certificate(Buffer.from(der))
  } catch (e) {
    return bad(`X509Certificate: ${e.message}`)
  }
  let jwk = null
  try {
    jwk = x509.publicKey.export({ format: 'jwk' })
  } catch {
    jwk = null
  }
  // What both readers give must agree.
  if (BigInt('0x' + x509.serialNumber) !== serial.value)
    bad('serial differs from X509Certificate')
  if (Date.parse(x509.validFrom) / 1000 !== notBefore) bad('notBefore differs')
  if (Date.parse(x509.validTo) / 1000 !== notAfter) bad('notAfter differs')
  const bc = extensions.get(OID.basicConstraints)?.value
  if (x509.ca !== (bc?.ca ?? false)) bad('cA differs from X509Certificate')
  return {
    der,
    tbs: tbs.bytes,
    signature: sig.bits,
    x509,
    jwk,
    kid: jwk ? kidOf(jwk) : null,
    version,
    serial,
    serialHex: toHex(serial.content),
    sigAlg: sigAlg.oid,
    sigAlgParams: sigAlg.params.length,
    issuer,
    subject,
    notBefore,
    notAfter,
    key,
    uniqueIds,
    extensions,
    basicConstraints: bc ?? null,
    eku: extensions.get(OID.extKeyUsage)?.value ?? null,
    ski: extensions.get(OID.subjectKeyIdentifier)?.value ?? null,
    aki: extensions.get(OID.authorityKeyIdentifier)?.value ?? null,
    uris: extensions.get(OID.subjectAltName)?.value ?? [],
  }
}

/** 8.3.5: the canonical barid: URI's identity, or null (absent, repeated or not canonical). */
export function baridIdentity(c) {
  const uris = c.uris.filter((u) => u.startsWith('barid:'))
  if (uris.length !== 1) return null
  const u = uris[0]
  const ok = (f) => {
    try {
      return f()
    } catch (e) {
      if (e instanceof CheckError) return null
      throw e
    }
  }
  if (u.startsWith('barid:operator:')) {
    const op = u.slice('barid:operator:'.length)
    return ok(() => canonicalOperator(op)) ? { kind: 'operator', operator: op } : null
  }
  if (u.startsWith('barid:mailbox:')) {
    const m = u.slice('barid:mailbox:'.length)
    return ok(() => canonicalMailbox(m))
      ? { kind: 'mailbox', mailbox: m, operator: m.slice(m.indexOf('@') + 1) }
      : null
  }
  return null
}

/** 8.4: the role a parser infers (never trusted by validation). */
export function inferRole(c) {
  if (c.basicConstraints?.ca)
    return equal(c.subject.bytes, c.issuer.bytes) ? 'federation-root' : 'operator-ca'
  const eku = new Set(c.eku ?? [])
  // A role is claimed by any one of its purposes (8.4).
  const roles = ['node', 'mailbox-encryption', 'mailbox-signing'].filter((r) =>
    PROFILES[r].eku.some((p) => eku.has(p)),
  )
  return roles.length === 1 ? roles[0] : null
}

/** 8.5 step 5 for the certificate at a position of `role`, issued by `issuer` (null: a root). */
function checkProfile(c, role, issuer) {
  const p = PROFILES[role]
  // 5.1
  if (c.version !== 3) profile('not v3')
  if (![OID.ed25519, OID.ecdsaSha256].includes(c.sigAlg) || c.sigAlgParams !== 0)
    profile(`signature algorithm ${c.sigAlg}`)
  if (!p.keys.includes(c.key.type)) profile(`subject key ${c.key.type} for ${role}`)
  if (c.uniqueIds) profile('unique identifiers')
  // 5.2
  for (const [id, e] of c.extensions) {
    if (!ALLOWED.includes(id)) profile(`extension ${id}`)
    if (e.critical !== CRITICAL.includes(id)) profile(`criticality of ${id}`)
  }
  // 5.3
  const bc = c.basicConstraints
  if (p.pathLen !== undefined) {
    if (!bc?.ca) fail('ERR_CERT_NOT_CA', role)
    if (bc.pathLen === null || bc.pathLen !== BigInt(p.pathLen)) profile('pathLenConstraint')
  } else if (bc?.ca) profile('cA TRUE in an end-entity certificate')
  // 5.4
  const ku = c.extensions.get(OID.keyUsage)?.value
  if (!ku || ku.count !== p.ku.length || !p.ku.every((n) => ku.names.includes(n)))
    fail('ERR_CERT_KEY_USAGE', `${ku?.names}`)
  // 5.5; X509Certificate's keyUsage is the extended key usage.
  const eku = c.eku ?? []
  if (
    (p.eku.length === 0 && c.eku !== null) ||
    eku.length !== p.eku.length ||
    new Set(eku).size !== eku.length ||
    !p.eku.every((x) => eku.includes(x)) ||
    JSON.stringify([...(c.x509.keyUsage ?? [])].sort()) !== JSON.stringify([...eku].sort())
  )
    fail('ERR_CERT_EXT_KEY_USAGE', `${eku}`)
  // 5.6
  const life = c.notAfter - c.notBefore
  if (!(life > 0 && life <= p.days * DAY)) profile(`lifetime ${life / DAY} days`)
  if (c.serial.value <= 0n || c.serial.content.length > 20) profile('serial number')
  if (!c.kid || !c.ski || !equal(c.ski, c.kid)) profile('subjectKeyIdentifier is not the key id')
  const issuerKid = issuer ? issuer.kid : c.kid
  if (c.aki) {
    if (!c.aki.onlyKeyId || !equal(c.aki.keyId, issuerKid)) profile('authorityKeyIdentifier')
  } else if (issuer) profile('no authorityKeyIdentifier')
  if (role === 'federation-root' && !equal(c.subject.bytes, c.issuer.bytes))
    profile('root not self-issued')
  const cn = c.subject.attrs.filter((a) => a.type === OID.commonName)
  if (cn.length !== 1 || [...cn[0].value].length > 64) profile('commonName')
  const id = baridIdentity(c)
  if (p.uri === null ? c.uris.some((u) => u.startsWith('barid:')) : id?.kind !== p.uri)
    profile('barid: URI')
}

/** 8.5 steps 1 to 8 on a path c0 (leaf) … cn (anchor). */
function checkPath(path, role, at, revocation) {
  const n = path.length - 1
  const want = PROFILES[role].length
  if (path.length > want) fail('ERR_CERT_PATH_LENGTH', `${path.length} certificates`)
  if (path.length < want) profile(`${path.length} certificates for ${role}`)
  for (let j = n; j >= 0; j--) {
    const c = path[j]
    const posRole = j === n ? 'federation-root' : j === 0 ? role : 'operator-ca'
    if (j < n) {
      const up = path[j + 1]
      if (!verifiesUnder(c, up)) fail('ERR_CERT_SIGNATURE_INVALID', `certificate ${j}`)
      if (!equal(c.issuer.bytes, up.subject.bytes)) fail('ERR_CERT_NAME_CHAINING', `${j}`)
    }
    if (at < c.notBefore) fail('ERR_CERT_NOT_YET_VALID', `${j}`)
    if (at > c.notAfter) fail('ERR_CERT_EXPIRED', `${j}`)
    checkProfile(c, posRole, j < n ? path[j + 1] : null)
    if (j >= 1) {
      const pl = c.basicConstraints?.pathLen
      if (pl !== null && pl !== undefined && BigInt(j - 1) > pl)
        fail('ERR_CERT_PATH_LENGTH', `pathLenConstraint of ${j}`)
    }
    if (j === 0 && PROFILES[role].pathLen === undefined) {
      if (baridIdentity(c)?.operator !== baridIdentity(path[1])?.operator)
        profile('operator binding')
    }
  }
  const statuses = []
  if (revocation) {
    for (let j = n - 1; j >= 0; j--) {
      let s
      try {
        s = revocation.hook(path[j])
      } catch {
        s = 'unknown'
      }
      if (s !== 'good' && s !== 'revoked') s = 'unknown'
      if (s === 'revoked') fail('ERR_CERT_REVOKED', `certificate ${j}`)
      if (s === 'unknown' && revocation.policy !== 'soft-fail')
        fail('ERR_CERT_REVOCATION_UNAVAILABLE', `certificate ${j}`)
      statuses[j] = s
    }
  }
  return statuses
}

/** 8.3.2: Ed25519 signatures under Ed25519 keys, ECDSA under P-256; verified by OpenSSL. */
function verifiesUnder(c, issuer) {
  const fits =
    (c.sigAlg === OID.ed25519 && issuer.key.type === 'Ed25519') ||
    (c.sigAlg === OID.ecdsaSha256 && issuer.key.type === 'P-256')
  return fits && c.x509.verify(issuer.x509.publicKey)
}

/**
 * 8.5: validates `leaf` (parsed) for `role` at `at` (seconds); returns { path (parsed
 * certificates, leaf first), statuses (revocation, by position; empty without a hook) }. `revocation`: { hook(cert) → 'good' | 'revoked' | 'unknown',
 * policy }.
 */
export function validate({ leaf, intermediates = [], anchors, role, at, maxLength = 3, revocation }) {
  if (intermediates.length > 8 || anchors.length > 1024) fail('ERR_INPUT_TOO_LARGE', 'inputs')
  const isAnchor = (c) => anchors.some((a) => equal(a.der, c.der))
  let firstError = null
  let abandoned = false
  let checked = 0
  const candidates = (c) =>
    [...anchors, ...intermediates].filter((x) =>
      c.aki?.keyId
        ? x.ski !== null && equal(x.ski, c.aki.keyId)
        : equal(x.subject.bytes, c.issuer.bytes),
    )
  const search = (path) => {
    const last = path[path.length - 1]
    if (isAnchor(last)) {
      if (checked >= 16) return null
      checked += 1
      try {
        return { path, statuses: checkPath(path, role, at, revocation) }
      } catch (e) {
        if (!(e instanceof CheckError)) throw e
        firstError ??= e
        return null
      }
    }
    if (path.length >= maxLength) {
      abandoned = true
      return null
    }
    for (const x of candidates(last)) {
      if (path.some((p) => equal(p.der, x.der))) continue
      const found = search([...path, x])
      if (found) return found
    }
    return null
  }
  const found = search([leaf])
  if (found) return found
  if (firstError) throw firstError
  return fail(abandoned ? 'ERR_CERT_PATH_LENGTH' : 'ERR_CERT_UNTRUSTED')
}
