/**
 * @module peer/pki
 * The harness operators' own PKI for a federation of trust (spec 08, 21): a federation root, an
 * operator CA, and X.509 mailbox certificates (13.4) issued under it. The test federation file
 * carries the root and the CA (30.4), so the nodes under test validate the harness's sender
 * certificates exactly as they would a real operator's.
 */
import { createCertificate, toBase64Url, type KeyPair, type ParsedCertificate } from '@barid/core'
import { generateKeyPair } from '@barid/core'

const DAY = 86_400_000

export interface Pki {
  operator: string
  root: { keyPair: KeyPair; cert: ParsedCertificate }
  ca: { keyPair: KeyPair; cert: ParsedCertificate }
}

/**
 * @example
 * ```ts
 * const pki = await newPki('conformance.test', 'ZZ', Date.now())
 * ```
 */
export async function newPki(operator: string, country: string, nowMs: number): Promise<Pki> {
  const [rootKeys, caKeys] = await Promise.all([
    generateKeyPair('Ed25519'),
    generateKeyPair('Ed25519'),
  ])
  const notBefore = new Date(nowMs - DAY)
  const root = await createCertificate({
    role: 'federation-root',
    subjectName: { commonName: `${operator} test root` },
    publicKey: rootKeys.publicKey,
    privateKey: rootKeys.privateKey,
    issuer: 'self',
    notBefore,
    notAfter: new Date(nowMs + 7000 * DAY),
  })
  const ca = await createCertificate({
    role: 'operator-ca',
    subjectName: { commonName: `${operator} test CA`, country },
    publicKey: caKeys.publicKey,
    issuer: { certificate: root, privateKey: rootKeys.privateKey },
    operatorId: operator,
    notBefore,
    notAfter: new Date(nowMs + 3600 * DAY),
  })
  return { operator, root: { keyPair: rootKeys, cert: root }, ca: { keyPair: caKeys, cert: ca } }
}

/** An X.509 mailbox certificate (13.4), base64url DER, as nodes exchange them. */
export async function issueMailboxCertificate(
  pki: Pki,
  c: {
    address: string
    use: 'enc' | 'sig'
    publicKey: CryptoKey
    nowMs: number
    lifetimeDays?: number
  },
): Promise<string> {
  const cert = await createCertificate({
    role: c.use === 'enc' ? 'mailbox-encryption' : 'mailbox-signing',
    subjectName: { commonName: c.address.slice(0, 64) },
    publicKey: c.publicKey,
    issuer: { certificate: pki.ca.cert, privateKey: pki.ca.keyPair.privateKey },
    mailbox: c.address,
    notBefore: new Date(c.nowMs - 300_000),
    notAfter: new Date(c.nowMs + (c.lifetimeDays ?? 365) * DAY),
  })
  return toBase64Url(cert.der)
}
