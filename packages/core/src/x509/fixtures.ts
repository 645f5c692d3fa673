/**
 * @module x509/fixtures
 * A deterministic test PKI for tests, vectors and benchmarks: fixed, published keys (RFC 8032
 * section 7.1 Ed25519 test keys, RFC 7748 section 6.1 X25519 keys, RFC 6979 appendix A.2.5 P-256
 * key) and a valid federation root -> operator CA -> end-entity chain for every role. All
 * certificates are signed with Ed25519, so the same inputs always give the same bytes. These keys
 * are public: never use them outside tests.
 */
import type { x509 } from './setup.js'
import { fromHex, toBase64Url } from '../bytes.js'
import { importKeyPair, type KeyPair, type PrivateJwk } from '../keys/index.js'
import { buildCertificate, profileExtensions } from './build.js'
import type { ParsedCertificate } from './certificate.js'
import { createCertificate } from './create.js'
import { parseCertificate } from './parse.js'
import { PROFILES, type CertificateRole } from './roles.js'

function okp(crv: 'Ed25519' | 'X25519', d: string, x: string): PrivateJwk {
  return { kty: 'OKP', crv, d: toBase64Url(fromHex(d)), x: toBase64Url(fromHex(x)) }
}

/** The fixed private JWKs, with where each key was published. */
export const FIXED_JWKS = {
  /** RFC 8032 section 7.1 TEST 1. */
  root: okp(
    'Ed25519',
    '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  ),
  /** RFC 8032 section 7.1 TEST 2. */
  operatorCa: okp(
    'Ed25519',
    '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  ),
  /** RFC 8032 section 7.1 TEST 3. */
  node: okp(
    'Ed25519',
    'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
  ),
  /** RFC 8032 section 7.1 TEST 1024. */
  sender: okp(
    'Ed25519',
    'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
  ),
  /** RFC 8032 section 7.1 TEST SHA(abc): the attacker's key in must-fail cases. */
  other: okp(
    'Ed25519',
    '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
  ),
  /** RFC 7748 section 6.1, Alice. */
  mailbox: okp(
    'X25519',
    '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  ),
  /** RFC 6979 appendix A.2.5, as an ECDH key. */
  mailboxP256: {
    kty: 'EC',
    crv: 'P-256',
    d: toBase64Url(fromHex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721')),
    x: toBase64Url(fromHex('60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6')),
    y: toBase64Url(fromHex('7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299')),
  },
  /** COSE WG Examples, key "11" (ecdsa-examples/ecdsa-01.json): the ES256 operator CA. */
  operatorCaP256: {
    kty: 'EC',
    crv: 'P-256',
    d: 'V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNM',
    x: 'usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8',
    y: 'IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4',
  },
  /** COSE WG Examples, meriadoc.brandybuck@buckland.example (ecdsa-examples/ecdsa-sig-02.json). */
  nodeP256: {
    kty: 'EC',
    crv: 'P-256',
    d: 'r_kHyZ-a06rmxM3yESK84r1otSg-aQcVStkRhA-iCM8',
    x: 'Ze2loSV3wrroKUN_4zhwGhCqo3Xhu1td4QjeQ5wIVR0',
    y: 'HlLtdXARY_f55A3fnzQbPcm6hgr34Mp8p-nuzQCE0Zw',
  },
} as const satisfies Record<string, PrivateJwk>

/** Times of the fixture PKI. */
export const FIXTURE_TIME = {
  start: new Date('2025-01-01T00:00:00Z'),
  /** A time at which every fixture certificate is valid. */
  at: new Date('2025-06-01T00:00:00Z'),
  rootEnd: new Date('2044-12-31T00:00:00Z'),
  caEnd: new Date('2034-12-31T00:00:00Z'),
  leafEnd: new Date('2026-12-31T00:00:00Z'),
} as const

export const FIXTURE_OPERATOR = 'post.eg'

/** The fixture PKI: keys and one valid certificate per role. */
export interface FixturePki {
  keys: Record<keyof typeof FIXED_JWKS, KeyPair>
  root: ParsedCertificate
  operatorCa: ParsedCertificate
  node: ParsedCertificate
  mailboxEncryption: ParsedCertificate
  mailboxEncryptionP256: ParsedCertificate
  mailboxSigning: ParsedCertificate
}

/**
 * Builds the fixture PKI (deterministic).
 *
 * @example
 * ```ts
 * const pki = await makeFixturePki()
 * const { node, operatorCa, root } = pki
 * await validateChain({ leaf: node, intermediates: [operatorCa], anchors: [root], role: 'node', at })
 * ```
 */
export async function makeFixturePki(): Promise<FixturePki> {
  const entries = await Promise.all(
    Object.entries(FIXED_JWKS).map(async ([name, jwk]) => {
      const use = name.startsWith('mailbox') ? 'encrypt' : 'sign'
      return [name, await importKeyPair(jwk, { use })] as const
    }),
  )
  const keys = Object.fromEntries(entries) as FixturePki['keys']
  const { start, rootEnd, caEnd, leafEnd } = FIXTURE_TIME
  const root = await createCertificate({
    role: 'federation-root',
    subjectName: {
      commonName: 'Barid Test Federation Root',
      organization: 'Barid Test Federation',
    },
    publicKey: keys.root.publicKey,
    privateKey: keys.root.privateKey,
    issuer: 'self',
    serialNumber: '01',
    notBefore: start,
    notAfter: rootEnd,
  })
  const operatorCa = await createCertificate({
    role: 'operator-ca',
    subjectName: { commonName: 'Egypt Post Barid CA', organization: 'Egypt Post', country: 'EG' },
    publicKey: keys.operatorCa.publicKey,
    issuer: { certificate: root, privateKey: keys.root.privateKey },
    operatorId: FIXTURE_OPERATOR,
    serialNumber: '02',
    notBefore: start,
    notAfter: caEnd,
  })
  const leaf = (
    role: CertificateRole,
    key: KeyPair,
    commonName: string,
    serialNumber: string,
    mailbox?: string,
  ) =>
    createCertificate({
      role,
      subjectName: { commonName, organization: 'Egypt Post', country: 'EG' },
      publicKey: key.publicKey,
      issuer: { certificate: operatorCa, privateKey: keys.operatorCa.privateKey },
      ...(mailbox === undefined ? {} : { mailbox }),
      serialNumber,
      notBefore: start,
      notAfter: leafEnd,
    })
  return {
    keys,
    root,
    operatorCa,
    node: await leaf('node', keys.node, 'node-1.post.eg', '10'),
    mailboxEncryption: await leaf(
      'mailbox-encryption',
      keys.mailbox,
      'Amina Hassan',
      '11',
      'amina.hassan@post.eg',
    ),
    mailboxEncryptionP256: await leaf(
      'mailbox-encryption',
      keys.mailboxP256,
      'Karim Adel',
      '12',
      'karim.adel@post.eg',
    ),
    mailboxSigning: await leaf(
      'mailbox-signing',
      keys.sender,
      'Ministry of Health',
      '13',
      'ministry.of.health@post.eg',
    ),
  }
}

/** A certificate to build with one rule broken: start from a role's profile, override parts. */
export interface DeviantCertificate {
  role: CertificateRole
  subjectKey: KeyPair
  /** The issuer certificate and key; `self` signs with `subjectKey`. */
  issuer: { certificate: ParsedCertificate; key: KeyPair } | 'self'
  serialNumber: string
  commonName?: string
  /** The `barid:` URI; default one fitting the role; `null` for none. */
  baridUri?: string | null
  notBefore?: Date
  notAfter?: Date
  /** Replace the issuer name (default: the issuer's subject). */
  issuerName?: x509.JsonNameParams
  /** Sign with this key instead of the issuer's. */
  signingKey?: KeyPair
  /** Edit the profile's extension list. */
  extensions?: (standard: x509.Extension[]) => x509.Extension[]
}

/**
 * Builds a certificate that follows `role`'s profile except where `d` overrides it, bypassing
 * `createCertificate`'s checks. For must-fail tests and vectors only.
 *
 * @example
 * ```ts
 * const longLived = await buildDeviant({ role: 'node', ..., notAfter: new Date('2030-01-01Z') })
 * ```
 */
export async function buildDeviant(d: DeviantCertificate): Promise<ParsedCertificate> {
  const issuerCert = d.issuer === 'self' ? undefined : d.issuer.certificate
  const subject: x509.JsonNameParams = [
    { CN: [{ utf8String: d.commonName ?? `Deviant ${d.role}` }] },
  ]
  const standard = profileExtensions({
    role: d.role,
    kid: d.subjectKey.kid,
    ...(issuerCert?.kid === undefined ? {} : { issuerKid: issuerCert.kid }),
    ...withUri(d.baridUri === null ? undefined : (d.baridUri ?? defaultUri(d.role))),
  })
  const signer = d.signingKey ?? (d.issuer === 'self' ? d.subjectKey : d.issuer.key)
  const der = await buildCertificate({
    subject,
    issuer: d.issuerName ?? issuerCert?.subject.der ?? subject,
    publicKey: d.subjectKey.publicKey,
    signingKey: signer.privateKey,
    serialNumber: d.serialNumber,
    notBefore: d.notBefore ?? FIXTURE_TIME.start,
    notAfter: d.notAfter ?? FIXTURE_TIME.leafEnd,
    extensions: d.extensions ? d.extensions(standard) : standard,
  })
  return parseCertificate(der)
}

function defaultUri(role: CertificateRole): string | undefined {
  const kind = PROFILES[role].baridUri
  if (kind === 'none') return undefined
  return kind === 'operator'
    ? `barid:operator:${FIXTURE_OPERATOR}`
    : `barid:mailbox:someone@${FIXTURE_OPERATOR}`
}

function withUri(uri: string | undefined): { baridUri?: string } {
  return uri === undefined ? {} : { baridUri: uri }
}
