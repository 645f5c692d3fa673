import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { isBaridError } from '../errors.js'
import { x509 } from './setup.js'
import type { ParsedCertificate } from './certificate.js'
import { readDer } from './der.js'
import { FIXTURE_TIME, buildDeviant, makeFixturePki, type FixturePki } from './fixtures.js'
import { BARID_EKU } from './oids.js'
import type { CertificateRole } from './roles.js'
import { validateChain, type RevocationStatus, type ValidateChainOptions } from './validate.js'
import { codeOf } from '../../test/code-of.js'

let pki: FixturePki
beforeAll(async () => {
  pki = await makeFixturePki()
})

const at = FIXTURE_TIME.at

function chain(
  leaf: ParsedCertificate,
  role: CertificateRole,
  more: Partial<ValidateChainOptions> = {},
) {
  return validateChain({
    leaf,
    intermediates: [pki.operatorCa],
    anchors: [pki.root],
    role,
    at,
    ...more,
  })
}

// The code, and for ERR_CERT_PROFILE the rule, so each case proves which rule fired.
async function ruleOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return isBaridError(e)
      ? `${e.code}: ${String(e.details?.rule)}`
      : `not a BaridError: ${String(e)}`
  }
  return 'accepted'
}


// A node certificate under the fixture operator CA, with one part changed.
function deviantNode(over: Partial<Parameters<typeof buildDeviant>[0]> = {}) {
  return buildDeviant({
    role: 'node',
    subjectKey: pki.keys.node,
    issuer: { certificate: pki.operatorCa, key: pki.keys.operatorCa },
    serialNumber: '7f01',
    ...over,
  })
}

describe('validateChain accepts', () => {
  it.each([
    ['node', 'node'],
    ['mailboxEncryption', 'mailbox-encryption'],
    ['mailboxEncryptionP256', 'mailbox-encryption'],
    ['mailboxSigning', 'mailbox-signing'],
  ] as const)('a valid %s chain for its role', async (name, role) => {
    const result = await chain(pki[name], role)
    expect(result.path.map((c) => c.role)).toEqual([role, 'operator-ca', 'federation-root'])
    expect(result.revocation).toEqual(['not-checked', 'not-checked'])
  })

  it('an operator CA directly under the root, and the root itself', async () => {
    expect((await chain(pki.operatorCa, 'operator-ca')).path).toHaveLength(2)
    expect((await chain(pki.root, 'federation-root')).path).toHaveLength(1)
  })

  it('PEM and DER inputs, with intermediates in any order and decoys among them', async () => {
    const decoy = pki.mailboxSigning.der
    const result = await validateChain({
      leaf: x509Pem(pki.node),
      intermediates: [decoy, pki.operatorCa.der],
      anchors: [x509Pem(pki.root)],
      role: 'node',
      at,
    })
    expect(result.leaf.operatorId).toBe('post.eg')
  })

  it('the first and the last second of validity (both ends inclusive)', async () => {
    expect((await chain(pki.node, 'node', { at: FIXTURE_TIME.start })).path).toHaveLength(3)
    expect((await chain(pki.node, 'node', { at: FIXTURE_TIME.leafEnd })).path).toHaveLength(3)
  })
})

