/**
 * @module x509/vectors
 * Builds `spec/vectors/certificates.json`: the fixed keys of the fixture PKI with their key ids,
 * one certificate per role, valid chains, and must-fail chains each tagged with the error code a
 * validator must report. Every certificate is Ed25519-signed, hence byte-for-byte reproducible,
 * but the node certificate of the ES256 chain: ECDSA signs with a fresh nonce, so the generator
 * keeps the committed DER while its tbsCertificate is unchanged and its signature verifies.
 */
import { x509 } from './setup.js'
import { bytesEqual, concatBytes, fromHex, toBase64Url, toHex } from '../bytes.js'
import type { BaridErrorCode } from '../errors.js'
import type { ParsedCertificate } from './certificate.js'
import { createCertificate } from './create.js'
import { parseCertificate } from './parse.js'
import { verifyCertificateSignature } from './signature.js'
import { FIXED_JWKS, FIXTURE_TIME, buildDeviant, makeFixturePki } from './fixtures.js'
import { BARID_ARC, BARID_EKU } from './oids.js'
import type { CertificateRole } from './roles.js'

interface ChainVector {
  name: string
  role: CertificateRole
  leaf: string
  intermediates: string[]
  anchors: string[]
  at: string
  maxLength?: number
  revocation?: {
    policy: 'hard-fail' | 'soft-fail'
    revokedSerials: string[]
    unknownSerials: string[]
  }
  reason?: BaridErrorCode
  path?: string[]
}

const KEY_SOURCES: Record<keyof typeof FIXED_JWKS, string> = {
  root: 'RFC 8032 section 7.1 TEST 1',
  operatorCa: 'RFC 8032 section 7.1 TEST 2',
  node: 'RFC 8032 section 7.1 TEST 3',
  sender: 'RFC 8032 section 7.1 TEST 1024',
  other: 'RFC 8032 section 7.1 TEST SHA(abc)',
  mailbox: 'RFC 7748 section 6.1 (Alice)',
  mailboxP256: 'RFC 6979 appendix A.2.5',
  operatorCaP256: 'COSE WG Examples, key 11 (ecdsa-examples/ecdsa-01.json)',
  nodeP256:
    'COSE WG Examples, meriadoc.brandybuck@buckland.example (ecdh-wrap-examples/p256-wrap-192-01.json)',
}

/**
 * The certificate vectors as a JSON-able object (hex for bytes).
 *
 * @example
 * ```ts
 * writeFileSync('spec/vectors/certificates.json', JSON.stringify(await makeVectors(), null, 2))
 * ```
 */
