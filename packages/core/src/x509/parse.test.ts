import { X509Certificate as NodeX509 } from 'node:crypto'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { concatBytes, fromHex, toBase64Url, toHex } from '../bytes.js'
import { FIXTURE_TIME, makeFixturePki, type FixturePki } from './fixtures.js'
import { BARID_EKU } from './oids.js'
import { parseCertificate } from './parse.js'
import { derToPem, pemToDer } from './pem.js'
import { codeOf } from '../../test/code-of.js'

let pki: FixturePki
beforeAll(async () => {
  pki = await makeFixturePki()
})


describe('parseCertificate', () => {
  it('reads every field of a mailbox encryption certificate', async () => {
    const c = await parseCertificate(pki.mailboxEncryption.der)
    expect(c.role).toBe('mailbox-encryption')
    expect(c.version).toBe(3)
    expect(c.serialNumber).toBe('11')
    expect(c.subject.commonName).toBe('Amina Hassan')
    expect(c.subject.country).toBe('EG')
    expect(c.issuer.text).toBe(pki.operatorCa.subject.text)
    expect(c.notBefore).toEqual(FIXTURE_TIME.start)
    expect(c.notAfter).toEqual(FIXTURE_TIME.leafEnd)
    expect(c.signatureAlgorithm).toBe('Ed25519')
    expect(c.keyType).toBe('X25519')
    expect(c.keyAlgorithm).toBe('X25519')
    expect(c.publicJwk).toEqual(pki.keys.mailbox.publicJwk)
    expect(toBase64Url(c.kid!)).toBe(pki.keys.mailbox.kidBase64Url)
    expect(c.extKeyUsage).toEqual([BARID_EKU.mailbox])
    expect(c.keyUsage).toEqual({ usages: ['keyAgreement'], critical: true })
    expect(c.mailbox).toBe('amina.hassan@post.eg')
    expect(c.operatorId).toBe('post.eg')
    expect(toHex(c.authorityKeyId!)).toBe(toHex(pki.operatorCa.kid!))
  })

  it('infers the role of every fixture certificate', () => {
    expect(pki.root.role).toBe('federation-root')
    expect(pki.operatorCa.role).toBe('operator-ca')
    expect(pki.node.role).toBe('node')
    expect(pki.mailboxSigning.role).toBe('mailbox-signing')
    expect(pki.mailboxEncryptionP256.keyAlgorithm).toBe('ECDH-P256')
  })

  it('produces certificates another X.509 implementation reads the same way', () => {
    const node = new NodeX509(pki.mailboxSigning.der)
    expect(node.subjectAltName).toBe('URI:barid:mailbox:ministry.of.health@post.eg')
    expect(node.serialNumber).toBe('13')
    expect(node.checkIssued(new NodeX509(pki.operatorCa.der))).toBe(true)
    expect(node.verify(new NodeX509(pki.operatorCa.der).publicKey)).toBe(true)
  })

  it('round-trips PEM and DER', async () => {
    for (const c of [pki.root, pki.operatorCa, pki.node, pki.mailboxEncryption]) {
      const pem = derToPem(c.der)
      expect(pem.split('\n').every((l) => l.length <= 64)).toBe(true)
      expect(toHex(pemToDer(pem))).toBe(toHex(c.der))
      expect(toHex((await parseCertificate(pem)).der)).toBe(toHex(c.der))
      expect(
        toHex((await parseCertificate(`comment\r\n${pem.replace(/\n/g, '\r\n')}trailer`)).der),
      ).toBe(toHex(c.der))
    }
  })

  it('refuses PEM with two blocks, another label or a broken body: ERR_CERT_MALFORMED', async () => {
    const pem = derToPem(pki.node.der)
    for (const bad of [
      pem + pem,
      pem.replace(/CERTIFICATE/g, 'PUBLIC KEY'),
      pem.replace('M', '*'),
      'x',
    ]) {
      expect(await codeOf(() => pemToDer(bad))).toBe('ERR_CERT_MALFORMED')
    }
  })

  it('refuses input over 16 KiB before reading it: ERR_INPUT_TOO_LARGE', async () => {
    expect(await codeOf(parseCertificate(new Uint8Array(16 * 1024 + 1)))).toBe(
      'ERR_INPUT_TOO_LARGE',
    )
    expect(await codeOf(parseCertificate('x'.repeat(25 * 1024)))).toBe('ERR_INPUT_TOO_LARGE')
  })

  it('refuses trailing bytes and BER-only encodings: ERR_CERT_MALFORMED', async () => {
    const der = pki.node.der
    expect(await codeOf(parseCertificate(concatBytes(der, new Uint8Array([0]))))).toBe(
      'ERR_CERT_MALFORMED',
    )
    // The same certificate with its outer length in the long form with a leading zero octet.
    const len = (der[2]! << 8) | der[3]!
    const nonMinimal = concatBytes(
      fromHex('308300' + len.toString(16).padStart(4, '0')),
      der.subarray(4),
    )
    expect(await codeOf(parseCertificate(nonMinimal))).toBe('ERR_CERT_MALFORMED')
    // Indefinite length (BER only).
    const indefinite = concatBytes(fromHex('3080'), der.subarray(4), fromHex('0000'))
    expect(await codeOf(parseCertificate(indefinite))).toBe('ERR_CERT_MALFORMED')
  })

  it('answers any byte string with a view or a BaridError, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .tuple(fc.nat({ max: 400 }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
            .map(([at, junk]) => {
              const b = pki.node.der.slice()
              b.set(junk.subarray(0, Math.max(0, b.length - at)), Math.min(at, b.length - 1))
              return b
            }),
        ),
        async (bytes) => {
          const code = await codeOf(parseCertificate(bytes))
          expect(code === 'accepted' || code.startsWith('ERR_')).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('returns a frozen view and passes a view through unchanged', async () => {
    expect(Object.isFrozen(pki.node)).toBe(true)
    expect(await parseCertificate(pki.node)).toBe(pki.node)
  })

  it('refuses a value that is neither bytes, PEM nor a view: ERR_INVALID_ARGUMENT', async () => {
    expect(await codeOf(parseCertificate({} as never))).toBe('ERR_INVALID_ARGUMENT')
  })
})
