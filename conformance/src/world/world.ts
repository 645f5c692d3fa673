/**
 * @module world/world
 * The test federation of one run (spec 30.5): the two nodes under test, reached by URL and
 * described by their discovery documents; the harness peer `conformance.test` and the withdrawn
 * operator `withdrawn.test`; the federation file installed on both nodes; and the harness clock,
 * which moves with the nodes' clocks.
 */
import {
  BaridError,
  TrustStore,
  fromBase64Url,
  importPublicJwk,
  parseCertificate,
  toBase64Url,
  validateChain,
  type ResolveEvidenceKey,
} from '@barid/core'
import {
  call,
  maskSecret,
  nameTarget,
  TransportError,
  type HttpOptions,
  type Violation,
} from '../http/http.js'
import { ControlError, TestControl } from '../http/test-control.js'
import { fedCall, type FedCallOptions, type FedCallResult } from '../peer/client.js'
import { HarnessPeer } from '../peer/harness-peer.js'
import { federationEntry, newOperator, type OperatorIdentity } from '../peer/identity.js'
import { verifyKeyCertificate, type VerifiedKeyCertificate } from '../peer/key-certificate.js'
import type { Pki } from '../peer/pki.js'
import { readDiscovery, type CertMode, type Discovery } from './discovery.js'

export const PEER_OPERATOR = 'conformance.test'
export const WITHDRAWN_OPERATOR = 'withdrawn.test'

/** A node under test. */
export interface NodeHandle {
  name: 'A' | 'B'
  url: string
  control: TestControl
  discovery: Discovery
  operator: string
}

/** How long after a move requests signed with an earlier clock reading are plausible. */
const MOVE_GRACE_MS = 10_000

/** The harness clock: real time plus how far the nodes' clocks were moved. */
export class HarnessClock {
  #offsetMs = 0
  /** Offsets the clock left in the last MOVE_GRACE_MS, with when it left them. */
  #recent: { offsetMs: number; leftAt: number }[] = []
  /** Changes whenever the clock moves, so cached tokens can be renewed. */
  epoch = 0
  get offsetMs(): number {
    return this.#offsetMs
  }
  /** Moves the clock (nodes' clocks move in the same call, 30.4). */
  set offsetMs(ms: number) {
    const t = Date.now()
    this.#recent = this.#recent.filter((r) => t - r.leftAt <= MOVE_GRACE_MS)
    this.#recent.push({ offsetMs: this.#offsetMs, leftAt: t })
    this.#offsetMs = ms
  }
  now(): number {
    return Date.now() + this.#offsetMs
  }
  seconds(): number {
    return Math.floor(this.now() / 1000)
  }
  /**
   * The times, in seconds, a node's clock may read now: for a few seconds after a move, a node
   * may still sign with a clock from before it (the nodes and the harness cannot move at once,
   * and a request signed just before two quick moves arrives after both).
   */
  plausibleSeconds(): number[] {
    const t = Date.now()
    const recent = this.#recent.filter((r) => t - r.leftAt <= MOVE_GRACE_MS)
    return [this.seconds(), ...recent.map((r) => Math.floor((t + r.offsetMs) / 1000))]
  }
}

/** Everything a check needs. */
export interface World {
  a: NodeHandle
  b: NodeHandle
  peer: HarnessPeer
  withdrawn: OperatorIdentity
  /** The nodes' generation of certificates (see discovery.ts). */
  mode: CertMode
  federation: { version: 1; operators: Record<string, unknown>[] }
  resolveEvidenceKey: ResolveEvidenceKey
  /** Verifies a key certification (13.4) against the test federation's evidence keys. */
  verifyCertificate(
    certificate: unknown,
    address: string,
    use: 'enc' | 'sig',
  ): Promise<VerifiedKeyCertificate>
  clock: HarnessClock
  /** Error-body violations (10.3) seen on any response. */
  violations: Violation[]
  http: HttpOptions
  /** A signed federation request from the harness peer (or `o.as`) to `node`. */
  fed(
    node: NodeHandle,
    method: 'GET' | 'HEAD' | 'PUT' | 'POST',
    path: string,
    body?: Uint8Array,
    o?: FedCallOptions,
  ): Promise<FedCallResult>
  /** Moves every clock (both nodes and the harness) forward. */
  advance(seconds: number): Promise<void>
  /**
   * After a node restarted: clocks back to the start, the federation installed again, the
   * findings so far forgotten (a mutation run starts each mutant afresh).
   */
  refresh(): Promise<void>
  /**
   * Moves every clock back to the start (30.4 reset) and installs the federation again, so that
   * a long run never outlives the nodes' certificates. Letters and mailboxes stay.
   */
  rewind(): Promise<void>
  /** Installs `federation` (or another file) on both nodes. */
  install(file?: unknown): Promise<void>
  close(): Promise<void>
}

