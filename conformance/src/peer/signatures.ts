/**
 * @module peer/signatures
 * The harness's own implementation of the federation request signature profile (spec 11.2,
 * RFC 9421 with Ed25519, RFC 9530 Content-Digest), written independently of the reference node
 * so that the two cross-check each other. The signer takes overrides for every parameter, so
 * checks can produce the malformed, stale, replayed or misdirected signatures a well-behaved
 * node never would; the verifier checks what nodes under test send the harness peer.
 */
import { sha256, toBase64Url } from '@barid/core'

export const LABEL = 'barid'
export const TAG = 'barid-federation'
const BASE_COMPONENTS = ['@method', '@authority', '@path', '@query']

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

/** `Content-Digest` (RFC 9530) with sha-256 over `body`. */
export async function contentDigest(body: Uint8Array): Promise<string> {
  return `sha-256=:${b64(await sha256(body))}:`
}

/** RFC 9421 2.2.3: host and non-default port, lower case. */
export function authorityOf(url: string): string {
  return new URL(url).host.toLowerCase()
}

export interface SignInput {
  method: string
  url: string
  contentDigest?: string
}

export interface SignParams {
  privateKey: CryptoKey
  keyid: string
  /** Seconds; default the harness clock. */
  created: number
  nonce?: string
  alg?: string
  tag?: string
  expires?: number
  /** Covered components; default the profile's. */
  components?: string[]
  /** `@authority` to sign; default the target URL's (a different one misdirects the request). */
  authority?: string
  /** Extra parameters (the profile refuses unknown ones). */
  extra?: Record<string, string | number>
  label?: string
}

function value(name: string, req: SignInput, authority: string): string {
  const u = new URL(req.url)
  switch (name) {
    case '@method':
      return req.method.toUpperCase()
    case '@authority':
      return authority
    case '@path':
      return u.pathname || '/'
    case '@query':
      return u.search === '' ? '?' : u.search
    case 'content-digest':
      return req.contentDigest ?? ''
    default:
      return ''
  }
}

function serializeParams(p: [string, string | number][]): string {
  return p.map(([k, v]) => (typeof v === 'number' ? `;${k}=${v}` : `;${k}="${v}"`)).join('')
}

/**
 * Signature headers for a request.
 *
 * @example
 * ```ts
 * const h = await signRequest({ method: 'POST', url, contentDigest: await contentDigest(body) }, { privateKey, keyid, created })
 * ```
 */
export async function signRequest(
  req: SignInput,
  p: SignParams,
): Promise<{ 'signature-input': string; signature: string }> {
  const components =
    p.components ??
    (req.contentDigest !== undefined ? [...BASE_COMPONENTS, 'content-digest'] : BASE_COMPONENTS)
  const params: [string, string | number][] = [
    ['created', p.created],
    ['keyid', p.keyid],
    ['nonce', p.nonce ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16)))],
    ['alg', p.alg ?? 'ed25519'],
    ['tag', p.tag ?? TAG],
  ]
  if (p.expires !== undefined) params.push(['expires', p.expires])
  for (const [k, v] of Object.entries(p.extra ?? {})) params.push([k, v])
  const paramsText = `(${components.map((c) => `"${c}"`).join(' ')})${serializeParams(params)}`
  const authority = p.authority ?? authorityOf(req.url)
  let base = ''
  for (const c of components) base += `"${c}": ${value(c, req, authority)}\n`
  base += `"@signature-params": ${paramsText}`
  const sig = new Uint8Array(
    await crypto.subtle.sign('Ed25519', p.privateKey, new TextEncoder().encode(base)),
  )
  const label = p.label ?? LABEL
  return { 'signature-input': `${label}=${paramsText}`, signature: `${label}=:${b64(sig)}:` }
}

/** What the harness peer found wrong with a signed request (empty when nothing). */
export interface IncomingCheck {
  keyid?: string
  problems: string[]
}

