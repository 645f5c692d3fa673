/**
 * @module federation/peer-directory
 * Who the other operators are, where their nodes are, and which keys speak for them.
 * {@link PeerDirectory} is the interface the node uses; the federation trust list (spec 20)
 * implements it in production. Until a node is configured with a trust list, the reference
 * implementation {@link createFileDirectory} reads a local federation file (spec 11.1).
 */
import { readFile } from 'node:fs/promises'
import { BaridError, importPublicJwk, parseOperatorId, type PublicKeyHandle } from '../core.js'
import { ObjectReader } from '../config/validate.js'

export type PeerKeyUse = 'request-signing' | 'evidence-signing'

export interface PeerKey {
  use: PeerKeyUse
  kid: string
  key: PublicKeyHandle
  /** Milliseconds; the key verifies signatures made before this time only. */
  retiredAt: number | null
}

export interface Peer {
  operator: string
  country: string
  /** Base URL of the node's federation API (no trailing slash). */
  baseUrl: string
  displayName: Record<string, string>
  identifierSchemes: string[]
  status: 'active' | 'suspended' | 'withdrawn'
  keys: PeerKey[]
}

/**
 * The node's view of the federation. Every method answers from memory or a bounded cache:
 * the delivery path never waits on an unbounded fetch.
 */
export interface PeerDirectory {
  /** This node's operator id. */
  readonly self: string
  /** An operator's entry (including this node's own), or undefined. */
  getPeer(operator: string): Promise<Peer | undefined>
  /** The operator and key for a request-signing key id, if it is current. */
  requestKey(kid: string): Promise<{ peer: Peer; key: PeerKey } | undefined>
  /** An operator's evidence key by key id, valid at time `at` (ms). */
  evidenceKey(operator: string, kid: string, at: number): Promise<PeerKey | undefined>
  /** Any operator's evidence key by key id (the caller checks `retiredAt` against its time). */
  evidenceKeyByKid(kid: string): Promise<{ peer: Peer; key: PeerKey } | undefined>
  /** The operator responsible for identifiers of `scheme` (by country or by listing). */
  operatorForScheme(scheme: string): Promise<string | undefined>
  /** All operators other than this node. */
  peers(): Promise<Peer[]>
}

const URL_RE = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/

/**
 * Parses a local federation file (spec 11.1):
 * `{"operators": [{"operator", "country", "baseUrl", "identifierSchemes", "displayName"?,
 * "status"?, "keys": [{"use": "request-signing"|"evidence-signing", "jwk", "retiredAt"?}]}]}`.
 */
export async function parseFederationFile(json: unknown): Promise<Peer[]> {
  const r = ObjectReader.of(json, 'federation').only(['$comment', 'version', 'operators'])
  const list = r.value.operators
  if (!Array.isArray(list) || list.length > 1000)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'federation: operators must be an array')
  const peers: Peer[] = []
  for (const [i, raw] of list.entries()) {
    const o = ObjectReader.of(raw, `federation.operators[${i}]`).only([
      'operator',
      'country',
      'baseUrl',
      'identifierSchemes',
      'displayName',
      'status',
      'keys',
    ])
    const keysRaw = o.value.keys
    if (!Array.isArray(keysRaw) || keysRaw.length === 0 || keysRaw.length > 32) {
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        `federation: operators[${i}].keys must be a non-empty array`,
      )
    }
    const keys: PeerKey[] = []
    for (const [j, kr] of keysRaw.entries()) {
      const k = ObjectReader.of(kr, `federation.operators[${i}].keys[${j}]`).only([
        'use',
        'jwk',
        'retiredAt',
      ])
      const use = k.str('use', /^(request-signing|evidence-signing)$/) as PeerKeyUse
      const key = await importPublicJwk(k.value.jwk, { use: 'sign' })
      const retired = k.optStr('retiredAt')
      keys.push({
        use,
        kid: key.kidBase64Url,
        key,
        retiredAt: retired === undefined ? null : Date.parse(retired),
      })
    }
    const status = (o.optStr('status', /^(active|suspended|withdrawn)$/) ??
      'active') as Peer['status']
    peers.push({
      operator: parseOperatorId(o.str('operator')),
      country: o.str('country', /^[A-Z]{2}$/),
      baseUrl: o.str('baseUrl', URL_RE).replace(/\/+$/, ''),
      displayName: o.has('displayName') ? o.texts('displayName') : {},
      identifierSchemes: o.strings('identifierSchemes', /^([a-z]{2}:[a-z0-9]{1,15}|opaque)$/),
      status,
      keys,
    })
  }
  return peers
}

/**
 * A {@link PeerDirectory} over a fixed list of operators (from a federation file or a test).
 *
 * @example
 * ```ts
 * const dir = createStaticDirectory('post.eg', await parseFederationFile(json))
 * ```
 */
export function createStaticDirectory(self: string, list: Peer[]): PeerDirectory {
  const byOperator = new Map(list.map((p) => [p.operator, p]))
  const byRequestKid = new Map<string, { peer: Peer; key: PeerKey }>()
  const byEvidenceKid = new Map<string, { peer: Peer; key: PeerKey }>()
  for (const p of list) {
    for (const k of p.keys)
      (k.use === 'request-signing' ? byRequestKid : byEvidenceKid).set(k.kid, { peer: p, key: k })
  }
  return {
    self,
    async getPeer(operator) {
      return byOperator.get(operator)
    },
    async requestKey(kid) {
      const hit = byRequestKid.get(kid)
      if (!hit || hit.peer.status !== 'active') return undefined
      if (hit.key.retiredAt !== null && hit.key.retiredAt <= Date.now()) return undefined
      return hit
    },
    async evidenceKey(operator, kid, at) {
      const p = byOperator.get(operator)
      const k = p?.keys.find((k) => k.use === 'evidence-signing' && k.kid === kid)
      if (!k || (k.retiredAt !== null && k.retiredAt <= at)) return undefined
      return k
    },
    async evidenceKeyByKid(kid) {
      return byEvidenceKid.get(kid)
    },
    async operatorForScheme(scheme) {
      for (const p of list)
        if (p.status === 'active' && p.identifierSchemes.includes(scheme)) return p.operator
      return undefined
    },
    async peers() {
      return list.filter((p) => p.operator !== self)
    },
  }
}

/**
 * Reads a local federation file into a {@link PeerDirectory}.
 *
 * @example
 * ```ts
 * const dir = await createFileDirectory('post.eg', '/var/lib/barid/federation.json')
 * ```
 */
export async function createFileDirectory(self: string, file: string): Promise<PeerDirectory> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return createStaticDirectory(self, [])
    throw new BaridError('ERR_INVALID_ARGUMENT', 'federation file is not valid JSON', { cause: e })
  }
  return createStaticDirectory(self, await parseFederationFile(json))
}