export interface WorldOptions {
  nodeA: string
  nodeB: string
  secret: string
  timeoutMs?: number
}

/** A node under test's entry of the test federation file (11.1, 30.4). */
function entryOf(d: Discovery, url: string): Record<string, unknown> {
  const p = d.payload
  return {
    operator: p.operator,
    country: p.country,
    baseUrl: url,
    identifierSchemes: p.identifierSchemes,
    displayName: p.displayName,
    status: 'active',
    keys: [
      { use: 'request-signing', jwk: d.request.publicJwk },
      { use: 'evidence-signing', jwk: d.evidence.publicJwk },
    ],
    ...(d.mode === 'x509'
      ? { roots: d.roots.map((r) => toBase64Url(r)), cas: d.cas.map((c) => toBase64Url(c)) }
      : {}),
  }
}

/** Verifies an X.509 mailbox certificate (13.4) against the PKI of the operator it names. */
async function verifyX509(
  stores: Map<string, { store?: TrustStore; pki?: Pki }>,
  certificate: unknown,
  address: string,
  use: 'enc' | 'sig',
  nowMs: number,
): Promise<VerifiedKeyCertificate> {
  if (typeof certificate !== 'string')
    throw new BaridError('ERR_CERT_MALFORMED', 'a mailbox certificate is base64url DER')
  const operator = address.slice(address.lastIndexOf('@') + 1)
  const role = use === 'enc' ? 'mailbox-encryption' : 'mailbox-signing'
  const leaf = await parseCertificate(fromBase64Url(certificate))
  const src = stores.get(operator)
  if (src?.store)
    await src.store.validatePeerChain(leaf, { operator, role, at: Math.floor(nowMs / 1000) })
  else if (src?.pki)
    await validateChain({
      leaf,
      intermediates: [src.pki.ca.cert],
      anchors: [src.pki.root.cert],
      role,
      at: new Date(nowMs),
    })
  else
    throw new BaridError(
      'ERR_CERT_UNTRUSTED',
      `no PKI of operator ${operator} in the test federation`,
    )
  if (leaf.mailbox !== address)
    throw new BaridError('ERR_CERT_OPERATOR_MISMATCH', 'the certificate is for another mailbox')
  if (!leaf.publicJwk) throw new BaridError('ERR_CERT_PROFILE', 'the certificate has no key')
  const handle = await importPublicJwk(leaf.publicJwk, { use: use === 'enc' ? 'encrypt' : 'sign' })
  return {
    kid: handle.kidBase64Url,
    use,
    handle,
    claims: {
      iss: operator,
      sub: address,
      use,
      kid: handle.kidBase64Url,
      iat: Math.floor(leaf.notBefore.getTime() / 1000),
      exp: Math.floor(leaf.notAfter.getTime() / 1000),
    },
  }
}

/**
 * Connects to both nodes, starts the harness peer and installs the test federation.
 *
 * @example
 * ```ts
 * const world = await createWorld({ nodeA: 'http://127.0.0.1:7401', nodeB: 'http://127.0.0.1:7402', secret })
 * ```
 */
