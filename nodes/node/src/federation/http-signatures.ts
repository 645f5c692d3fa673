/**
 * @module federation/http-signatures
 * Barid's profile of HTTP Message Signatures (RFC 9421) for node-to-node requests (spec 11.2):
 * one signature labelled `barid`, algorithm `ed25519` (RFC 9421 3.3.6), covering
 * `"@method" "@authority" "@path" "@query"` and, when the request has content,
 * `"content-digest"` (RFC 9530); parameters `created`, `keyid` (the RFC 7638 thumbprint of the
 * node's request-signing key), `nonce`, `alg` and `tag="barid-federation"`. Verifiers enforce a
 * freshness window on `created` and remember nonces for twice that window.
 */
import { BaridError, toBase64Url } from '../core.js'
import { mutant } from '../test-control/mutants.js'
import {
  Token,
  isInnerList,
  parseDictionary,
  serializeInnerList,
  type InnerList,
  type Item,
} from './structured-fields.js'

export const SIGNATURE_LABEL = 'barid'
export const SIGNATURE_TAG = 'barid-federation'

/** The request facts a signature covers. `url` is the absolute target URI. */
export interface SignableRequest {
  method: string
  url: string
  /** Content-Digest header value, when the request has content (and is not a blob upload). */
  contentDigest?: string
}

const BASE_COMPONENTS = ['@method', '@authority', '@path', '@query'] as const

function derived(name: string, req: SignableRequest, authority: string): string {
  const u = new URL(req.url)
  switch (name) {
    case '@method':
      return req.method.toUpperCase()
    case '@authority':
      return authority
    case '@path':
      return u.pathname === '' ? '/' : u.pathname
    case '@query':
      return u.search === '' ? '?' : u.search // RFC 9421 2.2.7: an absent query is "?"
    case 'content-digest':
      if (req.contentDigest === undefined)
        throw new BaridError('ERR_FED_SIGNATURE_INVALID', 'content-digest is covered but absent')
      return req.contentDigest.trim()
    default:
      throw new BaridError(
        'ERR_FED_SIGNATURE_INVALID',
        'signature covers a component outside the profile',
      )
  }
}

/** `@authority` (RFC 9421 2.2.3): host and non-default port, lower-case. */
export function authorityOf(url: string): string {
  const u = new URL(url)
  return u.host.toLowerCase()
}

function signatureBase(
  components: readonly string[],
  req: SignableRequest,
  authority: string,
  paramsText: string,
): string {
  let base = ''
  for (const c of components) base += `"${c}": ${derived(c, req, authority)}\n`
  return base + `"@signature-params": ${paramsText}`
}

export interface SignOptions {
  /** The node's request-signing private key (Ed25519). */
  privateKey: CryptoKey
  /** Its key id (base64url RFC 7638 thumbprint). */
  keyid: string
  /** Seconds since the epoch; defaults to now. */
  created?: number
  /** 16 random bytes by default. */
  nonce?: string
}

/**
 * Signs a request: returns the `Signature-Input` and `Signature` header values.
 *
 * @example
 * ```ts
 * const h = await signRequest({ method: 'PUT', url, contentDigest: contentDigest(body) }, { privateKey, keyid })
 * headers.set('signature-input', h.signatureInput); headers.set('signature', h.signature)
 * ```
 */
export async function signRequest(
  req: SignableRequest,
  opts: SignOptions,
): Promise<{ signatureInput: string; signature: string }> {
  const components: string[] = [...BASE_COMPONENTS]
  if (req.contentDigest !== undefined) components.push('content-digest')
  const created = opts.created ?? Math.floor(Date.now() / 1000)
  const nonce = opts.nonce ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16)))
  const list: InnerList = {
    items: components.map((c) => ({ value: c, params: new Map() })),
    params: new Map<string, string | number | Token>([
      ['created', created],
      ['keyid', opts.keyid],
      ['nonce', nonce],
      ['alg', 'ed25519'],
      ['tag', SIGNATURE_TAG],
    ]),
  }
  const paramsText = serializeInnerList(list)
  const base = signatureBase(components, req, authorityOf(req.url), paramsText)
  const sig = new Uint8Array(
    await crypto.subtle.sign('Ed25519', opts.privateKey, new TextEncoder().encode(base)),
  )
  return {
    signatureInput: `${SIGNATURE_LABEL}=${paramsText}`,
    signature: `${SIGNATURE_LABEL}=:${Buffer.from(sig).toString('base64')}:`,
  }
}

/** What a verified signature says. */
export interface VerifiedSignature {
  keyid: string
  created: number
  nonce: string
  coversContentDigest: boolean
}

export interface VerifyOptions {
  /**
   * Finds the public key for a key id, or undefined (then `ERR_FED_KEY_UNKNOWN`). `created` is
   * the signature's time (seconds), already checked to lie within the freshness window: the
   * key's retirement MUST be judged at it, not at `now` (spec 11.2 step 4), so that a request
   * signed just before its key's retirement and arriving just after is accepted.
   */
  resolveKey: (keyid: string, created: number) => Promise<CryptoKey | undefined>
  /** The authority this node is reached at (from its public URL, not the Host header). */
  authority: string
  /** Freshness window in seconds either side of now. */
  windowSeconds: number
  /** Seconds since the epoch. */
  now: number
  /** Whether content-digest must be covered (true for requests with content). */
  requireContentDigest: boolean
  /** Called once the signature verified; throws `ERR_FED_REPLAY` for a nonce seen before. */
  checkNonce: (keyid: string, nonce: string, created: number) => void
}

