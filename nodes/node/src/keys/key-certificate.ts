/**
 * @module keys/key-certificate
 * Mailbox key certificates (spec 13.4): the node certifies a device's or an organisation's key
 * with an X.509 certificate issued by its operator CA, role `mailbox-encryption` for an `enc`
 * key and `mailbox-signing` for a `sig` key (spec 08.4), naming the mailbox in a
 * `barid:mailbox:` URI. On the wire a certificate is its DER in unpadded base64url (spec 10.3).
 * Anyone holding the federation's trust list verifies it offline (spec 21.3): chain to a listed
 * root through a CA of the mailbox's operator, that operator active, not revoked.
 */
import {
  BaridError,
  createCertificate,
  fromBase64Url,
  importPublicJwk,
  parseCertificate,
  toBase64Url,
  type KeyPair,
  type ParsedCertificate,
  type PublicJwk,
  type PublicKeyHandle,
  type TrustStore,
} from '../core.js'

/** Lifetime of a mailbox certificate (the profile allows 731 days; spec 21.1 recommends 1-2 years). */
export const MAILBOX_CERT_DAYS = 365

/** Backdating of notBefore, so that verifiers whose clocks run behind accept a fresh certificate. */
const BACKDATE_SECONDS = 300

/** Longest certificate text accepted (16 KiB of DER). */
const MAX_CERT_CHARS = Math.ceil((16 * 1024 * 4) / 3)

export type KeyUse = 'enc' | 'sig'

/** The certificate role for a key use. */
export function roleOf(use: KeyUse): 'mailbox-encryption' | 'mailbox-signing' {
  return use === 'enc' ? 'mailbox-encryption' : 'mailbox-signing'
}

/** Issues certifications of mailbox keys. */
export interface KeyCertifier {
  /**
   * Certifies `jwk` for mailbox `sub`. Throws `ERR_KEY_INVALID` / `ERR_UNSUPPORTED_ALGORITHM`
   * for a key that does not fit `use`.
   */
  certify(c: {
    sub: string
    use: KeyUse
    jwk: unknown
    /** Milliseconds. */
    now: number
  }): Promise<{
    kid: string
    certificate: string
    jwk: PublicJwk
    /** The certificate's notAfter, milliseconds. */
    notAfter: number
    /** Key identifier of the CA that issued it, as {@link issuerOf} reads it back. */
    issuer: string
  }>
  /**
   * The notAfter (milliseconds) of the CA that certifies now: no certificate it issues outlives
   * it, so a renewal cannot reach past it (spec 13.4).
   */
  caNotAfter(): number
  /**
   * Key identifier (base64url) of the CA that certifies now: a key certificate whose
   * {@link issuerOf} differs was issued under a CA the operator rotated away from and is
   * renewed at once (spec 13.4, 21.4).
   */
  caKeyId(): string
}

/**
 * The key identifier of the CA that issued `cert` (its authorityKeyIdentifier, base64url), as
 * verifiers match it to a listed CA (spec 21.3); '-' when it names none, which no CA has.
 *
 * @example
 * ```ts
 * if (issuerOf(await readMailboxCertificate(k.certificate)) !== certifier.caKeyId()) renew()
 * ```
 */
export function issuerOf(cert: ParsedCertificate): string {
  return cert.authorityKeyId === undefined ? '-' : toBase64Url(cert.authorityKeyId)
}

/**
 * A {@link KeyCertifier} signing with the operator CA. `ca` is read at each certification: a
 * getter there makes a CA the operator directory was reloaded with take effect at once.
 *
 * @example
 * ```ts
 * const certifier = createX509Certifier({ ca: { certificate: caCert, keyPair: caKeys } })
 * const { kid, certificate } = await certifier.certify({ sub: 'lars.jensen@digitalpost.dk', use: 'enc', jwk, now: Date.now() })
 * ```
 */
export function createX509Certifier(o: {
  readonly ca: { readonly certificate: ParsedCertificate; readonly keyPair: KeyPair }
  lifetimeDays?: number
}): KeyCertifier {
  return {
    caNotAfter: () => o.ca.certificate.notAfter.getTime(),
    caKeyId: () => caKeyIdOf(o.ca.certificate),
    async certify(c) {
      const { certificate: ca, keyPair } = o.ca
      const handle = await importPublicJwk(c.jwk, { use: c.use === 'enc' ? 'encrypt' : 'sign' })
      const now = Math.floor(c.now / 1000) * 1000
      const notBefore = Math.max(now - BACKDATE_SECONDS * 1000, ca.notBefore.getTime())
      const notAfter = Math.min(
        now + (o.lifetimeDays ?? MAILBOX_CERT_DAYS) * 86_400_000,
        ca.notAfter.getTime(),
      )
      if (notAfter <= now)
        throw new BaridError('ERR_CERT_EXPIRED', 'the operator CA certificate has expired')
      const cert = await createCertificate({
        role: roleOf(c.use),
        subjectName: { commonName: c.sub.slice(0, 64) },
        publicKey: handle.publicKey,
        issuer: { certificate: ca, privateKey: keyPair.privateKey },
        mailbox: c.sub,
        notBefore: new Date(notBefore),
        notAfter: new Date(notAfter),
      })
      return {
        kid: handle.kidBase64Url,
        certificate: toBase64Url(cert.der),
        jwk: handle.publicJwk,
        notAfter,
        issuer: caKeyIdOf(ca),
      }
    },
  }
}

