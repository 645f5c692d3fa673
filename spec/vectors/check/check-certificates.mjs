// vectors/certificates.json against spec 08: keys and key ids (8.2), certificates (8.3, 8.4),
// path validation with its codes (8.5) and the revocation hook (8.6).
import crypto from 'node:crypto'
import { fail } from './cbor.mjs'
import { equal, hex, kidOf, privateKey, publicJwk, publicKey, toHex } from './cose.mjs'
import { assert, assertEqual, vectors } from './harness.mjs'
import { baridIdentity, inferRole, parseCertificate, validate } from './x509.mjs'

const seconds = (iso) => Date.parse(iso) / 1000
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2'
const iso = (s) => new Date(s * 1000).toISOString()

export function checkCertificates(r) {
  const j = vectors('certificates.json')
  r.check('certificates: every kid is the RFC 7638 thumbprint of its key', () => {
    for (const k of j.keys) {
      assertEqual(toHex(kidOf(k.publicJwk)), k.kid, k.name)
      assertEqual(Buffer.from(hex(k.kid)).toString('base64url'), k.kidBase64Url, k.name)
      assertEqual(publicJwk(k.privateJwk), k.publicJwk, `${k.name} public part`)
    }
  })
  const parsed = new Map()
  for (const c of j.certificates) {
    r.check(`certificate ${c.name} parses with the given fields`, () => {
      const p = parseCertificate(hex(c.der))
      parsed.set(c.name, p)
      assertEqual(p.subject.text, c.subject, 'subject')
      assertEqual(p.issuer.text, c.issuer, 'issuer')
      assertEqual(p.serialHex, c.serialNumber, 'serialNumber')
      assertEqual(iso(p.notBefore), c.notBefore, 'notBefore')
      assertEqual(iso(p.notAfter), c.notAfter, 'notAfter')
      assertEqual(toHex(p.kid), c.kid, 'kid of the subject key')
      assertEqual(toHex(p.ski), c.kid, 'subjectKeyIdentifier')
      const id = baridIdentity(p)
      assertEqual(id?.operator ?? null, c.operatorId, 'operator id')
      assertEqual(id?.mailbox ?? null, c.mailbox, 'mailbox')
      assertEqual(inferRole(p), c.role, 'inferred role')
    })
    // 8.7: an Ed25519 signature is reproduced by one of the listed keys; an ECDSA one is
    // randomised, so it is verified under one of them (DER ECDSA-Sig-Value, RFC 5758).
    r.check(`certificate ${c.name} is signed by a listed key`, () => {
      const p = parsed.get(c.name) ?? fail('VECTOR', 'did not parse')
      const ecdsa = p.sigAlg === ECDSA_WITH_SHA256
      const signer = j.keys.find((k) =>
        ecdsa
          ? k.algorithm === 'ES256' &&
            crypto.verify('sha256', p.tbs, publicKey(k.publicJwk), p.signature)
          : k.algorithm === 'Ed25519' &&
            equal(crypto.sign(null, p.tbs, privateKey(k.privateJwk)), p.signature),
      )
      if (c.note !== undefined && /signature changed/.test(c.note)) {
        assert(!signer, 'a changed signature verifies under no listed key')
        return
      }
      assert(signer, 'no listed key gives this signature')
      if (c.note === undefined || !/another key/.test(c.note))
        assert(p.aki === null || equal(p.aki.keyId, hex(signer.kid)), 'signed by the AKI key')
    })
  }
  const cert = (name) => parsed.get(name) ?? fail('VECTOR', `certificate ${name} did not parse`)
  const inputs = (v) => ({
    leaf: cert(v.leaf),
    intermediates: v.intermediates.map(cert),
    anchors: v.anchors.map(cert),
    role: v.role,
    at: seconds(v.at),
    maxLength: v.maxLength ?? 3,
    revocation: v.revocation && {
      policy: v.revocation.policy,
      hook: (c) =>
        v.revocation.revokedSerials.includes(c.serialHex)
          ? 'revoked'
          : v.revocation.unknownSerials.includes(c.serialHex)
            ? 'unknown'
            : 'good',
    },
  })
  const nameOf = (c) => j.certificates.find((x) => x.der === toHex(c.der))?.name
  for (const v of j.validChains)
    r.check(`certificate chain ${v.name}`, () => {
      const { path, statuses } = validate(inputs(v))
      assertEqual(path.map(nameOf), v.path, 'path')
      // OpenSSL agrees on the issuer of each link (names and key identifiers).
      for (let i = 0; i + 1 < path.length; i++)
        assert(path[i].x509.checkIssued(path[i + 1].x509), `checkIssued ${i}`)
      if (v.revocation?.policy === 'soft-fail')
        assert(statuses.includes('unknown'), 'soft-fail reports the unknown status')
    })
  for (const v of j.invalidChains)
    r.refuses(`certificate invalid chain ${v.name}`, v.reason, () => validate(inputs(v)))
  for (const m of j.malformed)
    r.refuses(`certificate malformed ${m.name}`, m.reason, () => parseCertificate(hex(m.der)))
}