const INNER =
  /^\((?<items>(?:"[^"]*"\s*)*)\)(?<params>(?:;[a-z0-9*_.-]+=(?:"[^"\\]*"|-?\d+|[A-Za-z*][A-Za-z0-9:/!#$%&'*+.^_`|~-]*))*)$/

/** Members of an RFC 8941 dictionary, split on top-level commas (enough for this profile). */
function members(field: string): Map<string, string> {
  const out = new Map<string, string>()
  let depth = 0
  let quoted = false
  let start = 0
  const push = (s: string) => {
    const i = s.indexOf('=')
    if (i > 0) out.set(s.slice(0, i).trim(), s.slice(i + 1).trim())
  }
  for (let i = 0; i < field.length; i++) {
    const ch = field[i]
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === '(') depth++
    else if (!quoted && ch === ')') depth--
    else if (!quoted && depth === 0 && ch === ',') {
      push(field.slice(start, i))
      start = i + 1
    }
  }
  push(field.slice(start))
  return out
}

/**
 * Checks a request a node under test sent the harness peer against the profile of 11.2.
 *
 * @example
 * ```ts
 * const c = await checkIncoming(req, { authority, now, keys, body })
 * if (c.problems.length) record(c.problems)
 * ```
 */
export async function checkIncoming(
  req: {
    method: string
    url: string
    headers: Record<string, string | undefined>
    body?: Uint8Array
  },
  o: {
    authority: string
    /** Seconds, the harness clock (or each time the sender's clock may plausibly read). */
    now: number | readonly number[]
    keys: Map<string, CryptoKey>
    seenNonces: Set<string>
    streamed?: boolean
  },
): Promise<IncomingCheck> {
  const problems: string[] = []
  const input = members(req.headers['signature-input'] ?? '').get(LABEL)
  const sigMember = members(req.headers['signature'] ?? '').get(LABEL)
  if (!input || !sigMember) return { problems: ['11.2-1: no barid signature'] }
  const m = INNER.exec(input)
  if (!m?.groups) return { problems: ['11.2-6: Signature-Input is not an inner list'] }
  const components = [...m.groups.items!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!)
  const params = new Map<string, string | number>()
  for (const pm of m.groups.params!.matchAll(/;([a-z0-9*_.-]+)=("([^"]*)"|-?\d+|[^;]+)/g))
    params.set(
      pm[1]!,
      pm[3] !== undefined ? pm[3] : /^-?\d+$/.test(pm[2]!) ? Number(pm[2]) : pm[2]!,
    )
  const hasContent = (req.method === 'PUT' || req.method === 'POST') && !o.streamed
  const expected = hasContent ? [...BASE_COMPONENTS, 'content-digest'] : BASE_COMPONENTS
  if (components.join(' ') !== expected.join(' '))
    problems.push(`11.2-7: covers ${components.join(' ')}, expected ${expected.join(' ')}`)
  for (const k of params.keys())
    if (!['created', 'keyid', 'nonce', 'alg', 'tag', 'expires'].includes(k))
      problems.push(`11.2-7: unknown parameter ${k}`)
  if (params.get('alg') !== 'ed25519') problems.push('11.2-7: alg is not ed25519')
  if (params.get('tag') !== TAG) problems.push('11.2-7: tag is not barid-federation')
  const nonce = params.get('nonce')
  if (typeof nonce !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce))
    problems.push('11.2-7: nonce is not 16 to 64 base64url characters')
  const created = params.get('created')
  const nows = typeof o.now === 'number' ? [o.now] : o.now
  if (typeof created !== 'number' || !nows.some((n) => Math.abs(n - created) <= 60))
    problems.push(
      `11.2-8: created is not within 60 s of the receiver clock ` +
        `(created ${String(created)}, receiver ${nows.join(' or ')}, ${req.method} ${req.url})`,
    )
  const keyid = params.get('keyid')
  const key = typeof keyid === 'string' ? o.keys.get(keyid) : undefined
  if (!key) problems.push('11.2-11: keyid is not the sender node request-signing key')
  if (typeof nonce === 'string' && typeof keyid === 'string') {
    if (o.seenNonces.has(`${keyid} ${nonce}`)) problems.push('11.2-13: nonce reused')
    o.seenNonces.add(`${keyid} ${nonce}`)
  }
  if (hasContent) {
    const cd = req.headers['content-digest']
    if (!cd) problems.push('11.2-2: no Content-Digest')
    else if (cd.trim() !== (await contentDigest(req.body ?? new Uint8Array(0))))
      problems.push('11.2-14: Content-Digest does not match the content')
  }
  const sigText = /^:([A-Za-z0-9+/=]*):$/.exec(sigMember)?.[1]
  if (key && sigText !== undefined) {
    let base = ''
    const r: SignInput = {
      method: req.method,
      url: req.url,
      contentDigest: req.headers['content-digest']?.trim(),
    }
    for (const c of components) base += `"${c}": ${value(c, r, o.authority)}\n`
    base += `"@signature-params": ${input}`
    const ok = await crypto.subtle.verify(
      'Ed25519',
      key,
      new Uint8Array(Buffer.from(sigText, 'base64')),
      new TextEncoder().encode(base),
    )
    if (!ok) problems.push('11.2-12: signature does not verify')
  } else if (sigText === undefined) problems.push('11.2-6: Signature is not a byte sequence')
  return { keyid: typeof keyid === 'string' ? keyid : undefined, problems }
}

/** Flips one bit of a `barid=:…:` signature value (a bad signature). */
export function corruptSignature(field: string): string {
  const m = /^(\w+)=:([A-Za-z0-9+/=]*):$/.exec(field)
  if (!m) return field
  const bytes = new Uint8Array(Buffer.from(m[2]!, 'base64'))
  bytes[0]! ^= 1
  return `${m[1]}=:${b64(bytes)}:`
}