export async function makeVectors(committed?: unknown): Promise<unknown> {
  const pki = await makeFixturePki()
  const k = pki.keys
  const underCa = { certificate: pki.operatorCa, key: k.operatorCa }
  const caEnd = FIXTURE_TIME.caEnd
  // The ES256 chain: a P-256 operator CA (Ed25519-signed by the root) and its ES256-signed node.
  const operatorCaEs256 = await createCertificate({
    role: 'operator-ca',
    subjectName: {
      commonName: 'Egypt Post Barid CA P-256',
      organization: 'Egypt Post',
      country: 'EG',
    },
    publicKey: k.operatorCaP256.publicKey,
    issuer: { certificate: pki.root, privateKey: k.root.privateKey },
    operatorId: 'post.eg',
    serialNumber: '03',
    notBefore: FIXTURE_TIME.start,
    notAfter: caEnd,
  })
  const nodeEs256 = await keepCommitted(
    committed,
    'node-es256',
    await createCertificate({
      role: 'node',
      subjectName: { commonName: 'node-2.post.eg', organization: 'Egypt Post', country: 'EG' },
      publicKey: k.nodeP256.publicKey,
      issuer: { certificate: operatorCaEs256, privateKey: k.operatorCaP256.privateKey },
      serialNumber: '14',
      notBefore: FIXTURE_TIME.start,
      notAfter: FIXTURE_TIME.leafEnd,
    }),
    operatorCaEs256,
  )
  const nodeEs256Der = nodeEs256.der.slice()
  // The last byte of the DER is the last byte of the signature's S: still a well-formed
  // ECDSA-Sig-Value, no longer a valid signature.
  nodeEs256Der[nodeEs256Der.length - 1] = (nodeEs256Der[nodeEs256Der.length - 1] as number) ^ 0x01
  const deviants: Record<string, [ParsedCertificate, string]> = {
    'node-signed-by-other-key': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: underCa,
        serialNumber: '20',
        signingKey: k.other,
      }),
      'authorityKeyIdentifier names the operator CA, but the signature is by another key',
    ],
    'node-issuer-name-changed': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: underCa,
        serialNumber: '21',
        issuerName: [{ CN: [{ utf8String: 'Egypt Post Barid CA 2' }] }],
      }),
      "issuer name differs from the operator CA's subject; signature and key identifiers are right",
    ],
    'operator-ca-without-basic-constraints': [
      await buildDeviant({
        role: 'operator-ca',
        subjectKey: k.operatorCa,
        issuer: { certificate: pki.root, key: k.root },
        serialNumber: '22',
        commonName: 'Egypt Post Barid CA',
        notAfter: caEnd,
        extensions: (e) => e.filter((x) => x.type !== '2.5.29.19'),
      }),
      'same key as the operator CA, basicConstraints omitted',
    ],
    'sub-ca-under-operator-ca': [
      await buildDeviant({
        role: 'operator-ca',
        subjectKey: k.other,
        issuer: underCa,
        serialNumber: '23',
        commonName: 'Egypt Post Sub CA',
        notAfter: caEnd,
      }),
      'an operator CA issued by the operator CA, whose pathLenConstraint is 0',
    ],
    'node-extra-key-usage': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: underCa,
        serialNumber: '25',
        extensions: (e) =>
          e.map((x) =>
            x.type === '2.5.29.15'
              ? new x509.KeyUsagesExtension(
                  x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
                  true,
                )
              : x,
          ),
      }),
      'keyUsage digitalSignature + keyEncipherment',
    ],
    'node-missing-evidence-eku': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: underCa,
        serialNumber: '26',
        extensions: (e) =>
          e.map((x) =>
            x.type === '2.5.29.37'
              ? new x509.ExtendedKeyUsageExtension([BARID_EKU.requestSigning])
              : x,
          ),
      }),
      'extendedKeyUsage lacks the evidence-signing purpose',
    ],
    'node-lifetime-too-long': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: underCa,
        serialNumber: '27',
        notAfter: new Date('2027-01-03T00:00:00Z'),
      }),
      '732 days, over the 731-day limit',
    ],
    'node-unknown-critical-extension': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: underCa,
        serialNumber: '28',
        extensions: (e) => [
          ...e,
          new x509.Extension(`${BARID_ARC}.99`, true, new Uint8Array([5, 0])),
        ],
      }),
      `a critical extension ${BARID_ARC}.99`,
    ],
    'node-with-x25519-key': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.mailbox,
        issuer: underCa,
        serialNumber: '29',
      }),
      'a node certificate certifying an X25519 key',
    ],
    'node-of-other-operator': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: underCa,
        serialNumber: '2a',
        baridUri: 'barid:operator:digitalpost.dk',
      }),
      'names digitalpost.dk but is issued by the post.eg operator CA',
    ],
    'node-issued-by-root': [
      await buildDeviant({
        role: 'node',
        subjectKey: k.node,
        issuer: { certificate: pki.root, key: k.root },
        serialNumber: '2b',
      }),
      'a node certificate issued directly by the federation root',
    ],
    'other-root': [
      await buildDeviant({
        role: 'federation-root',
        subjectKey: k.other,
        issuer: 'self',
        serialNumber: '2c',
        commonName: 'Unknown Root',
        notAfter: FIXTURE_TIME.rootEnd,
      }),
      'a federation root that is not a trust anchor',
    ],
  }
  const subCaLeaf = await buildDeviant({
    role: 'node',
    subjectKey: k.node,
    issuer: { certificate: deviants['sub-ca-under-operator-ca']![0], key: k.other },
    serialNumber: '24',
  })
  deviants['node-under-sub-ca'] = [subCaLeaf, 'a node certificate issued by the sub CA']
  deviants['node-es256-signature-changed'] = [
    await parseCertificate(nodeEs256Der),
    'node-es256 with the last byte of its ECDSA signature changed',
  ]

  const valid: Record<string, ParsedCertificate> = {
    root: pki.root,
    'operator-ca': pki.operatorCa,
    node: pki.node,
    'mailbox-encryption': pki.mailboxEncryption,
    'mailbox-encryption-p256': pki.mailboxEncryptionP256,
    'mailbox-signing': pki.mailboxSigning,
    'operator-ca-es256': operatorCaEs256,
    'node-es256': nodeEs256,
  }
  const certificates = [
    ...Object.entries(valid).map(([name, c]) => certVector(name, c)),
    ...Object.entries(deviants).map(([name, [c, note]]) => ({ ...certVector(name, c), note })),
  ]

  const at = FIXTURE_TIME.at.toISOString()
  const chain = (
    name: string,
    role: CertificateRole,
    leaf: string,
    more: Partial<ChainVector> = {},
  ): ChainVector => ({
    name,
    role,
    leaf,
    intermediates: ['operator-ca'],
    anchors: ['root'],
    at,
    ...more,
  })
  const validChains: ChainVector[] = [
    chain('node', 'node', 'node', { path: ['node', 'operator-ca', 'root'] }),
    chain('mailbox-encryption-x25519', 'mailbox-encryption', 'mailbox-encryption', {
      path: ['mailbox-encryption', 'operator-ca', 'root'],
    }),
    chain('mailbox-encryption-p256', 'mailbox-encryption', 'mailbox-encryption-p256', {
      path: ['mailbox-encryption-p256', 'operator-ca', 'root'],
    }),
    chain('mailbox-signing', 'mailbox-signing', 'mailbox-signing', {
      path: ['mailbox-signing', 'operator-ca', 'root'],
    }),
    chain('operator-ca', 'operator-ca', 'operator-ca', {
      intermediates: [],
      path: ['operator-ca', 'root'],
    }),
    chain('federation-root', 'federation-root', 'root', { intermediates: [], path: ['root'] }),
    chain('node-es256', 'node', 'node-es256', {
      intermediates: ['operator-ca-es256'],
      path: ['node-es256', 'operator-ca-es256', 'root'],
    }),
    chain('valid-from-first-second', 'node', 'node', {
      at: FIXTURE_TIME.start.toISOString(),
      path: ['node', 'operator-ca', 'root'],
    }),
    chain('valid-to-last-second', 'node', 'node', {
      at: FIXTURE_TIME.leafEnd.toISOString(),
      path: ['node', 'operator-ca', 'root'],
    }),
    chain('soft-fail-unknown-revocation', 'node', 'node', {
      revocation: { policy: 'soft-fail', revokedSerials: [], unknownSerials: ['10'] },
      path: ['node', 'operator-ca', 'root'],
    }),
  ]
  const invalidChains: ChainVector[] = [
    chain('signature-invalid', 'node', 'node-signed-by-other-key', {
      reason: 'ERR_CERT_SIGNATURE_INVALID',
    }),
    chain('es256-signature-invalid', 'node', 'node-es256-signature-changed', {
      intermediates: ['operator-ca-es256'],
      reason: 'ERR_CERT_SIGNATURE_INVALID',
    }),
    chain('expired', 'node', 'node', {
      at: '2027-01-01T00:00:00.000Z',
      reason: 'ERR_CERT_EXPIRED',
    }),
    chain('not-yet-valid', 'node', 'node', {
      at: '2024-12-31T23:59:59.000Z',
      reason: 'ERR_CERT_NOT_YET_VALID',
    }),
    chain('untrusted-anchor', 'node', 'node', {
      anchors: ['other-root'],
      reason: 'ERR_CERT_UNTRUSTED',
    }),
    chain('missing-intermediate', 'node', 'node', {
      intermediates: [],
      reason: 'ERR_CERT_UNTRUSTED',
    }),
    chain('name-chaining', 'node', 'node-issuer-name-changed', {
      reason: 'ERR_CERT_NAME_CHAINING',
    }),
    chain('intermediate-not-ca', 'node', 'node', {
      intermediates: ['operator-ca-without-basic-constraints'],
      reason: 'ERR_CERT_NOT_CA',
    }),
    chain('max-length', 'node', 'node', { maxLength: 2, reason: 'ERR_CERT_PATH_LENGTH' }),
    chain('path-length-constraint', 'node', 'node-under-sub-ca', {
      intermediates: ['sub-ca-under-operator-ca', 'operator-ca'],
      maxLength: 4,
      reason: 'ERR_CERT_PATH_LENGTH',
    }),
    chain('key-usage', 'node', 'node-extra-key-usage', { reason: 'ERR_CERT_KEY_USAGE' }),
    chain('ext-key-usage', 'node', 'node-missing-evidence-eku', {
      reason: 'ERR_CERT_EXT_KEY_USAGE',
    }),
    chain('wrong-role', 'mailbox-signing', 'node', { reason: 'ERR_CERT_EXT_KEY_USAGE' }),
    chain('lifetime', 'node', 'node-lifetime-too-long', { reason: 'ERR_CERT_PROFILE' }),
    chain('unknown-critical-extension', 'node', 'node-unknown-critical-extension', {
      reason: 'ERR_CERT_PROFILE',
    }),
    chain('key-type-for-role', 'node', 'node-with-x25519-key', { reason: 'ERR_CERT_PROFILE' }),
    chain('operator-mismatch', 'node', 'node-of-other-operator', { reason: 'ERR_CERT_PROFILE' }),
    chain('leaf-under-root', 'node', 'node-issued-by-root', {
      intermediates: [],
      reason: 'ERR_CERT_PROFILE',
    }),
    chain('revoked', 'node', 'node', {
      revocation: { policy: 'hard-fail', revokedSerials: ['10'], unknownSerials: [] },
      reason: 'ERR_CERT_REVOKED',
    }),
    chain('revocation-unavailable', 'node', 'node', {
      revocation: { policy: 'hard-fail', revokedSerials: [], unknownSerials: ['10'] },
      reason: 'ERR_CERT_REVOCATION_UNAVAILABLE',
    }),
  ]

  return {
    description:
      'Barid certificate vectors (spec/08-keys-and-certificates.md). Bytes are lower-case hex. ' +
      'Keys are published test keys: never use them outside tests. Chains name certificates ' +
      'from "certificates"; "at" is the validation time. node-es256 is ECDSA-signed (randomised): ' +
      'verify its signature, never sign it again and compare. A revocation hook answers "revoked" ' +
      'for revokedSerials, "unknown" for unknownSerials and "good" otherwise. Every invalid ' +
      'chain must fail with exactly "reason".',
    baridArc: BARID_ARC,
    extendedKeyUsage: BARID_EKU,
    keys: Object.entries(FIXED_JWKS).map(([name, jwk]) => {
      const pair = k[name as keyof typeof FIXED_JWKS]
      return {
        name,
        source: KEY_SOURCES[name as keyof typeof FIXED_JWKS],
        algorithm: pair.algorithm,
        privateJwk: jwk,
        publicJwk: pair.publicJwk,
        kid: toHex(pair.kid),
        kidBase64Url: pair.kidBase64Url,
      }
    }),
    certificates,
    validChains,
    invalidChains,
    malformed: [
      {
        name: 'trailing-byte',
        der: toHex(concatBytes(pki.node.der, new Uint8Array([0]))),
        reason: 'ERR_CERT_MALFORMED',
      },
      {
        name: 'truncated',
        der: toHex(pki.node.der.subarray(0, pki.node.der.length - 1)),
        reason: 'ERR_CERT_MALFORMED',
      },
    ],
  }
}

