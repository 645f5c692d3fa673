/**
 * @module trust/discovery-document
 * The node key-discovery document (`spec/22-discovery.md` section 2): a node's current and
 * retired keys, each with its node certificate, signed by one of its current keys. The signer's
 * certificate rides in the protected header (`x5chain`), so a reader validates it against the
 * trust list before it reads a byte of the payload. Retired keys stay listed with their
 * retirement time, which is what lets a verifier accept evidence signed before a rotation
 * (rotation without downtime) and refuse anything signed with the key afterwards.
 */
import { bytesEqual } from '../bytes.js'
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { isOperatorId } from '../address/operator-id.js'
import { importPublicJwk, type KeyPair } from '../keys/index.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import { parseCertificate } from '../x509/parse.js'
import { openDocument, signDocument } from '../cose/typed-document.js'
import { DOCUMENT_TYPE } from './document-types.js'
import { DEFAULT_CLOCK_SKEW } from './trust-list.js'
import { MAX_TIME } from './trust-list-payload.js'
import type { UnixSeconds } from './types.js'

/** Format limits (spec/22 section 2.3). */
export const DISCOVERY_LIMITS = {
  maxBytes: 64 * 1024,
  maxItems: 1000,
  maxDepth: 4,
  maxKeys: 16,
  /** Longest allowed `expires - issued`: seven days. */
  maxLifetime: 7 * 86_400,
} as const

const CODE = 'ERR_DISCOVERY_MALFORMED'

/** What a node key signs (spec/22 section 2.2); a node certificate allows both. */
export type NodeKeyUse = 'request-signing' | 'evidence-signing'

const USES: readonly NodeKeyUse[] = ['request-signing', 'evidence-signing']

/** One key of a node, as published. */
export interface NodeKey {
  /** RFC 7638 thumbprint of the key (its certificate's subject key). */
  readonly kid: Uint8Array
  /** What the node uses the key for; both when the document does not say. */
  readonly uses: readonly NodeKeyUse[]
  readonly certificate: ParsedCertificate
  readonly publicKey: CryptoKey
  /** Signatures dated at or after this time are refused (`ERR_KEY_RETIRED`). */
  readonly retired?: UnixSeconds
}

/** A verified discovery document. */
export interface DiscoveryDocument {
  readonly operator: string
  readonly issued: UnixSeconds
  readonly expires: UnixSeconds
  readonly keys: readonly NodeKey[]
  /** Key id of the key that signed the document. */
  readonly signerKid: Uint8Array
  readonly bytes: Uint8Array
}

/** Validates a peer's certificate against the trust list; {@link TrustStore} implements it. */
export interface PeerCertificateValidator {
  validatePeerCertificate(
    certificate: Uint8Array | ParsedCertificate,
    options: { operator: string; at: UnixSeconds },
  ): Promise<ParsedCertificate>
}

/** What {@link createDiscoveryDocument} signs. */
export interface DiscoveryDocumentInput {
  readonly operator: string
  readonly issued: UnixSeconds
  readonly expires: UnixSeconds
  readonly keys: readonly {
    readonly certificate: Uint8Array
    readonly retired?: UnixSeconds
    readonly uses?: readonly NodeKeyUse[]
  }[]
}

/**
 * Signs a discovery document with one of the node's current keys.
 *
 * @example
 * ```ts
 * const doc = await createDiscoveryDocument(
 *   { operator: 'post.eg', issued: now, expires: now + 86400, keys: [{ certificate: current.der }, { certificate: old.der, retired }] },
 *   { keyPair: currentKeys, certificate: current.der },
 * )
 * ```
 */
export async function createDiscoveryDocument(
  input: DiscoveryDocumentInput,
  signer: { keyPair: KeyPair; certificate: Uint8Array },
): Promise<Uint8Array> {
  const payload = new Map<CborKey, CborValue>([
    ['v', 1],
    ['operator', input.operator],
    ['issued', input.issued],
    ['expires', input.expires],
    [
      'keys',
      input.keys.map((k) => {
        const m = new Map<CborKey, CborValue>([['cert', k.certificate]])
        if (k.retired !== undefined) m.set('retired', k.retired)
        if (k.uses !== undefined) m.set('use', [...k.uses])
        return m
      }),
    ],
  ])
  try {
    const read = readPayload(payload)
    const certs = await Promise.all(read.keys.map((k) => parseCertificate(k.cert)))
    const signerCert = await parseCertificate(signer.certificate)
    const i = certs.findIndex(
      (c) =>
        c.kid !== undefined && signerCert.kid !== undefined && bytesEqual(c.kid, signerCert.kid),
    )
    if (i < 0 || !bytesEqual(signerCert.kid ?? new Uint8Array(), signer.keyPair.kid)) {
      throw new BaridError(
        CODE,
        'the signer must be one of the listed keys, with its own certificate',
      )
    }
    const retired = read.keys[i]?.retired
    if (retired !== undefined && retired <= input.issued)
      throw new BaridError(CODE, 'the signer must be a current key')
  } catch (e) {
    if (e instanceof BaridError && e.code === CODE)
      throw new BaridError('ERR_INVALID_ARGUMENT', e.message, { cause: e })
    throw e
  }
  return signDocument(payload, DOCUMENT_TYPE.discovery, signer.keyPair, signer.certificate)
}

/** Options for {@link verifyDiscoveryDocument}. */
export interface VerifyDiscoveryOptions {
  /** The operator the document was fetched for (from the trust list, never from the document). */
  operator: string
  /** Validates node certificates against the trust list. */
  trust: PeerCertificateValidator
  now: UnixSeconds
  clockSkew?: number
}