// What the certificates a CA issues name as their authority key identifier (spec 08.4), in the
// form issuerOf reads it back.
function caKeyIdOf(ca: ParsedCertificate): string {
  return ca.subjectKeyId === undefined ? '-' : toBase64Url(ca.subjectKeyId)
}

/** A mailbox key whose certificate verified. */
export interface CertifiedMailboxKey {
  /** The mailbox address the certificate names. */
  readonly address: string
  readonly use: KeyUse
  /** RFC 7638 thumbprint, base64url. */
  readonly kid: string
  readonly key: PublicKeyHandle
  readonly certificate: ParsedCertificate
}

/**
 * Decodes a certificate as carried in JSON (base64url DER). Throws `ERR_CERT_MALFORMED`.
 *
 * @example
 * ```ts
 * const cert = await readMailboxCertificate(entry.certificate)
 * ```
 */
export async function readMailboxCertificate(text: unknown): Promise<ParsedCertificate> {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_CERT_CHARS)
    throw new BaridError('ERR_CERT_MALFORMED', 'a key certificate must be base64url DER')
  let der: Uint8Array
  try {
    der = fromBase64Url(text)
  } catch (cause) {
    throw new BaridError('ERR_CERT_MALFORMED', 'a key certificate must be base64url DER', {
      cause,
    })
  }
  return parseCertificate(der)
}

/**
 * Verifies a mailbox certificate for `use` as speaking for `operator` at `at` (Unix seconds)
 * under the trust list (spec 21.3), and returns the key. Throws `ERR_CERT_MALFORMED`, the trust
 * store's codes (`ERR_OPERATOR_WITHDRAWN`, `ERR_CERT_OPERATOR_MISMATCH`, `ERR_CERT_UNTRUSTED`,
 * `ERR_CERT_REVOKED`, `ERR_CERT_EXT_KEY_USAGE`, ...), `ERR_KEY_INVALID`.
 *
 * @example
 * ```ts
 * const k = await verifyMailboxCertificate(store, entry.senderCertificate, { operator: 'post.eg', use: 'sig', at })
 * ```
 */
export async function verifyMailboxCertificate(
  store: TrustStore,
  text: unknown,
  o: { operator: string; use: KeyUse; at: number },
): Promise<CertifiedMailboxKey> {
  const parsed = await readMailboxCertificate(text)
  const { certificate } = await store.validatePeerChain(parsed, {
    operator: o.operator,
    role: roleOf(o.use),
    at: o.at,
  })
  if (certificate.mailbox === undefined || certificate.publicJwk === undefined)
    throw new BaridError('ERR_CERT_PROFILE', 'a mailbox certificate must name a mailbox and a key')
  const key = await importPublicJwk(certificate.publicJwk, {
    use: o.use === 'enc' ? 'encrypt' : 'sign',
  })
  return { address: certificate.mailbox, use: o.use, kid: key.kidBase64Url, key, certificate }
}

/**
 * {@link verifyMailboxCertificate} with the parsing and key import of each distinct certificate
 * done once (a bulk sender signs thousands of letters under one certificate). The checks that
 * change with time (operator status, revocation: spec 21.3) run on every call.
 *
 * @example
 * ```ts
 * const verify = mailboxCertificateVerifier(store)
 * const k = await verify(entry.senderCertificate, { operator: peer.operator, use: 'sig', at })
 * ```
 */
export function mailboxCertificateVerifier(
  store: TrustStore,
  maxCached = 1000,
): (
  text: unknown,
  o: { operator: string; use: KeyUse; at: number },
) => Promise<CertifiedMailboxKey> {
  const cache = new Map<string, CertifiedMailboxKey>()
  return async (text, o) => {
    const hit = typeof text === 'string' ? cache.get(`${o.use} ${text}`) : undefined
    if (!hit) {
      const k = await verifyMailboxCertificate(store, text, o)
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value!)
      cache.set(`${o.use} ${text as string}`, k)
      return k
    }
    await store.validatePeerChain(hit.certificate, {
      operator: o.operator,
      role: roleOf(o.use),
      at: o.at,
    })
    return hit
  }
}