describe('validateChain rejects, one rule at a time', () => {
  it('a leaf signed by a key other than its issuer: ERR_CERT_SIGNATURE_INVALID', async () => {
    const forged = await deviantNode({ signingKey: pki.keys.other })
    expect(await codeOf(chain(forged, 'node'))).toBe('ERR_CERT_SIGNATURE_INVALID')
  })

  it('an expired leaf: ERR_CERT_EXPIRED', async () => {
    expect(await codeOf(chain(pki.node, 'node', { at: new Date('2027-01-01T00:00:00Z') }))).toBe(
      'ERR_CERT_EXPIRED',
    )
  })

  it('a leaf before its notBefore: ERR_CERT_NOT_YET_VALID', async () => {
    expect(await codeOf(chain(pki.node, 'node', { at: new Date('2024-12-31T23:59:59Z') }))).toBe(
      'ERR_CERT_NOT_YET_VALID',
    )
  })

  it('a chain to a root that is not an anchor: ERR_CERT_UNTRUSTED', async () => {
    const otherRoot = await buildDeviant({
      role: 'federation-root',
      subjectKey: pki.keys.other,
      issuer: 'self',
      serialNumber: '05',
      notAfter: FIXTURE_TIME.rootEnd,
    })
    expect(await codeOf(chain(pki.node, 'node', { anchors: [otherRoot] }))).toBe(
      'ERR_CERT_UNTRUSTED',
    )
  })

  it('a leaf whose intermediate is missing: ERR_CERT_UNTRUSTED', async () => {
    expect(await codeOf(chain(pki.node, 'node', { intermediates: [] }))).toBe('ERR_CERT_UNTRUSTED')
  })

  it("a leaf whose issuer name is not its issuer's subject: ERR_CERT_NAME_CHAINING", async () => {
    const renamed = await deviantNode({
      issuerName: [{ CN: [{ utf8String: 'Egypt Post Barid CA 2' }] }],
    })
    expect(await codeOf(chain(renamed, 'node'))).toBe('ERR_CERT_NAME_CHAINING')
  })

  it('an intermediate without basicConstraints cA: ERR_CERT_NOT_CA', async () => {
    const notCa = await buildDeviant({
      role: 'operator-ca',
      subjectKey: pki.keys.operatorCa,
      issuer: { certificate: pki.root, key: pki.keys.root },
      serialNumber: '06',
      commonName: 'Egypt Post Barid CA',
      notAfter: FIXTURE_TIME.caEnd,
      extensions: (e) => e.filter((x) => x.type !== '2.5.29.19'),
    })
    const code = await codeOf(chain(pki.node, 'node', { intermediates: [notCa] }))
    expect(code).toBe('ERR_CERT_NOT_CA')
  })

  it('a path longer than maxLength: ERR_CERT_PATH_LENGTH', async () => {
    expect(await codeOf(chain(pki.node, 'node', { maxLength: 2 }))).toBe('ERR_CERT_PATH_LENGTH')
  })

  it('an operator CA issued by an operator CA (pathLenConstraint 0): ERR_CERT_PATH_LENGTH', async () => {
    const subCa = await buildDeviant({
      role: 'operator-ca',
      subjectKey: pki.keys.other,
      issuer: { certificate: pki.operatorCa, key: pki.keys.operatorCa },
      serialNumber: '07',
      commonName: 'Egypt Post Sub CA',
      notAfter: FIXTURE_TIME.caEnd,
    })
    const leaf = await buildDeviant({
      role: 'node',
      subjectKey: pki.keys.node,
      issuer: { certificate: subCa, key: pki.keys.other },
      serialNumber: '08',
    })
    for (const maxLength of [3, 4]) {
      const code = await codeOf(
        chain(leaf, 'node', { intermediates: [subCa, pki.operatorCa], maxLength }),
      )
      expect(code).toBe('ERR_CERT_PATH_LENGTH')
    }
  })

  it('a node certificate with an extra key usage: ERR_CERT_KEY_USAGE', async () => {
    const flags = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    const leaf = await deviantNode({
      extensions: (e) =>
        e.map((x) => (x.type === '2.5.29.15' ? new x509.KeyUsagesExtension(flags, true) : x)),
    })
    expect(await codeOf(chain(leaf, 'node'))).toBe('ERR_CERT_KEY_USAGE')
  })

  it('a node certificate without the evidence-signing purpose: ERR_CERT_EXT_KEY_USAGE', async () => {
    const leaf = await deviantNode({
      extensions: (e) =>
        e.map((x) =>
          x.type === '2.5.29.37'
            ? new x509.ExtendedKeyUsageExtension([BARID_EKU.requestSigning])
            : x,
        ),
    })
    expect(await codeOf(chain(leaf, 'node'))).toBe('ERR_CERT_EXT_KEY_USAGE')
  })

  it('a node certificate presented as a sender certificate: ERR_CERT_EXT_KEY_USAGE', async () => {
    expect(await codeOf(chain(pki.node, 'mailbox-signing'))).toBe('ERR_CERT_EXT_KEY_USAGE')
  })

  it('a node certificate living longer than two years: ERR_CERT_PROFILE', async () => {
    const leaf = await deviantNode({ notAfter: new Date('2027-01-03T00:00:00Z') })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(/^ERR_CERT_PROFILE: lifetime/)
  })

  it('an unknown critical extension: ERR_CERT_PROFILE', async () => {
    const unknown = new x509.Extension('1.3.6.1.4.1.32473.99', true, new Uint8Array([0x05, 0x00]))
    const leaf = await deviantNode({ extensions: (e) => [...e, unknown] })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(
      /^ERR_CERT_PROFILE: unknown critical extension/,
    )
  })

  it('an unknown non-critical extension: ERR_CERT_PROFILE', async () => {
    const unknown = new x509.Extension('1.3.6.1.4.1.32473.99', false, new Uint8Array([0x05, 0x00]))
    const leaf = await deviantNode({ extensions: (e) => [...e, unknown] })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(/^ERR_CERT_PROFILE: unknown extension/)
  })

  it('ignores a non-critical certificatePolicies extension', async () => {
    const policies = new x509.CertificatePolicyExtension(['1.3.6.1.4.1.32473.1.3.1'], false)
    const leaf = await deviantNode({ extensions: (e) => [...e, policies] })
    expect((await chain(leaf, 'node')).path).toHaveLength(3)
  })

  it('a critical subjectAltName: ERR_CERT_PROFILE', async () => {
    const san = new x509.SubjectAlternativeNameExtension(
      [{ type: 'url', value: 'barid:operator:post.eg' }],
      true,
    )
    const leaf = await deviantNode({
      extensions: (e) => e.map((x) => (x.type === '2.5.29.17' ? san : x)),
    })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(
      /^ERR_CERT_PROFILE: subjectAltName must not be critical/,
    )
  })

  it('an X25519 key in a node certificate: ERR_CERT_PROFILE', async () => {
    const leaf = await deviantNode({ subjectKey: pki.keys.mailbox })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(/^ERR_CERT_PROFILE: subject key must be/)
  })

  it("a node naming another operator than its CA's: ERR_CERT_PROFILE", async () => {
    const leaf = await deviantNode({ baridUri: 'barid:operator:digitalpost.dk' })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(/^ERR_CERT_PROFILE: operator differs/)
  })

  it('a node issued directly by the root: ERR_CERT_PROFILE', async () => {
    const leaf = await buildDeviant({
      role: 'node',
      subjectKey: pki.keys.node,
      issuer: { certificate: pki.root, key: pki.keys.root },
      serialNumber: '09',
    })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(/^ERR_CERT_PROFILE: the issuer of a node/)
  })

  it('a node certificate without a barid URI: ERR_CERT_PROFILE', async () => {
    const leaf = await deviantNode({ baridUri: null })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(
      /^ERR_CERT_PROFILE: subjectAltName must carry/,
    )
  })

  it('a subjectKeyIdentifier that is not the key id: ERR_CERT_PROFILE', async () => {
    const ski = new x509.SubjectKeyIdentifierExtension('00'.repeat(20))
    const leaf = await deviantNode({
      extensions: (e) => e.map((x) => (x.type === '2.5.29.14' ? ski : x)),
    })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(/^ERR_CERT_PROFILE: subjectKeyIdentifier/)
  })

  it('a non-critical keyUsage: ERR_CERT_PROFILE', async () => {
    const ku = new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, false)
    const leaf = await deviantNode({
      extensions: (e) => e.map((x) => (x.type === '2.5.29.15' ? ku : x)),
    })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(
      /^ERR_CERT_PROFILE: keyUsage must be critical/,
    )
  })

  it('an end entity that claims to be a CA: ERR_CERT_PROFILE', async () => {
    const bc = new x509.BasicConstraintsExtension(true, undefined, true)
    const leaf = await deviantNode({ extensions: (e) => [bc, ...e] })
    expect(await ruleOf(chain(leaf, 'node'))).toMatch(/^ERR_CERT_PROFILE: an end-entity/)
  })

  it('a revoked leaf: ERR_CERT_REVOKED', async () => {
    const checkRevocation = async (c: ParsedCertificate): Promise<RevocationStatus> =>
      c.role === 'node' ? 'revoked' : 'good'
    expect(await codeOf(chain(pki.node, 'node', { checkRevocation }))).toBe('ERR_CERT_REVOKED')
  })

  it('unknown revocation status under hard-fail: ERR_CERT_REVOCATION_UNAVAILABLE', async () => {
    const checkRevocation = async () => 'unknown' as const
    expect(await codeOf(chain(pki.node, 'node', { checkRevocation }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
    const throwing = async (): Promise<'good'> => {
      throw new Error('network down')
    }
    expect(await codeOf(chain(pki.node, 'node', { checkRevocation: throwing }))).toBe(
      'ERR_CERT_REVOCATION_UNAVAILABLE',
    )
  })

  it('accepts unknown revocation status under soft-fail and reports it', async () => {
    const asked: string[] = []
    const checkRevocation = async (c: ParsedCertificate) => {
      asked.push(c.role ?? '?')
      return c.role === 'operator-ca' ? ('good' as const) : ('unknown' as const)
    }
    const result = await chain(pki.node, 'node', { checkRevocation, revocationPolicy: 'soft-fail' })
    expect(result.revocation).toEqual(['unknown', 'good'])
    expect(asked).toEqual(['operator-ca', 'node'])
  })

  it('too many intermediates, and a certificate over 16 KiB: ERR_INPUT_TOO_LARGE', async () => {
    const many = Array.from({ length: 9 }, () => pki.operatorCa)
    expect(await codeOf(chain(pki.node, 'node', { intermediates: many }))).toBe(
      'ERR_INPUT_TOO_LARGE',
    )
    const huge = new Uint8Array(16 * 1024 + 1)
    expect(await codeOf(chain(pki.node, 'node', { intermediates: [huge] }))).toBe(
      'ERR_INPUT_TOO_LARGE',
    )
  })

  it('a look-alike object instead of a parsed certificate: ERR_INVALID_ARGUMENT', async () => {
    const fake = { ...pki.node } as ParsedCertificate
    expect(await codeOf(chain(fake, 'node'))).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('tampering', () => {
  it("fails with a BaridError whenever one byte of the leaf's signed part is changed", async () => {
    const der = pki.mailboxSigning.der
    const root = readDer(der)
    const tbs = root.children[0]!
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: tbs.start, max: tbs.end - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, mask) => {
          const bad = der.slice()
          bad[index]! ^= mask
          const result = validateChain({
            leaf: bad,
            intermediates: [pki.operatorCa],
            anchors: [pki.root],
            role: 'mailbox-signing',
            at,
          })
          const code = await codeOf(result)
          expect(code).toMatch(/^ERR_/)
        },
      ),
      { numRuns: 150 },
    )
  })
})

function x509Pem(c: ParsedCertificate): string {
  return new x509.X509Certificate(c.der as Uint8Array<ArrayBuffer>).toString('pem')
}
