/**
 * @module world/discovery
 * What the harness learns about a node under test from its public documents (spec 30.3):
 * `GET /.well-known/barid` and, where the node takes part in a federation of trust, the trust
 * list it holds (20.7) and its key-discovery document (22). Two generations of the protocol are
 * read:
 *
 * - `x509`: an unsigned self-description naming the trust list's governance keys; node keys
 *   from the key-discovery document, validated against the node's own trust list; mailbox
 *   certificates are X.509 under the operator CA (13.4).
 * - `jws`: a self-description signed as a JWS that lists the node's keys; mailbox certificates
 *   are JWS signed with the evidence key.
 *
 * The harness trusts these documents as given (the operator of the run vouches for the URLs):
 * the discovery check judges them against the spec separately.
 */
import {
  TrustStore,
  fromBase64Url,
  importPublicJwk,
  verifyDiscoveryDocument,
  verifyTrustList,
  type DiscoveryDocument,
  type PublicKeyHandle,
} from '@barid/core'
import { call, excerpt, transportCause } from '../http/http.js'

export type CertMode = 'jws' | 'x509'

export interface Limits {
  maxTransactionItems: number
  maxLetterBytes: number
  maxAttachmentBytes: number
}

/** The self-description, as far as the harness relies on it. */
export interface SelfDescription {
  v: number
  operator: string
  country: string
  displayName: Record<string, string>
  languages: string[]
  timeZone: string
  identifierSchemes: string[]
  endpoints: Record<string, string>
  limits: Limits
  /** The optional features it accepts (11.3), as served: judged by the discovery check. */
  features?: unknown
  keys?: { use: string; kid: string; jwk: unknown }[]
  trust?: { federation: string; sequence: number; governanceKeys: unknown[] }
  issuedAt?: string
  expiresAt?: string
}

export interface Discovery {
  mode: CertMode
  payload: SelfDescription
  /** `jws` mode: the document as served and its protected header. */
  jws?: { payload: string; protected: string; signature: string }
  header?: Record<string, unknown>
  /** `jws` mode: whether the JWS verified with the request-signing key it lists. */
  signatureValid: boolean
  request: PublicKeyHandle
  evidence: PublicKeyHandle
  /** `x509` mode: the node's trust store (its held list) and its key-discovery document. */
  store?: TrustStore
  keyDiscovery?: DiscoveryDocument
  /** `x509` mode: federation roots and the operator's CA certificates, DER. */
  roots: Uint8Array[]
  cas: Uint8Array[]
}

const b64json = (s: string) => JSON.parse(new TextDecoder().decode(fromBase64Url(s))) as unknown

async function bytesOf(url: string, timeoutMs = 30_000): Promise<Uint8Array> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
    if (res.status !== 200)
      throw new Error(`GET ${url} answered HTTP ${res.status} ${excerpt(await res.text())}`)
    return new Uint8Array(await res.arrayBuffer())
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('GET ')) throw e
    const timedOut = (e as Error)?.name === 'TimeoutError'
    throw new Error(`GET ${url}: ${transportCause(e, timedOut, timeoutMs)}`)
  }
}

async function readJws(body: NonNullable<Discovery['jws']>): Promise<Discovery> {
  const header = b64json(body.protected) as Record<string, unknown>
  const payload = b64json(body.payload) as SelfDescription
  const key = (use: string) => {
    const k = payload.keys?.find((x) => x.use === use)
    if (!k) throw new Error(`the discovery document lists no ${use} key`)
    return importPublicJwk(k.jwk, { use: 'sign' })
  }
  const request = await key('request-signing')
  const evidence = await key('evidence-signing')
  const signatureValid = await crypto.subtle.verify(
    'Ed25519',
    request.publicKey,
    fromBase64Url(body.signature) as Uint8Array<ArrayBuffer>,
    new TextEncoder().encode(`${body.protected}.${body.payload}`),
  )
  return {
    mode: 'jws',
    jws: body,
    header,
    payload,
    signatureValid,
    request,
    evidence,
    roots: [],
    cas: [],
  }
}

async function readX509(payload: SelfDescription, seconds: () => number): Promise<Discovery> {
  const nowSeconds = seconds()
  const listUrl = payload.endpoints?.trustList
  const kdUrl = payload.endpoints?.keyDiscovery
  const governanceKeys = payload.trust?.governanceKeys
  if (!listUrl || !kdUrl || !Array.isArray(governanceKeys))
    throw new Error('the self-description gives no trust list, key discovery or governance keys')
  const list = await verifyTrustList(await bytesOf(listUrl), {
    governanceKeys: governanceKeys as Record<string, unknown>[],
    now: nowSeconds,
  })
  // The harness reads the store on its own clock, which moves with the nodes' (30.4 clock); a
  // list past its next update does not stop the harness from judging certificates.
  const store = await TrustStore.open(list, { now: seconds, maxStaleness: 100 * 365 * 86_400 })
  const keyDiscovery = await verifyDiscoveryDocument(await bytesOf(kdUrl), {
    operator: payload.operator,
    trust: store,
    now: nowSeconds,
  })
  const handle = async (use: 'request-signing' | 'evidence-signing') => {
    const k = keyDiscovery.keys.find((x) => x.uses.includes(use) && x.retired === undefined)
    if (!k?.certificate.publicJwk) throw new Error(`the key-discovery document lists no ${use} key`)
    return importPublicJwk(k.certificate.publicJwk, { use: 'sign' })
  }
  return {
    mode: 'x509',
    payload,
    signatureValid: true,
    request: await handle('request-signing'),
    evidence: await handle('evidence-signing'),
    store,
    keyDiscovery,
    roots: [...list.roots],
    cas: store.casOf(payload.operator).map((c) => c.der),
  }
}

/**
 * @example
 * ```ts
 * const d = await readDiscovery('http://127.0.0.1:7401')
 * d.payload.operator // 'post.eg'
 * ```
 */
export async function readDiscovery(
  baseUrl: string,
  seconds: () => number = () => Math.floor(Date.now() / 1000),
): Promise<Discovery> {
  const r = await call<Record<string, unknown>>(`${baseUrl}/.well-known/barid`)
  if (r.status !== 200 || typeof r.body !== 'object' || r.body === null)
    throw new Error(
      `GET ${baseUrl}/.well-known/barid answered HTTP ${r.status} ${r.exchange.response?.body ?? ''}: not a self-description`,
    )
  if (typeof r.body.payload === 'string')
    return readJws(r.body as unknown as NonNullable<Discovery['jws']>)
  return readX509(r.body as unknown as SelfDescription, seconds)
}