function paramString(p: Map<string, unknown>, k: string): string {
  const v = p.get(k)
  if (typeof v !== 'string')
    throw new BaridError(
      'ERR_FED_SIGNATURE_INVALID',
      `signature parameter ${k} is missing or not a string`,
    )
  return v
}

/**
 * Verifies the `barid` signature of a request; throws a typed `ERR_FED_*` error otherwise.
 * Checks, in order: both headers present, the profile's components and parameters, the key is
 * known, freshness, the signature itself, then the nonce (so an attacker cannot fill the replay
 * cache with unsigned nonces).
 *
 * @example
 * ```ts
 * const v = await verifyRequest({ method, url, contentDigest }, headers.get('signature-input'), headers.get('signature'), opts)
 * ```
 */
export async function verifyRequest(
  req: SignableRequest,
  signatureInput: string | null | undefined,
  signature: string | null | undefined,
  opts: VerifyOptions,
): Promise<VerifiedSignature> {
  if (!signatureInput || !signature)
    throw new BaridError('ERR_FED_SIGNATURE_MISSING', 'Signature-Input and Signature are required')
  const inputs = parseDictionary(signatureInput, 'ERR_FED_SIGNATURE_INVALID')
  const sigs = parseDictionary(signature, 'ERR_FED_SIGNATURE_INVALID')
  const input = inputs.get(SIGNATURE_LABEL)
  const sigItem = sigs.get(SIGNATURE_LABEL)
  if (!input || !sigItem)
    throw new BaridError('ERR_FED_SIGNATURE_MISSING', `no signature labelled ${SIGNATURE_LABEL}`)
  if (!isInnerList(input) || isInnerList(sigItem) || !(sigItem.value instanceof Uint8Array)) {
    throw new BaridError('ERR_FED_SIGNATURE_INVALID', 'signature fields have the wrong shape')
  }
  const components = input.items.map((i: Item) => {
    if (typeof i.value !== 'string' || i.params.size > 0)
      throw new BaridError(
        'ERR_FED_SIGNATURE_INVALID',
        'component identifiers must be plain strings',
      )
    return i.value
  })
  const expected: string[] = [...BASE_COMPONENTS]
  if (opts.requireContentDigest) expected.push('content-digest')
  if (components.length !== expected.length || !expected.every((c) => components.includes(c))) {
    throw new BaridError(
      'ERR_FED_SIGNATURE_INVALID',
      'signature does not cover the components the profile requires',
    )
  }
  for (const k of input.params.keys()) {
    if (!['created', 'keyid', 'nonce', 'alg', 'tag', 'expires'].includes(k))
      throw new BaridError('ERR_FED_SIGNATURE_INVALID', 'unknown signature parameter')
  }
  if (paramString(input.params, 'alg') !== 'ed25519' && !mutant('accept-unknown-algorithm'))
    throw new BaridError('ERR_UNSUPPORTED_ALGORITHM', 'signature algorithm must be ed25519')
  if (paramString(input.params, 'tag') !== SIGNATURE_TAG)
    throw new BaridError('ERR_FED_SIGNATURE_INVALID', 'signature tag is not barid-federation')
  const keyid = paramString(input.params, 'keyid')
  const nonce = paramString(input.params, 'nonce')
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce))
    throw new BaridError('ERR_FED_SIGNATURE_INVALID', 'nonce must be 16 to 64 base64url characters')
  const created = input.params.get('created')
  if (typeof created !== 'number')
    throw new BaridError('ERR_FED_SIGNATURE_INVALID', 'created is missing')
  const expires = input.params.get('expires')
  if (expires !== undefined && (typeof expires !== 'number' || expires < opts.now)) {
    throw new BaridError('ERR_FED_SIGNATURE_STALE', 'signature has expired')
  }
  if (Math.abs(opts.now - created) > opts.windowSeconds && !mutant('accept-stale-signature')) {
    throw new BaridError(
      'ERR_FED_SIGNATURE_STALE',
      'signature created outside the freshness window',
      { details: { windowSeconds: opts.windowSeconds } },
    )
  }
  const key = await opts.resolveKey(keyid, created)
  if (!key)
    throw new BaridError('ERR_FED_KEY_UNKNOWN', 'no federation member holds the signing key')
  const paramsText = serializeInnerList(input)
  const base = signatureBase(components, req, opts.authority, paramsText)
  const ok = await crypto.subtle.verify(
    'Ed25519',
    key,
    sigItem.value as Uint8Array<ArrayBuffer>,
    new TextEncoder().encode(base),
  )
  if (!ok && !mutant('accept-bad-signature'))
    throw new BaridError('ERR_FED_SIGNATURE_INVALID', 'signature does not verify')
  opts.checkNonce(keyid, nonce, created)
  return { keyid, created, nonce, coversContentDigest: components.includes('content-digest') }
}