/**
 * Verifies a discovery document: the signer's certificate against the trust list for `operator`
 * at `now`, the signature, then the payload. Every listed certificate must be a node certificate
 * of `operator`; each key's own chain is validated when it is used, at the time of the signature
 * it checks. Throws `ERR_DISCOVERY_MALFORMED`, `ERR_DISCOVERY_EXPIRED`, `ERR_CERT_OPERATOR_MISMATCH`,
 * `ERR_SIGNATURE_INVALID`, the trust store's codes for the signer, `ERR_COSE_MALFORMED`.
 *
 * @example
 * ```ts
 * const doc = await verifyDiscoveryDocument(bytes, { operator: 'post.eg', trust: store, now })
 * ```
 */
export async function verifyDiscoveryDocument(
  bytes: Uint8Array,
  options: VerifyDiscoveryOptions,
): Promise<DiscoveryDocument> {
  const { operator, now } = options
  const doc = openDocument(bytes, DOCUMENT_TYPE.discovery, CODE, DISCOVERY_LIMITS.maxBytes, {
    x5chain: true,
  })
  const signerCert = await options.trust.validatePeerCertificate(doc.x5chain as Uint8Array, {
    operator,
    at: now,
  })
  if (
    signerCert.kid === undefined ||
    signerCert.publicJwk === undefined ||
    !bytesEqual(signerCert.kid, doc.kid)
  ) {
    throw new BaridError(CODE, "kid does not match the signer's certificate")
  }
  const signerKey = await importPublicJwk(signerCert.publicJwk, { use: 'sign' })
  const content = readPayload(await doc.verify(signerKey.publicKey, DISCOVERY_LIMITS))
  if (content.operator !== operator) {
    throw new BaridError(
      'ERR_CERT_OPERATOR_MISMATCH',
      'discovery document names another operator',
      { details: { operator } },
    )
  }
  if (content.issued > now + (options.clockSkew ?? DEFAULT_CLOCK_SKEW)) {
    throw new BaridError(CODE, 'discovery document is issued in the future')
  }
  if (content.expires <= now) {
    throw new BaridError('ERR_DISCOVERY_EXPIRED', 'discovery document has expired', {
      details: { expires: content.expires },
    })
  }
  const keys: NodeKey[] = []
  for (const k of content.keys) {
    const certificate = await parseCertificate(k.cert)
    if (
      certificate.role !== 'node' ||
      certificate.kid === undefined ||
      certificate.publicJwk === undefined
    ) {
      throw new BaridError(CODE, 'every listed certificate must be a node certificate')
    }
    if (certificate.operatorId !== operator) {
      throw new BaridError(
        'ERR_CERT_OPERATOR_MISMATCH',
        'a listed node certificate belongs to another operator',
        { details: { operator } },
      )
    }
    const kid = certificate.kid
    if (keys.some((x) => bytesEqual(x.kid, kid))) throw new BaridError(CODE, 'keys must be unique')
    const { publicKey } = await importPublicJwk(certificate.publicJwk, { use: 'sign' })
    const entry = { kid, uses: k.uses ?? USES, certificate, publicKey }
    keys.push(k.retired === undefined ? entry : { ...entry, retired: k.retired })
  }
  const signerEntry = keys.find((k) => bytesEqual(k.kid, doc.kid))
  if (
    signerEntry === undefined ||
    (signerEntry.retired !== undefined && signerEntry.retired <= content.issued)
  ) {
    throw new BaridError(CODE, "the signer must be one of the document's current keys")
  }
  return {
    operator: content.operator,
    issued: content.issued,
    expires: content.expires,
    keys,
    signerKid: doc.kid,
    bytes,
  }
}

interface Payload {
  operator: string
  issued: UnixSeconds
  expires: UnixSeconds
  keys: { cert: Uint8Array; retired?: UnixSeconds; uses?: readonly NodeKeyUse[] }[]
}

function readPayload(value: CborValue): Payload {
  const r = MapReader.of(value, CODE, 'discovery document')
  r.only(['v', 'operator', 'issued', 'expires', 'keys'])
  if (r.raw('v') !== 1)
    throw new BaridError('ERR_UNSUPPORTED_VERSION', 'discovery document version is not supported')
  const operator = r.text('operator', 253)
  if (!isOperatorId(operator)) r.fail('operator', 'a canonical operator id')
  const issued = r.int('issued', 0, MAX_TIME)
  const expires = r.int('expires', 0, MAX_TIME)
  if (expires <= issued || expires - issued > DISCOVERY_LIMITS.maxLifetime) {
    r.fail('expires', `later than issued by at most ${DISCOVERY_LIMITS.maxLifetime} seconds`)
  }
  const keyValues = r.array('keys', DISCOVERY_LIMITS.maxKeys)
  if (keyValues.length === 0) r.fail('keys', 'at least one key')
  const keys = keyValues.map((v, i) => {
    const k = MapReader.of(v, CODE, `keys[${i}]`).only(['cert', 'retired', 'use'])
    const cert = k.bytes('cert', { min: 1, max: 16 * 1024 })
    const retired = k.optInt('retired', 0, MAX_TIME)
    const uses = k.has('use') ? readUses(k) : undefined
    return {
      cert,
      ...(retired === undefined ? {} : { retired }),
      ...(uses === undefined ? {} : { uses }),
    }
  })
  return { operator, issued, expires, keys }
}

function readUses(k: MapReader): NodeKeyUse[] {
  const raw = k.array('use', 2)
  const uses = raw.map((u) =>
    typeof u === 'string' && (USES as readonly string[]).includes(u)
      ? (u as NodeKeyUse)
      : k.fail('use', 'request-signing and/or evidence-signing'),
  )
  if (uses.length === 0 || new Set(uses).size !== uses.length)
    k.fail('use', 'one or two distinct uses')
  return uses
}
