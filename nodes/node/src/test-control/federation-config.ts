/**
 * @module test-control/federation-config
 * A test federation installed through test control (spec 30.4): the local federation file of
 * spec 11.1, turned into a {@link PeerDirectory}. It depends only on that interface, so it keeps
 * working whatever source (federation file, trust list) the node uses in normal operation.
 *
 * Unlike a production directory it reports every listed operator with its status, including
 * suspended and withdrawn ones: refusing those is the node's rule (11.1), checked where requests
 * are verified, and the conformance suite tests that it is.
 *
 * An entry may carry its operator's PKI, `roots` (federation root certificates) and `cas`
 * (operator CA certificates), base64url DER: mailbox certificates of that operator (13.4, the
 * sender certificates of 11.4) are then validated against them, as the trust list would (21.3).
 */
import {
  BaridError,
  fromBase64Url,
  validateChain,
  importPublicJwk,
  parseCertificate,
  parseOperatorId,
  type ParsedCertificate,
} from '../core.js'
import { ObjectReader } from '../config/validate.js'
import type { Peer, PeerDirectory, PeerKey } from '../federation/peer-directory.js'
import { roleOf, type CertifiedMailboxKey } from '../keys/key-certificate.js'

/** A test operator's PKI, when its entry gives one. */
interface TestPki {
  roots: ParsedCertificate[]
  cas: ParsedCertificate[]
}

/** A parsed test federation: the peers, and the PKI of those that have one. */
export interface TestFederation {
  peers: Peer[]
  pki: Map<string, TestPki>
}

async function certificates(o: ObjectReader, key: string): Promise<ParsedCertificate[]> {
  if (!o.has(key)) return []
  return Promise.all(
    o.strings(key, /^[A-Za-z0-9_-]{1,22000}$/).map((t) => parseCertificate(fromBase64Url(t))),
  )
}

const URL_RE = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/
const STATUS_RE = /^(active|suspended|withdrawn)$/

/**
 * Parses a spec 11.1 federation file.
 *
 * @example
 * ```ts
 * const peers = await parseTestFederation(JSON.parse(text))
 * ```
 */
export async function parseTestFederation(json: unknown): Promise<TestFederation> {
  const r = ObjectReader.of(json, 'federation').only(['$comment', 'version', 'operators'])
  const list = r.value.operators
  if (!Array.isArray(list) || list.length > 100)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'federation: operators must be an array')
  const peers: Peer[] = []
  const pki = new Map<string, TestPki>()
  for (const [i, raw] of list.entries()) {
    const path = `federation.operators[${i}]`
    const o = ObjectReader.of(raw, path).only([
      'operator',
      'country',
      'baseUrl',
      'identifierSchemes',
      'displayName',
      'status',
      'keys',
      'roots',
      'cas',
    ])
    const keysRaw = o.value.keys
    if (!Array.isArray(keysRaw) || keysRaw.length === 0 || keysRaw.length > 32)
      throw new BaridError('ERR_INVALID_ARGUMENT', `${path}.keys must be a non-empty array`)
    const keys: PeerKey[] = []
    for (const [j, kr] of keysRaw.entries()) {
      const k = ObjectReader.of(kr, `${path}.keys[${j}]`).only(['use', 'jwk', 'retiredAt'])
      const use = k.str('use', /^(request-signing|evidence-signing)$/) as PeerKey['use']
      const key = await importPublicJwk(k.value.jwk, { use: 'sign' })
      const retired = k.optStr('retiredAt')
      keys.push({
        use,
        kid: key.kidBase64Url,
        key,
        retiredAt: retired === undefined ? null : Date.parse(retired),
      })
    }
    const operator = parseOperatorId(o.str('operator'))
    const roots = await certificates(o, 'roots')
    const cas = await certificates(o, 'cas')
    if (roots.length > 0 && cas.length > 0) pki.set(operator, { roots, cas })
    peers.push({
      operator,
      country: o.str('country', /^[A-Z]{2}$/),
      baseUrl: o.str('baseUrl', URL_RE).replace(/\/+$/, ''),
      displayName: o.has('displayName') ? o.texts('displayName') : {},
      identifierSchemes: o.strings('identifierSchemes', /^([a-z]{2}:[a-z0-9]{1,15}|opaque)$/),
      status: (o.optStr('status', STATUS_RE) ?? 'active') as Peer['status'],
      keys,
    })
  }
  return { peers, pki }
}

/**
 * A {@link PeerDirectory} over a parsed test federation; `now` dates key retirement.
 *
 * @example
 * ```ts
 * svc.directory = testFederationDirectory('post.eg', peers, svc.now)
 * ```
 */
export function testFederationDirectory(
  self: string,
  federation: TestFederation,
  now: () => number,
): PeerDirectory {
  const list = federation.peers
  const byOperator = new Map(list.map((p) => [p.operator, p]))
  const byKid = new Map<string, { peer: Peer; key: PeerKey }>()
  for (const p of list) for (const k of p.keys) byKid.set(`${k.use} ${k.kid}`, { peer: p, key: k })
  const live = (k: PeerKey, at: number) => k.retiredAt === null || k.retiredAt > at
  return {
    self,
    async getPeer(operator) {
      return byOperator.get(operator)
    },
    async requestKey(kid, signedAt) {
      const hit = byKid.get(`request-signing ${kid}`)
      // Spec 11.2 step 4: retirement is judged at the signature's `created`.
      return hit && live(hit.key, signedAt ?? now()) ? hit : undefined
    },
    async evidenceKey(operator, kid, at) {
      const hit = byKid.get(`evidence-signing ${kid}`)
      return hit && hit.peer.operator === operator && live(hit.key, at) ? hit.key : undefined
    },
    async evidenceKeyByKid(kid) {
      return byKid.get(`evidence-signing ${kid}`)
    },
    async operatorForScheme(scheme) {
      for (const p of list)
        if (p.status === 'active' && p.identifierSchemes.includes(scheme)) return p.operator
      return undefined
    },
    async peers() {
      return list.filter((p) => p.operator !== self)
    },
    async mailboxKey(certificate, o): Promise<CertifiedMailboxKey> {
      const pki = federation.pki.get(o.operator)
      if (!pki)
        throw new BaridError(
          'ERR_CERT_UNTRUSTED',
          'the test federation gives no PKI for that operator',
        )
      if (typeof certificate !== 'string' || certificate.length > 22_000)
        throw new BaridError('ERR_CERT_MALFORMED', 'a mailbox certificate must be base64url DER')
      const leaf = await parseCertificate(fromBase64Url(certificate))
      const chain = await validateChain({
        leaf,
        intermediates: pki.cas,
        anchors: pki.roots,
        role: roleOf(o.use),
        at: new Date(o.at),
      })
      const ca = chain.path[1]
      if (
        !leaf.mailbox ||
        !leaf.publicJwk ||
        leaf.operatorId !== o.operator ||
        ca?.operatorId !== o.operator
      )
        throw new BaridError(
          'ERR_CERT_OPERATOR_MISMATCH',
          'the certificate does not speak for that operator',
        )
      const key = await importPublicJwk(leaf.publicJwk, {
        use: o.use === 'enc' ? 'encrypt' : 'sign',
      })
      return { address: leaf.mailbox, use: o.use, kid: key.kidBase64Url, key, certificate: leaf }
    },
  }
}
