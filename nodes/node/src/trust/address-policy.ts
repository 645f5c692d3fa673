/**
 * @module trust/address-policy
 * Which network addresses a node may connect to for a peer (spec 22.4, last paragraph). The trust
 * list fixes the URLs a node fetches (20.3.3), but not what their host names resolve to: a
 * listed name whose DNS record is changed to an internal address would turn the node into a
 * proxy towards its own network (server-side request forgery). So before any connection to a
 * peer the host is resolved here (node:dns, every address it has) and each address is classed
 * by the IANA special-purpose registries (RFC 6890 and its updates); anything but a public
 * address is refused unless the configuration allows its class.
 *
 * IPv4 spellings such as `2130706433`, `0x7f.1` or `017700000001` never reach the check as
 * text: WHATWG URL parsing (and the system resolver) turn them into dotted quads first, and
 * IPv6 addresses that embed an IPv4 one (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
 * `2002::/16`) are classed by the address they embed.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { BaridError } from '../core.js'

/** Classes of addresses, as the special-purpose registries define them. */
export type AddressClass =
  'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved'

/** The classes a configuration may allow; the others are never connected to. */
export const ALLOWABLE_CLASSES = ['loopback', 'private', 'link-local'] as const
export type AllowableClass = (typeof ALLOWABLE_CLASSES)[number]

/** What a resolver answers: the system's `dns.lookup` with `all: true`. */
export type Lookup = (host: string) => Promise<readonly { address: string; family: number }[]>

/** Options of {@link createAddressPolicy}. */
export interface AddressPolicyOptions {
  /** Classes allowed besides `public` (a federation on one machine allows `loopback`). */
  allow: readonly AllowableClass[]
  /** Default: node:dns `lookup(host, { all: true, verbatim: true })`. */
  lookup?: Lookup
  /** Milliseconds since the epoch, for the verdict cache. */
  now?: () => number
  /** How long a host's verdict is reused, milliseconds. Default 30 000. */
  cacheMs?: number
}

/** The check made before every connection to a peer. */
export interface AddressPolicy {
  /**
   * Resolves the host of `url` and throws `ERR_PEER_ADDRESS_REFUSED` if any address it has is of
   * a class not allowed, `ERR_PEER_UNAVAILABLE` if it does not resolve.
   */
  check(url: string): Promise<void>
}

type Range = readonly [prefix: readonly number[], bits: number, cls: AddressClass]

// IPv4 special-purpose ranges (RFC 6890, RFC 6598, RFC 5737, RFC 2544, RFC 3068, RFC 1112).
const V4: readonly Range[] = [
  [[0], 8, 'unspecified'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'private'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'],
  [[192, 0, 2], 24, 'reserved'],
  [[192, 88, 99], 24, 'reserved'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'reserved'],
  [[198, 51, 100], 24, 'reserved'],
  [[203, 0, 113], 24, 'reserved'],
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'],
]

// IPv6 (RFC 4291, RFC 6890, RFC 4193, RFC 3849, RFC 6052, RFC 8215). Only 2000::/3 is public.
const V6: readonly Range[] = [
  [[0x00, 0x64, 0xff, 0x9b, 0, 1], 48, 'private'],
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'],
  [[0x20, 0x01, 0x00], 23, 'reserved'],
  [[0xfc], 7, 'private'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'private'],
  [[0xff], 8, 'multicast'],
]

function inRange(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8)
    const mask = (0xff << (8 - take)) & 0xff
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false
  }
  return true
}

function parseV4(text: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (!m) return undefined
  const b = m.slice(1).map(Number)
  return b.every((x) => x <= 255) ? b : undefined
}

/** 16 bytes of an IPv6 address in any RFC 4291 text form (with `::`, a trailing IPv4, a zone). */
function parseV6(text: string): number[] | undefined {
  let head = text.replace(/%.*$/, '')
  let tail: number[] = []
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(head)
  if (v4) {
    const b = parseV4(v4[2]!)
    if (!b) return undefined
    tail = b
    // `::a.b.c.d` keeps its `::`; `x:a.b.c.d` loses the separator before the IPv4 part.
    head = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1)
  }
  const halves = head.split('::')
  if (halves.length > 2) return undefined
  const groups = (h: string) => (h === '' ? [] : h.split(':'))
  const left = groups(halves[0]!)
  const right = halves.length === 2 ? groups(halves[1]!) : []
  const want = 8 - tail.length / 2
  const fill = halves.length === 2 ? want - left.length - right.length : 0
  if (fill < (halves.length === 2 ? 1 : 0) || left.length + right.length + fill !== want)
    return undefined
  const words = [...left, ...Array<string>(fill).fill('0'), ...right]
  const out: number[] = []
  for (const w of words) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined
    const n = parseInt(w, 16)
    out.push(n >> 8, n & 0xff)
  }
  return [...out, ...tail]
}

