/**
 * @module peer/client
 * Signed federation requests from the harness to a node under test (spec 11.2), with every
 * part overridable: another operator's key, a stale or future `created`, a misdirected
 * `@authority`, a digest of other content, a corrupted or missing signature. A request built
 * with no overrides is exactly what a well-behaved node sends.
 */
import { call, type HttpOptions, type HttpResult } from '../http/http.js'
import type { OperatorIdentity } from './identity.js'
import { contentDigest, corruptSignature, signRequest, type SignParams } from './signatures.js'

export interface FedCallOptions {
  /** Sign as this operator (default: the caller's identity). */
  as?: OperatorIdentity
  /** Signing time, seconds (default: the harness clock). */
  created?: number
  sign?: Partial<Omit<SignParams, 'privateKey' | 'keyid' | 'created'>> & { keyid?: string }
  /** Content-Digest to send: a string replaces it, null omits it (default: the body's). */
  contentDigest?: string | null
  /** Content-Digest to sign when it differs from the one sent. */
  signedDigest?: string
  /** No signature headers at all. */
  unsigned?: boolean
  /** Flip one bit of the signature. */
  corrupt?: boolean
  /** Reuse these headers verbatim (a replay). */
  replayHeaders?: Record<string, string>
  headers?: Record<string, string>
}

/** The result and the headers sent, so a check can replay them. */
export interface FedCallResult extends HttpResult {
  sent: Record<string, string>
}

/**
 * @example
 * ```ts
 * const r = await fedCall(h, nowSec, nodeUrl, 'POST', '/v1/federation/directory/lookup', body)
 * ```
 */
export async function fedCall(
  id: OperatorIdentity,
  nowSeconds: number,
  baseUrl: string,
  method: 'GET' | 'HEAD' | 'PUT' | 'POST',
  path: string,
  body?: Uint8Array,
  o: FedCallOptions = {},
  http: HttpOptions = {},
): Promise<FedCallResult> {
  const url = `${baseUrl}${path}`
  let headers: Record<string, string> = { ...o.headers }
  if (o.replayHeaders) headers = { ...o.replayHeaders }
  else {
    const who = o.as ?? id
    let digest: string | undefined
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json'
      digest = await contentDigest(body)
      if (o.contentDigest !== null) headers['content-digest'] = o.contentDigest ?? digest
      else digest = undefined
    }
    if (!o.unsigned) {
      const sig = await signRequest(
        {
          method,
          url,
          contentDigest:
            o.signedDigest ?? (o.contentDigest === null ? undefined : (o.contentDigest ?? digest)),
        },
        {
          privateKey: who.request.privateKey,
          keyid: o.sign?.keyid ?? who.request.kidBase64Url,
          created: o.created ?? nowSeconds,
          ...o.sign,
        },
      )
      headers['signature-input'] = sig['signature-input']
      headers.signature = o.corrupt ? corruptSignature(sig.signature) : sig.signature
    }
  }
  const r = await call(url, { method, headers, body }, http)
  return { ...r, sent: headers }
}

/** JSON bytes of a body. */
export function jsonBytes(v: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v))
}
