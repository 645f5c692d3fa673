/**
 * @module trust/certificate-request
 * Certificate signing requests (PKCS #10, RFC 2986) for operator CAs (`spec/21-operator-pki.md`
 * section 3). An operator generates its CA key and sends the federation a request; the
 * federation root signs an operator CA certificate for the requested key at admission. The
 * request proves possession of the key (its self-signature) and names the operator in a
 * `barid:operator:` URI; neither private key ever leaves its owner.
 */
import { x509 } from '../x509/setup.js'
import { BaridError } from '../errors.js'
import { parseOperatorId } from '../address/operator-id.js'
import { importPublicJwk, type KeyPair, type PublicKeyHandle } from '../keys/index.js'

/** Largest request accepted, in bytes of DER. */
export const MAX_REQUEST_BYTES = 8 * 1024

/** A verified certificate request. */
export interface CertificateRequest {
  /** The requested subject key (proof of possession checked). */
  readonly key: PublicKeyHandle
  /** The operator named by the request's `barid:operator:` URI. */
  readonly operatorId: string
  /** Subject as RFC 4514 text, for display. */
  readonly subject: string
  /** The request, DER. */
  readonly der: Uint8Array
}

/**
 * Creates a PEM certificate request for an operator CA key.
 *
 * @example
 * ```ts
 * const pem = await createCertificateRequest({ keyPair: caKeys, operatorId: 'post.eg', commonName: 'Egypt Post CA', country: 'EG' })
 * ```
 */
export async function createCertificateRequest(params: {
  keyPair: KeyPair
  operatorId: string
  commonName: string
  country: string
}): Promise<string> {
  const operatorId = parseOperatorId(params.operatorId, { canonical: true })
  if (!/^[A-Z]{2}$/.test(params.country))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'country must be ISO 3166-1 alpha-2, upper case')
  if (
    params.commonName.length < 1 ||
    params.commonName.length > 64 ||
    /[\u0000-\u001f\u007f]/.test(params.commonName)
  ) {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'commonName must be 1-64 characters without control characters',
    )
  }
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ C: [params.country] }, { CN: [params.commonName] }],
    keys: { privateKey: params.keyPair.privateKey, publicKey: params.keyPair.publicKey },
    signingAlgorithm:
      params.keyPair.algorithm === 'Ed25519'
        ? { name: 'Ed25519' }
        : { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: `barid:operator:${operatorId}` },
      ]),
    ],
  })
  return csr.toString('pem')
}

/**
 * Parses and verifies a certificate request (PEM or DER). Throws `ERR_INPUT_TOO_LARGE`,
 * `ERR_CERT_MALFORMED` (not a request, no or several operator URIs), `ERR_SIGNATURE_INVALID`
 * (no proof of possession), `ERR_UNSUPPORTED_ALGORITHM` / `ERR_KEY_INVALID` (key not allowed).
 *
 * @example
 * ```ts
 * const req = await readCertificateRequest(pemText)
 * if (req.operatorId !== admission.operator) refuse()
 * ```
 */
export async function readCertificateRequest(
  input: string | Uint8Array,
): Promise<CertificateRequest> {
  if ((typeof input === 'string' ? input.length : input.byteLength) > MAX_REQUEST_BYTES * 2) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'certificate request is larger than allowed', {
      details: { limit: MAX_REQUEST_BYTES },
    })
  }
  let req: x509.Pkcs10CertificateRequest
  try {
    req = new x509.Pkcs10CertificateRequest(
      typeof input === 'string' ? input : (input.slice() as Uint8Array<ArrayBuffer>),
    )
  } catch (cause) {
    throw new BaridError('ERR_CERT_MALFORMED', 'not a PKCS #10 certificate request', { cause })
  }
  const der = new Uint8Array(req.rawData)
  if (der.length > MAX_REQUEST_BYTES) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'certificate request is larger than allowed', {
      details: { limit: MAX_REQUEST_BYTES },
    })
  }
  const name = req.publicKey.algorithm.name
  const alg = name === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' }
  let exported: CryptoKey
  try {
    exported = await req.publicKey.export(alg, ['verify'])
  } catch (cause) {
    throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'the requested key is not Ed25519 or P-256', {
      cause,
    })
  }
  const jwk = await crypto.subtle.exportKey('jwk', exported)
  const key = await importPublicJwk(
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y === undefined ? {} : { y: jwk.y }) },
    { use: 'sign' },
  )
  let ok = false
  try {
    ok = await req.verify()
  } catch {
    ok = false
  }
  if (!ok)
    throw new BaridError('ERR_SIGNATURE_INVALID', 'certificate request signature does not verify')
  const san = req.extensions.find(
    (e): e is x509.SubjectAlternativeNameExtension =>
      e instanceof x509.SubjectAlternativeNameExtension,
  )
  const uris = (san?.names.items ?? []).filter((n) => n.type === 'url').map((n) => n.value)
  const operatorUris = uris.filter((u) => u.startsWith('barid:operator:'))
  if (operatorUris.length !== 1)
    throw new BaridError('ERR_CERT_MALFORMED', 'certificate request must name exactly one operator')
  const operatorId = parseOperatorId((operatorUris[0] as string).slice('barid:operator:'.length), {
    canonical: true,
  })
  return { key, operatorId, subject: req.subject, der }
}