function classV4(b: readonly number[]): AddressClass {
  for (const [prefix, bits, cls] of V4) if (inRange(b, prefix, bits)) return cls
  return 'public'
}

function classV6(b: readonly number[]): AddressClass {
  const zeros = (n: number) => b.slice(0, n).every((x) => x === 0)
  if (zeros(16)) return 'unspecified'
  if (zeros(15) && b[15] === 1) return 'loopback'
  // IPv4-mapped ::ffff:0:0/96: the connection goes to the IPv4 address.
  if (zeros(10) && b[10] === 0xff && b[11] === 0xff) return classV4(b.slice(12))
  // IPv4-compatible ::/96 (deprecated): never a public destination.
  if (zeros(12)) return 'reserved'
  // NAT64 well-known prefix 64:ff9b::/96: a translator forwards to the embedded IPv4 address.
  if (inRange(b, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return classV4(b.slice(12))
  // 6to4 2002::/16: the embedded IPv4 address is the relay's destination.
  if (b[0] === 0x20 && b[1] === 0x02) {
    return classV4(b.slice(2, 6))
  }
  for (const [prefix, bits, cls] of V6) if (inRange(b, prefix, bits)) return cls
  return (b[0]! & 0xe0) === 0x20 ? 'public' : 'reserved'
}

/**
 * The class of an IP address in text form (IPv4 dotted quad, or IPv6 in any RFC 4291 form,
 * with or without brackets). A text that is not an IP address is `reserved`: it is never
 * connected to as such.
 *
 * @example
 * ```ts
 * classifyAddress('::ffff:127.0.0.1') // 'loopback'
 * classifyAddress('93.184.216.34') // 'public'
 * ```
 */
export function classifyAddress(address: string): AddressClass {
  const a = address.replace(/^\[(.*)\]$/, '$1')
  if (isIP(a) === 4) {
    const b = parseV4(a)
    return b ? classV4(b) : 'reserved'
  }
  if (isIP(a.replace(/%.*$/, '')) === 6) {
    const b = parseV6(a)
    return b ? classV6(b) : 'reserved'
  }
  return 'reserved'
}

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true })

/**
 * The address policy of a node.
 *
 * @example
 * ```ts
 * const policy = createAddressPolicy({ allow: config.trust.allowNonPublic })
 * await policy.check('https://barid.post.eg/.well-known/barid-node') // throws for 10.0.0.5
 * ```
 */
export function createAddressPolicy(o: AddressPolicyOptions): AddressPolicy {
  const allowed = new Set<AddressClass>(['public', ...o.allow])
  const lookup = o.lookup ?? systemLookup
  const now = o.now ?? Date.now
  const cacheMs = o.cacheMs ?? 30_000
  const verdicts = new Map<string, { until: number; refused?: AddressClass }>()

  const refuse = (cls: AddressClass): never => {
    throw new BaridError(
      'ERR_PEER_ADDRESS_REFUSED',
      `the peer's host resolves to a ${cls} address, which this node does not connect to`,
      { details: { class: cls } },
    )
  }

  return {
    async check(url) {
      let host: string
      try {
        host = new URL(url).hostname
      } catch {
        throw new BaridError('ERR_INVALID_ARGUMENT', 'not a URL')
      }
      const literal = host.replace(/^\[(.*)\]$/, '$1')
      if (isIP(literal) !== 0) {
        const cls = classifyAddress(literal)
        if (!allowed.has(cls)) refuse(cls)
        return
      }
      const key = host.toLowerCase()
      const cached = verdicts.get(key)
      if (cached && cached.until > now()) {
        if (cached.refused) refuse(cached.refused)
        return
      }
      let addresses: readonly { address: string }[]
      try {
        addresses = await lookup(host)
      } catch {
        throw new BaridError('ERR_PEER_UNAVAILABLE', "the peer's host name does not resolve")
      }
      if (addresses.length === 0)
        throw new BaridError('ERR_PEER_UNAVAILABLE', "the peer's host name does not resolve")
      // Every address is checked: a resolver may hand the connection any one of them.
      const refused = addresses.map((a) => classifyAddress(a.address)).find((c) => !allowed.has(c))
      if (verdicts.size >= 256) verdicts.delete(verdicts.keys().next().value!)
      verdicts.set(key, { until: now() + cacheMs, ...(refused ? { refused } : {}) })
      if (refused) refuse(refused)
    },
  }
}

/** A fetch as the node's peer traffic uses it. */
export type PeerFetch = (url: string, init?: RequestInit) => Promise<Response>

/**
 * Wraps a fetch so that every request first passes `policy` (the check throws; nothing is sent).
 *
 * @example
 * ```ts
 * const peerFetch = guardFetch(fetch, policy)
 * ```
 */
export function guardFetch(fetchLike: PeerFetch, policy: AddressPolicy): PeerFetch {
  return async (url, init) => {
    await policy.check(url)
    return fetchLike(url, init)
  }
}
