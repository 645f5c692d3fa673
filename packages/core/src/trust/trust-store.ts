/**
 * @module trust/trust-store
 * What a node asks of the trust list at run time (`spec/20-trust-list.md` section 7,
 * `spec/21-operator-pki.md` section 5): is operator X active at time T, and does this peer
 * certificate speak for operator X at time T. The time T is the time of the signature being
 * checked: now for new traffic, the signing time for evidence, so that what an operator signed
 * while it was a member stays verifiable after it is suspended or withdrawn.
 *
 * Validated chains are cached (bounded, per list) for the part that does not change with time;
 * the operator's status, a CA's retirement and revocation are checked on every call.
 */
import { bytesEqual } from '../bytes.js'
import { BaridError } from '../errors.js'
import type { CertificateInput, ParsedCertificate } from '../x509/certificate.js'
import { parseCertificate } from '../x509/parse.js'
import type { CertificateRole } from '../x509/roles.js'
import { validateChain, type RevocationStatus } from '../x509/validate.js'
import type { PeerCertificateValidator } from './discovery-document.js'
import { assertUsable, DEFAULT_MAX_STALENESS, freshnessAt, type Freshness } from './freshness.js'
import { ChainCache } from './chain-cache.js'
import { certificatesOf, type ListCertificates } from './list-certificates.js'
import { askRevocation, assertGood, type RevocationChecker } from './revocation-checker.js'
import { assertActiveAt, operatorStateAt } from './status.js'
import { authorisedSigners, verifyTrustList, type GovernanceKeyInput } from './trust-list.js'
import type { CaEntry, OperatorEntry, OperatorState, TrustList, UnixSeconds } from './types.js'

/** Options of {@link TrustStore.open}. */
export interface TrustStoreOptions {
  /** The clock, Unix seconds. Default: the system clock. */
  now?: () => UnixSeconds
  /** Seconds past next-update before hard failure. Default {@link DEFAULT_MAX_STALENESS}. */
  maxStaleness?: number
  /** Revocation source for end-entity certificates. Without one, revocation is not checked. */
  revocation?: RevocationChecker
  /** Most cached chain validations. Default 4096. */
  cacheSize?: number
  /**
   * The node's configured (bootstrap) governance keys, so that {@link TrustStore.update} reports
   * a list signed by a key the held list has retired as `ERR_TRUST_LIST_SIGNER_RETIRED`.
   */
  governanceKeys?: readonly GovernanceKeyInput[]
}

/** Options of {@link TrustStore.validatePeerChain}. */
export interface PeerCheckOptions {
  /** The operator the certificate must speak for (from the message's routing, not the certificate). */
  operator: string
  /** Time of the signature being checked. Default: now. */
  at?: UnixSeconds
  /** Role the certificate must have. Default `node`. */
  role?: CertificateRole
  /** First exchange with this peer: refused while the list is stale. */
  firstContact?: boolean
  /** Offline verification (evidence audits): the list's freshness is not required. */
  offline?: boolean
}

/** A certificate that speaks for an operator at a time. */
export interface ValidatedPeer {
  readonly operator: OperatorEntry
  readonly certificate: ParsedCertificate
  /** The listed operator CA that issued it, and its list entry. */
  readonly ca: ParsedCertificate
  readonly caEntry: CaEntry
  /** Whether the chain came from the cache. */
  readonly cached: boolean
}

/**
 * The node's view of the federation: the held trust list, its certificates, and the checks made
 * against them.
 *
 * @example
 * ```ts
 * const store = await TrustStore.open(await verifyTrustList(bytes, { governanceKeys, now }), { revocation })
 * store.assertActive('digitalpost.dk')
 * const peer = await store.validatePeerChain(peerCertDer, { operator: 'digitalpost.dk' })
 * ```
 */
export class TrustStore implements PeerCertificateValidator {
  #list: TrustList
  #certs: ListCertificates
  #byId: Map<string, OperatorEntry>
  readonly #cache: ChainCache
  readonly #now: () => UnixSeconds
  readonly #maxStaleness: number
  readonly #revocation: RevocationChecker | undefined
  readonly #governanceKeys: readonly GovernanceKeyInput[] | undefined