function certVector(name: string, c: ParsedCertificate) {
  return {
    name,
    role: c.role ?? null,
    der: toHex(c.der),
    subject: c.subject.text,
    issuer: c.issuer.text,
    serialNumber: c.serialNumber,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    kid: c.kid === undefined ? null : toHex(c.kid),
    kidBase64Url: c.kid === undefined ? null : toBase64Url(c.kid),
    operatorId: c.operatorId ?? null,
    mailbox: c.mailbox ?? null,
  }
}

/**
 * The committed certificate `name` when it differs from `made` in its signature alone and that
 * signature verifies under `issuer`, else `made`: an ES256 signature is new on every run.
 */
async function keepCommitted(
  committed: unknown,
  name: string,
  made: ParsedCertificate,
  issuer: ParsedCertificate,
): Promise<ParsedCertificate> {
  const list = (committed as { certificates?: { name: string; der: string }[] } | undefined)
    ?.certificates
  const der = list?.find((c) => c.name === name)?.der
  if (der === undefined) return made
  try {
    const old = await parseCertificate(fromHex(der))
    if (bytesEqual(old.tbs, made.tbs) && (await verifyCertificateSignature(old, issuer))) return old
  } catch {
    // A committed certificate that no longer parses is replaced.
  }
  return made
}