export async function createWorld(o: WorldOptions): Promise<World> {
  const violations: Violation[] = []
  const http: HttpOptions = {
    timeoutMs: o.timeoutMs ?? 30_000,
    onViolation: (v) => violations.push(v),
  }
  const clock = new HarnessClock()
  maskSecret(o.secret)
  const node = async (name: 'A' | 'B', url: string): Promise<NodeHandle> => {
    const base = url.replace(/\/+$/, '')
    nameTarget(base, `node ${name}`)
    const control = new TestControl(base, o.secret, http)
    await control.connect()
    let discovery: Discovery
    try {
      discovery = await readDiscovery(base, () => clock.seconds())
    } catch (e) {
      if (e instanceof TransportError || e instanceof ControlError) throw e
      throw new Error(
        `node ${name} (${base}): its discovery documents (30.3): ${(e as Error)?.message ?? e}`,
      )
    }
    return { name, url: base, control, discovery, operator: discovery.payload.operator }
  }
  // Both nodes are tried, so that a report names every node that could not be reached.
  const settled = await Promise.allSettled([node('A', o.nodeA), node('B', o.nodeB)])
  const errors = settled.flatMap((r) =>
    r.status === 'rejected'
      ? [r.reason instanceof Error ? r.reason.message : String(r.reason)]
      : [],
  )
  if (errors.length > 0) throw new Error(errors.join('\n'))
  const [a, b] = settled.map((r) => (r as PromiseFulfilledResult<NodeHandle>).value) as [
    NodeHandle,
    NodeHandle,
  ]
  if (a.operator === b.operator) throw new Error('node A and node B must be different operators')
  // A clean start: clocks and federations as the nodes began (30.4 reset).
  await Promise.all([a.control.reset(), b.control.reset()])
  // The harness follows the nodes' generation of the protocol (see discovery.ts).
  const mode: CertMode = a.discovery.mode
  const pki = mode === 'x509'
  const [self, withdrawn] = await Promise.all([
    newOperator(PEER_OPERATOR, { pki, nowMs: clock.now() }),
    newOperator(WITHDRAWN_OPERATOR, { pki, nowMs: clock.now() }),
  ])
  let federation = { version: 1 as const, operators: [] as Record<string, unknown>[] }
  const evidenceKeys = new Map<string, { key: CryptoKey; issuer: string }>()
  for (const n of [a, b])
    evidenceKeys.set(n.discovery.evidence.kidBase64Url, {
      key: n.discovery.evidence.publicKey,
      issuer: n.operator,
    })
  evidenceKeys.set(self.evidence.kidBase64Url, {
    key: self.evidence.publicKey,
    issuer: self.operator,
  })
  const resolveEvidenceKey: ResolveEvidenceKey = async (kid) => {
    const k = evidenceKeys.get(toBase64Url(kid))
    if (!k)
      throw new BaridError(
        'ERR_KEY_NOT_FOUND',
        'no evidence key in the test federation has that kid',
      )
    return k
  }
  const stores = new Map<string, { store?: TrustStore; pki?: Pki }>()
  for (const n of [a, b])
    stores.set(n.operator, { ...(n.discovery.store ? { store: n.discovery.store } : {}) })
  if (self.pki) stores.set(self.operator, { pki: self.pki })
  const verifyCertificate = (certificate: unknown, address: string, use: 'enc' | 'sig') =>
    mode === 'x509'
      ? verifyX509(stores, certificate, address, use, clock.now())
      : verifyKeyCertificate(certificate, {
          address,
          use,
          nowMs: clock.now(),
          evidenceKey: (kid) => {
            const k = evidenceKeys.get(kid)
            return k && { key: k.key, operator: k.issuer }
          },
        })
  const peer = new HarnessPeer(self, {
    verifyMailboxCertificate: verifyCertificate,
    resolveEvidenceKey,
    now: () => clock.now(),
    plausibleSeconds: () => clock.plausibleSeconds(),
  })
  await peer.start()
  for (const n of [a, b])
    peer.addNode({
      operator: n.operator,
      requestKid: n.discovery.request.kidBase64Url,
      requestKey: n.discovery.request.publicKey,
    })
  federation = {
    version: 1,
    operators: [
      entryOf(a.discovery, a.url),
      entryOf(b.discovery, b.url),
      federationEntry(self, { baseUrl: peer.url }),
      federationEntry(withdrawn, { baseUrl: peer.url, status: 'withdrawn' }),
    ],
  }
  const world: World = {
    a,
    b,
    peer,
    withdrawn,
    federation,
    mode,
    resolveEvidenceKey,
    verifyCertificate,
    clock,
    violations,
    http,
    fed: (n, method, path, body, fo) =>
      fedCall(self, clock.seconds(), n.url, method, path, body, fo, http),
    async advance(seconds) {
      // The harness moves first: while the nodes move, one may already sign with its new clock
      // and the other still with its old one, and plausibleSeconds() admits both.
      clock.offsetMs += seconds * 1000
      await Promise.all([a.control.advanceClock(seconds), b.control.advanceClock(seconds)])
      clock.epoch++
    },
    async install(file = federation) {
      await Promise.all([a.control.installFederation(file), b.control.installFederation(file)])
    },
    async rewind() {
      if (clock.offsetMs === 0) return
      clock.offsetMs = 0
      await Promise.all([a.control.reset(), b.control.reset()])
      clock.epoch++
      await world.install()
    },
    async refresh() {
      await Promise.all([a.control.connect(), b.control.connect()])
      await Promise.all([a.control.reset(), b.control.reset()])
      clock.offsetMs = 0
      clock.epoch++
      violations.length = 0
      peer.violations.length = 0
      await peer.setMode('up')
      await world.install()
    },
    async close() {
      await Promise.allSettled([a.control.reset(), b.control.reset()])
      await peer.stop()
    },
  }
  try {
    await world.install()
  } catch (e) {
    await peer.stop()
    throw e
  }
  return world
}

/** Reads a node's readiness (15.2), for the launcher and for checks after hostile input. */
export async function healthy(url: string): Promise<boolean> {
  try {
    return (await call(`${url}/healthz`, {}, { timeoutMs: 5000 })).status === 200
  } catch {
    return false
  }
}