  private constructor(list: TrustList, certs: ListCertificates, options: TrustStoreOptions) {
    this.#list = list
    this.#certs = certs
    this.#byId = new Map(list.operators.map((o) => [o.id, o]))
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000))
    this.#maxStaleness = options.maxStaleness ?? DEFAULT_MAX_STALENESS
    this.#revocation = options.revocation
    this.#cache = new ChainCache(options.cacheSize ?? 4096)
    this.#governanceKeys = options.governanceKeys
  }

  /**
   * A store over a list returned by `verifyTrustList`.
   *
   * @example
   * ```ts
   * const store = await TrustStore.open(list, { now: () => clock.seconds() })
   * ```
   */
  static async open(list: TrustList, options: TrustStoreOptions = {}): Promise<TrustStore> {
    return new TrustStore(list, await certificatesOf(list), options)
  }

  /** The held list. */
  get list(): TrustList {
    return this.#list
  }

  /** Federation root certificates of the held list. */
  get roots(): readonly ParsedCertificate[] {
    return this.#certs.roots
  }

  /**
   * Verifies `bytes` against the held list (rollback, rollover) and, if newer, replaces it.
   * Returns whether the list changed. Any error leaves the held list in place.
   *
   * @example
   * ```ts
   * const { changed } = await store.update(await fetchTrustList())
   * ```
   */
  async update(bytes: Uint8Array): Promise<{ changed: boolean; list: TrustList }> {
    const current = this.#list
    const next = await verifyTrustList(bytes, {
      governanceKeys: this.#governanceKeys ?? authorisedSigners(current),
      current,
      now: this.#now(),
    })
    if (next === current) return { changed: false, list: current }
    const certs = await certificatesOf(next)
    this.#list = next
    this.#certs = certs
    this.#byId = new Map(next.operators.map((o) => [o.id, o]))
    this.#cache.clear()
    return { changed: true, list: next }
  }

  /**
   * The store's clock, Unix seconds: the time it verifies at.
   *
   * @example
   * ```ts
   * if (signedAt > store.now() + DEFAULT_CLOCK_SKEW) refuse()
   * ```
   */
  now(): UnixSeconds {
    return this.#now()
  }

  /** Freshness of the held list now (spec/20 section 6). */
  freshness(): Freshness {
    return freshnessAt(this.#list.nextUpdate, this.#now(), this.#maxStaleness)
  }

  /** The operator's entry, if listed. */
  operator(id: string): OperatorEntry | undefined {
    return this.#byId.get(id)
  }

  /** The operator's state at `at` (default now); `unknown` when not listed or not yet admitted. */
  stateAt(id: string, at: UnixSeconds = this.#now()): OperatorState | 'unknown' {
    const op = this.#byId.get(id)
    return op === undefined ? 'unknown' : operatorStateAt(op, at)
  }

  /** True when the operator is listed and active at `at` (default now). */
  isActiveAt(id: string, at: UnixSeconds = this.#now()): boolean {
    return this.stateAt(id, at) === 'active'
  }

  /**
   * Throws unless the list is usable now (freshness, skipped when `offline`) and the operator is
   * active at `at`: `ERR_TRUST_LIST_EXPIRED`, `ERR_TRUST_LIST_STALE`, `ERR_OPERATOR_UNKNOWN`,
   * `ERR_OPERATOR_SUSPENDED`, `ERR_OPERATOR_WITHDRAWN`.
   *
   * @example
   * ```ts
   * store.assertActive('post.eg', { firstContact: true })
   * ```
   */
  assertActive(
    id: string,
    options: Omit<PeerCheckOptions, 'operator' | 'role'> = {},
  ): OperatorEntry {
    if (options.offline !== true)
      assertUsable(this.freshness(), { firstContact: options.firstContact === true })
    return assertActiveAt(this.#byId.get(id), id, options.at ?? this.#now())
  }

  /** The operator's endpoints (empty when not listed): the only URLs fetched for it. */
  endpointsOf(id: string): readonly string[] {
    return this.#byId.get(id)?.endpoints ?? []
  }

  /** The operator's parsed CA certificates, in list order. */
  casOf(id: string): readonly ParsedCertificate[] {
    return this.#certs.cas.get(id) ?? []
  }

  /**
   * The listed CA of the certificate's own operator whose key identifier it names as its
   * authority: the CA whose revocation list covers it (spec 21.6.1). Nothing else is checked;
   * `undefined` when no listed CA matches.
   *
   * @example
   * ```ts
   * const ca = store.issuerOf(await parseCertificate(nodeCertDer)) // then that CA's list
   * ```
   */
  issuerOf(certificate: ParsedCertificate): ParsedCertificate | undefined {
    if (certificate.operatorId === undefined) return undefined
    return this.casOf(certificate.operatorId).find((ca) => issues(ca, certificate))
  }

  /**
   * Validates `certificate` (DER, PEM or parsed) as speaking for `operator` in `role` at `at`.
   * Order of checks (spec/21 section 5): list freshness, operator status at `at`, operator
   * binding of the certificate, retirement of its CA, the chain (signatures, validity, profile,
   * via `validateChain`), revocation. Throws the first failing rule's code.
   *
   * @example
   * ```ts
   * const peer = await store.validatePeerChain(cert, { operator: 'post.eg', at: record.time, offline: true })
   * ```
   */
  async validatePeerChain(
    certificate: CertificateInput,
    options: PeerCheckOptions,
  ): Promise<ValidatedPeer> {
    const at = options.at ?? this.#now()
    const role = options.role ?? 'node'
    const operator = this.assertActive(options.operator, { ...options, at })
    const cas = this.#certs.cas.get(operator.id) ?? []
    const der =
      typeof certificate === 'string'
        ? undefined
        : certificate instanceof Uint8Array
          ? certificate
          : certificate.der
    const key =
      der === undefined
        ? undefined
        : typeof certificate === 'object' && !(certificate instanceof Uint8Array)
          ? await ChainCache.keyOfParsed(certificate, role, operator.id)
          : await ChainCache.key(der, role, operator.id)
    const hit = key === undefined ? undefined : this.#cache.get(key, this.#list.sequence, at)
    if (hit !== undefined) {
      const ca = cas[hit.caIndex] as ParsedCertificate
      const caEntry = operator.cas[hit.caIndex] as CaEntry
      checkCaRetirement(caEntry, operator.id, at)
      if (this.#revocation !== undefined)
        assertGood(await this.#revocationStatus(hit.certificate, operator.id, at))
      return { operator, certificate: hit.certificate, ca, caEntry, cached: true }
    }
    const leaf = await parseCertificate(certificate)
    if (leaf.operatorId !== operator.id) {
      throw new BaridError(
        'ERR_CERT_OPERATOR_MISMATCH',
        'certificate does not name the operator it speaks for',
        {
          details: { operator: operator.id },
        },
      )
    }
    const issuers = cas
      .map((ca, i) => ({ ca, i, entry: operator.cas[i] as CaEntry }))
      .filter(({ ca }) => issues(ca, leaf))
    const usable = issuers.filter(({ entry }) => entry.until === undefined || at < entry.until)
    if (issuers.length > 0 && usable.length === 0)
      checkCaRetirement(issuers[0]!.entry, operator.id, at)
    const chain = await validateChain({
      leaf,
      intermediates: usable.map(({ ca }) => ca),
      anchors: this.#certs.roots,
      role,
      at: new Date(at * 1000),
      // Operator CAs are retired through the list (`until`, status), not revocation lists.
      checkRevocation: (c) =>
        c.role === 'operator-ca'
          ? Promise.resolve('good')
          : this.#revocationStatus(c, operator.id, at),
      revocationPolicy: this.#revocation === undefined ? 'soft-fail' : 'hard-fail',
    })
    const found = usable.find(({ ca }) =>
      bytesEqual(ca.der, (chain.path[1] as ParsedCertificate).der),
    )
    if (found === undefined)
      throw new BaridError(
        'ERR_CERT_UNTRUSTED',
        'certificate is not issued by a CA of its operator',
      )
    if (key !== undefined) this.#cache.set(key, this.#list.sequence, chain.path, found.i)
    return { operator, certificate: chain.leaf, ca: found.ca, caEntry: found.entry, cached: false }
  }

  /**
   * {@link PeerCertificateValidator} for discovery documents: a node certificate of `operator`
   * valid at `at`.
   */
  async validatePeerCertificate(
    certificate: Uint8Array | ParsedCertificate,
    options: { operator: string; at: UnixSeconds },
  ): Promise<ParsedCertificate> {
    return (
      await this.validatePeerChain(certificate, {
        operator: options.operator,
        at: options.at,
        role: 'node',
      })
    ).certificate
  }

  async #revocationStatus(
    cert: ParsedCertificate,
    operator: string,
    at: UnixSeconds,
  ): Promise<RevocationStatus> {
    const issuer = this.casOf(operator).find((ca) => issues(ca, cert))
    if (this.#revocation === undefined || issuer === undefined) return 'unknown'
    return askRevocation(this.#revocation, cert, {
      operator,
      issuer,
      at,
      endpoints: this.endpointsOf(operator),
    })
  }
}

// The listed CA whose key identifier the certificate names as its authority.
function issues(ca: ParsedCertificate, cert: ParsedCertificate): boolean {
  return (
    ca.subjectKeyId !== undefined &&
    cert.authorityKeyId !== undefined &&
    bytesEqual(ca.subjectKeyId, cert.authorityKeyId)
  )
}

function checkCaRetirement(entry: CaEntry, operator: string, at: UnixSeconds): void {
  if (entry.until !== undefined && at >= entry.until) {
    throw new BaridError(
      'ERR_OPERATOR_CA_RETIRED',
      'the operator CA was retired before that time',
      {
        details: { operator, until: entry.until },
      },
    )
  }
}
