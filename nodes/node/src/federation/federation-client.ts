/**
 * @module federation/federation-client
 * Signed requests to peer nodes (spec 11.2). Every request carries this node's RFC 9421
 * signature; redirects are never followed (a peer's base URL comes from the directory, and a
 * redirect could point anywhere); every request has a timeout. Before anything is sent, the
 * directory may refuse the peer (a first contact while the trust list is stale, spec 20.6) and
 * the address policy the address its host resolves to (spec 22.4).
 */
import { BaridError, isBaridErrorCode, type BaridErrorCode } from '../core.js'
import type { NodeServices } from '../services.js'
import { contentDigest } from './content-digest.js'
import { signRequest } from './http-signatures.js'
import type { Peer } from './peer-directory.js'

export interface FedRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST'
  path: string
  /** JSON body (serialised here, digest covered by the signature). */
  json?: unknown
  /** Streamed body (blob upload): not digested, the path binds it. */
  stream?: ReadableStream<Uint8Array>
  contentLength?: number
  timeoutMs?: number
}

/** A failure talking to a peer, classified for the retry table (spec 14.3). */
export class TransportError extends Error {
  constructor(
    message: string,
    /** True when the request may have reached the peer (its effect is unknown). */
    readonly ambiguous: boolean,
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

export interface FedResponse {
  status: number
  headers: Headers
  body: Uint8Array
  /** The `error.code` of an error body, when there is one. */
  code: BaridErrorCode | undefined
  json<T>(): T
}

/** Largest answer read from a peer (a transaction answer with evidence is far smaller). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024

async function readBounded(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let n = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    n += value.byteLength
    if (n > max) {
      await reader.cancel().catch(() => undefined)
      throw new BaridError('ERR_PEER_UNAVAILABLE', 'peer answer exceeds the size limit')
    }
    parts.push(value)
  }
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.byteLength
  }
  return out
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])

function causeCode(e: unknown): string | undefined {
  let cur: unknown = e
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code
    if (typeof code === 'string') return code
    cur = (cur as { cause?: unknown }).cause
  }
  return undefined
}

/**
 * Sends a signed request to `peer`. Resolves with any HTTP response (the caller decides what
 * a status means); rejects with {@link TransportError} when no response arrived.
 *
 * @example
 * ```ts
 * const res = await fedRequest(svc, peer, { method: 'PUT', path: `/v1/federation/transactions/${txid}`, json: body })
 * ```
 */
export async function fedRequest(
  svc: Pick<NodeServices, 'keys' | 'fetch' | 'upload' | 'config' | 'now'> &
    Partial<Pick<NodeServices, 'directory' | 'trust'>>,
  peer: Peer,
  req: FedRequest,
): Promise<FedResponse> {
  // Spec 11.1, 20.4: nothing is sent to an operator that is not active (a letter queued before
  // it was suspended stays queued and is retried; it may be reinstated).
  if (peer.status !== 'active') {
    throw new BaridError(
      peer.status === 'withdrawn'
        ? 'ERR_OPERATOR_WITHDRAWN'
        : peer.status === 'suspended'
          ? 'ERR_OPERATOR_SUSPENDED'
          : 'ERR_OPERATOR_UNKNOWN',
      'the operator is not an active member of the federation',
      { details: { operator: peer.operator } },
    )
  }
  const url = `${peer.baseUrl}${req.path}`
  try {
    // Spec 20.6: with a stale list, only operators already exchanged with are contacted.
    svc.directory?.assertOutbound?.(peer.operator)
    await svc.trust?.addresses?.check(url)
  } catch (e) {
    await req.stream?.cancel().catch(() => undefined) // nothing is sent: release the source
    throw e
  }
  const headers = new Headers()
  let body: BodyInit | undefined
  let digest: string | undefined
  // Streamed bodies go through `svc.upload` (see http-upload.ts), JSON through `svc.fetch`.
  if (req.json !== undefined) {
    const bytes = new TextEncoder().encode(JSON.stringify(req.json))
    digest = contentDigest(bytes)
    headers.set('content-type', 'application/json')
    headers.set('content-digest', digest)
    body = bytes
  } else if (req.stream) {
    headers.set('content-type', 'application/octet-stream')
    if (req.contentLength !== undefined) headers.set('content-length', String(req.contentLength))
  }
  // The time first, then the key in force (read once): across a key rotation the key is never
  // older than the time it signs (spec 21.4: nothing dated at or after a key's retirement).
  const created = Math.floor(svc.now() / 1000)
  const key = svc.keys.request
  const sig = await signRequest(
    { method: req.method, url, contentDigest: digest },
    { privateKey: key.privateKey, keyid: key.kidBase64Url, created },
  )
  headers.set('signature-input', sig.signatureInput)
  headers.set('signature', sig.signature)
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), req.timeoutMs ?? svc.config.delivery.requestTimeoutMs)
  let res: Response
  try {
    res = req.stream
      ? await svc.upload(url, { method: req.method, headers, body: req.stream, signal: ctl.signal })
      : await svc.fetch(url, {
          method: req.method,
          headers,
          body,
          redirect: 'manual',
          signal: ctl.signal,
        })
  } catch (e) {
    clearTimeout(timer)
    const code = causeCode(e)
    const ambiguous = !(code !== undefined && CONNECT_ERRORS.has(code))
    throw new TransportError(
      `request to ${peer.operator} failed: ${code ?? (e instanceof Error ? e.name : 'error')}`,
      ambiguous,
    )
  }
  let bytes: Uint8Array
  try {
    bytes = await readBounded(res, MAX_RESPONSE_BYTES)
  } catch (e) {
    if (e instanceof BaridError) throw new TransportError(e.message, true)
    throw new TransportError(
      `response from ${peer.operator} was cut off: ${causeCode(e) ?? 'error'}`,
      true,
    )
  } finally {
    clearTimeout(timer)
  }
  if (res.status >= 300 && res.status < 400) {
    throw new BaridError(
      'ERR_PEER_UNAVAILABLE',
      'peer answered with a redirect, which is never followed',
    )
  }
  if (res.status < 300) svc.directory?.exchanged?.(peer.operator)
  let code: BaridErrorCode | undefined
  if (res.status >= 400) {
    try {
      const c = (JSON.parse(new TextDecoder().decode(bytes)) as { error?: { code?: unknown } })
        .error?.code
      if (isBaridErrorCode(c)) code = c
    } catch {
      // not a Barid error body (a proxy's page): no code
    }
  }
  return {
    status: res.status,
    headers: res.headers,
    body: bytes,
    code,
    json<T>() {
      try {
        return JSON.parse(new TextDecoder().decode(bytes)) as T
      } catch {
        throw new BaridError('ERR_PEER_UNAVAILABLE', 'peer answered with a body that is not JSON')
      }
    },
  }
}
