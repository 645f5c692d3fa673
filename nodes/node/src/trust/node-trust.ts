/**
 * @module trust/node-trust
 * The node's place in the federation of trust, wired once at start: its held trust list
 * (`held-list.ts`), the peer directory over it with key discovery and revocation lists
 * (`federation/peer-directory-trust.ts`), its operator's keys and certificates
 * (`keys/node-key-ring.ts`), and what it publishes for its peers: its key-discovery document
 * (spec 22) and the revocation list of each of its operator CAs the trust list holds (spec
 * 21.6.2, `own-revocations.ts`), which it keeps fresh with `barid operator revoke` (a reissue
 * when nothing is revoked) while the CA is in service.
 *
 * Node keys rotate (and a key certified again takes its new certificate) without a restart
 * (spec 21.4): the operator directory is read again on {@link NodeTrust.reloadNodeKeys} (SIGHUP,
 * the admin API) and whenever its files change (checked every `trust.reloadIntervalMs`). Every
 * connection to a peer passes the address policy (`address-policy.ts`, spec 22.4).
 */
import { join } from 'node:path'
import {
  DiscoveryClient,
  RevocationCache,
  bytesEqual,
  createDiscoveryDocument,
  isBaridError,
  toBase64Url,
  toHex,
  type KeyPair,
  type ParsedCertificate,
  type TrustList,
} from '../core.js'
import type { NodeConfig, TrustConfig } from '../config/config.js'
import { createTrustDirectory, type TrustDirectory } from '../federation/peer-directory-trust.js'
import {
  certificateDaysLeft,
  loadNodeKeyRing,
  operatorDirVersion,
  type NodeKeyRing,
} from '../keys/node-key-ring.js'
import type { OperatorCredentials } from '../keys/operator-credentials.js'
import type { Logger } from '../ops/logger.js'
import { createAddressPolicy, guardFetch, type AddressPolicy } from './address-policy.js'
import { barid } from './barid-cli.js'
import { openHeldTrust, type HeldTrust } from './held-list.js'
import { ensureTrustConfig } from './local-federation.js'
import { openOwnRevocations, type OwnRevocationsRun } from './own-revocations.js'
import { membershipProblem, ownMembershipCheck, type OwnMembership } from './own-membership.js'
import { openPeerMemory, type PeerMemory } from './peer-memory.js'
import {
  keepPeerRevocationList,
  loadPeerRevocationLists,
  peerRevocationDir,
} from './peer-revocations.js'

/** Lifetime of the key-discovery document this node signs (spec 22.2 allows up to 7 days). */
const DISCOVERY_LIFETIME = 86_400
/** The document is signed again when older than this. */
const DISCOVERY_RESIGN_AFTER = 3600
/** A node certificate closer to its notAfter than this is warned about (spec 21.4). */
const NODE_CERT_WARN_DAYS = 30

/** The node's keys as the admin API and `/readyz` show them. */
export interface NodeKeysView {
  /** Key id (base64url) of the key that signs now. */
  signing: string
  /** Newest first: the current key, then the retired ones. */
  keys: {
    kid: string
    serial: string
    notAfter: string
    /** When it stops (stopped) signing; absent for the current key. */
    retired?: string
  }[]
  /** The current (newest) certificate: renew (rotate) before it expires (spec 21.4). */
  certificate: { notAfter: string; daysLeft: number; renewSoon: boolean }
}

/** The node's trust wiring. */
export interface NodeTrust {
  readonly config: TrustConfig
  readonly held: HeldTrust
  readonly directory: TrustDirectory
  readonly discovery: DiscoveryClient
  readonly revocation: RevocationCache
  /** The operator directory's credentials, with the key that signs now as `nodeKey`. */
  readonly credentials: OperatorCredentials
  /** The node's keys, current and retired. */
  readonly ring: NodeKeyRing
  /** Peers' keys as last seen and the operators exchanged with (spec 22.7, 20.6). */
  readonly memory: PeerMemory
  /** Checked before every connection to a peer (spec 22.4). */
  readonly addresses: AddressPolicy
  /** The key that signs now (spec 21.4: a retired key until its retirement time). */
  signingKey(): KeyPair
  /**
   * Reads the operator directory again and, if it changed (or `force`), puts its keys in use.
   * Throws, keeping the keys in use, when the directory is inconsistent (a rotation half-way).
   */
  reloadNodeKeys(o?: { force?: boolean }): Promise<{ changed: boolean; keys: NodeKeysView }>
  nodeKeys(): NodeKeysView
  /**
   * Whether the node can work in its federation now: its operator active under the held list and
   * its signing certificate chained to one of its operator's CAs there (spec 15.2, `/readyz`).
   */
  membership(): Promise<OwnMembership>
  /** The signed key-discovery document (COSE_Sign1, spec 22.2). */
  discoveryDocument(): Promise<Uint8Array>
  /**
   * The revocation list of this operator's CA with key id `kid` (base64url): the current CA, or a
   * previous one the trust list holds; for one it retired, the last list that CA issued.
   */
  revocationList(kid: string): Promise<Uint8Array | undefined>
  /** Reissues the revocation list of each CA in service that has none or is near next-update. */
  renewRevocationLists(): Promise<OwnRevocationsRun>
  /** Starts the periodic work: list file, operator directory, revocation lists, certificate. */
  start(): void
  stop(): void
}

/** Options of {@link openNodeTrust}. */
export interface OpenNodeTrustOptions {
  /** Milliseconds since the epoch. */
  now: () => number
  fetch: typeof fetch
  log: Logger
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z')

/**
 * Opens the node's trust: makes a development federation first if nothing is configured
 * (see `ensureTrustConfig`), then loads the operator directory and the held list.
 *
 * @example
 * ```ts
 * const trust = await openNodeTrust(config, { now: Date.now, fetch, log })
 * const peer = await trust.directory.getPeer('digitalpost.dk')
 * ```
 */
export async function openNodeTrust(
  config: NodeConfig,
  o: OpenNodeTrustOptions,
): Promise<NodeTrust> {
  const seconds = () => Math.floor(o.now() / 1000)
  const self = config.profile.operator
  const trustConfig = await ensureTrustConfig(config)
  const dir = config.operatorDir
  let ringVersion = await operatorDirVersion(dir)
  let ring = await loadNodeKeyRing(dir, { operator: self, now: seconds() })
  const addresses = createAddressPolicy({ allow: trustConfig.allowNonPublic, now: o.now })
  const peerFetch = guardFetch((url, init) => o.fetch(url, init), addresses)
  const revocationDir = peerRevocationDir(config.dataDir)
  const revocation = new RevocationCache({
    fetch: peerFetch,
    now: seconds,
    onFetched: (bytes, list, operator) =>
      keepPeerRevocationList(revocationDir, bytes, list, operator),
  })
  const held = await openHeldTrust({
    dataDir: config.dataDir,
    trust: trustConfig,
    now: o.now,
    revocation,
    log: o.log,
  })
  const store = held.store
  await loadPeerRevocationLists(revocationDir, revocation, store, o.log)
  const memory = await openPeerMemory({
    file: join(config.dataDir, 'trust', 'peers.json'),
    log: o.log,
  })
  const discovery = new DiscoveryClient({
    trust: store,
    fetch: peerFetch,
    now: seconds,
    maxAge: trustConfig.discoveryMaxAgeSeconds,
    cooldown: trustConfig.discoveryCooldownSeconds,
  })
  const directory = createTrustDirectory({ self, store, discovery, own: () => ring, memory })
  held.onChange(() => directory.listChanged())

  const nodeKeys = (): NodeKeysView => {
    const now = seconds()
    const current = ring.current.certificate
    const daysLeft = certificateDaysLeft(current, now)
    return {
      signing: ring.signingAt(now).keyPair.kidBase64Url,
      keys: ring.all().map((k) => ({
        kid: toBase64Url(k.certificate.kid ?? new Uint8Array()),
        serial: k.certificate.serialNumber,
        notAfter: k.certificate.notAfter.toISOString(),
        ...(k.retired === undefined ? {} : { retired: iso(k.retired) }),
      })),
      certificate: {
        notAfter: current.notAfter.toISOString(),
        daysLeft,
        renewSoon: daysLeft < NODE_CERT_WARN_DAYS,
      },
    }
  }
  // Spec 21.4: rotate yearly, at the latest 30 days before notAfter; say how long is left.
  const reportCertificate = () => {
    const c = nodeKeys().certificate
    if (c.renewSoon)
      o.log.warn(
        `the node certificate expires in ${c.daysLeft} days: renew it with barid operator rotate-node (spec 21.4)`,
        { notAfter: c.notAfter, daysLeft: c.daysLeft },
      )
    else
      o.log.info(`the node certificate is valid for ${c.daysLeft} more days`, {
        notAfter: c.notAfter,
        daysLeft: c.daysLeft,
      })
  }
  reportCertificate()

  const membership = ownMembershipCheck({
    operator: self,
    list: () => store.list,
    certificate: () => ring.signingAt(seconds()).certificate,
    now: seconds,
  })
  // Said once at start, and again whenever a new list or new keys change the answer: a node
  // that is not a member starts (its operator may be admitted later) but is not ready.
  let wasMember: boolean | undefined
  const reportMembership = async () => {
    const m = await membership()
    if (m.member === wasMember) return
    wasMember = m.member
    if (m.member)
      o.log.info(`operator ${m.operator} is an active member of federation ${m.federation}`, {
        operator: m.operator,
        federation: m.federation,
      })
    else
      o.log.error(membershipProblem(m), {
        operator: m.operator,
        federation: m.federation,
        code: m.code ?? null,
      })
  }
  await reportMembership()
  held.onChange(() => void reportMembership())

  let doc:
    | { bytes: Uint8Array; issued: number; expires: number; key: string; ring: NodeKeyRing }
    | undefined
  let reloading: Promise<unknown> = Promise.resolve()
  const reloadNodeKeys = (r: { force?: boolean } = {}) => {
    const run = reloading.then(async () => {
      const version = await operatorDirVersion(dir)
      if (r.force !== true && version === ringVersion) return { changed: false, keys: nodeKeys() }
      let next: NodeKeyRing
      try {
        next = await loadNodeKeyRing(dir, { operator: self, now: seconds() })
      } catch (e) {
        o.log.warn('the operator directory cannot be used as it is; keeping the keys in use', {
          code: isBaridError(e) ? e.code : 'ERR_INTERNAL',
          error: String(e).slice(0, 200),
        })
        throw e
      }
      // A key certified again (a renewed node certificate, or one under a new operator CA) keeps
      // its kid: the certificates themselves are compared, or the document would go on
      // presenting the old one until it is next signed.
      const was = ring.all()
      const changed =
        next.all().length !== was.length ||
        next.all().some((k, i) => {
          const old = was[i]!
          return k.retired !== old.retired || !bytesEqual(k.certificate.der, old.certificate.der)
        })
      ring = next
      ringVersion = version
      if (changed) {
        doc = undefined // publish the new keys and certificates at once (spec 21.4 step 2)
        const view = nodeKeys()
        o.log.info('node keys reloaded', {
          signing: view.signing,
          keys: view.keys
            .map((k) => (k.retired ? `${k.kid} (retired ${k.retired})` : k.kid))
            .join(', '),
        })
        reportCertificate()
        await reportMembership()
      }
      return { changed, keys: nodeKeys() }
    })
    reloading = run.catch(() => undefined)
    return run
  }

  // The trust list's entry for `ca` among this operator's CAs, if it holds it.
  const listedEntry = (ca: ParsedCertificate) => {
    const i = store
      .casOf(self)
      .findIndex((c) => c.kid !== undefined && ca.kid !== undefined && bytesEqual(c.kid, ca.kid))
    return i < 0 ? undefined : { until: store.operator(self)?.cas[i]?.until }
  }
  const own = openOwnRevocations({
    dir,
    operator: self,
    currentCa: () => ring.credentials.ca.certificate,
    listed: (ca) => listedEntry(ca) !== undefined,
    inService: (ca) => {
      const entry = listedEntry(ca)
      return entry !== undefined && (entry.until === undefined || seconds() < entry.until)
    },
    revocation,
    now: seconds,
    // With '=': a key id may begin with '-', which parseArgs would take for an option.
    issue: (kid) => barid(['operator', 'revoke', '--dir', dir, `--ca=${kid}`]),
    log: o.log,
  })
  // Peers cannot check our node certificate without the current CA's list: no start without it.
  await own.renew({ requireCurrent: true })

  const discoveryDocument = async () => {
    const now = seconds()
    const built = ring
    const signer = built.signingAt(now)
    const kid = signer.keyPair.kidBase64Url
    if (
      doc === undefined ||
      doc.key !== kid ||
      // Signed from keys replaced since (even while it was being signed, after `reloadNodeKeys`
      // reset it): it may present a certificate no longer in use.
      doc.ring !== built ||
      now - doc.issued >= DISCOVERY_RESIGN_AFTER ||
      now >= doc.expires
    ) {
      const cert = signer.certificate
      // Never valid past the signer's certificate, nor past the time the signer retires: from
      // then on its successor signs the document (spec 22.2: the signer is a current key).
      const expires = Math.min(
        now + DISCOVERY_LIFETIME,
        Math.floor(cert.notAfter.getTime() / 1000),
        signer.retired ?? Infinity,
      )
      const bytes = await createDiscoveryDocument(
        {
          operator: self,
          issued: now,
          expires,
          keys: built.all().map((k) => ({
            certificate: k.certificate.der,
            ...(k.retired === undefined ? {} : { retired: k.retired }),
          })),
        },
        { keyPair: signer.keyPair, certificate: cert.der },
      )
      doc = { bytes, issued: now, expires, key: kid, ring: built }
    }
    return doc.bytes
  }

  const timers: NodeJS.Timeout[] = []
  const every = (ms: number, what: string, f: () => Promise<unknown>) => {
    const t = setInterval(
      () =>
        void f().catch((e: unknown) =>
          o.log.error(`${what} failed`, {
            code: isBaridError(e) ? e.code : null,
            error: String(e).slice(0, 200),
          }),
        ),
      ms,
    )
    t.unref()
    timers.push(t)
  }
  const checkFreshness = (list: TrustList) => {
    const f = store.freshness()
    if (f.state !== 'fresh')
      o.log.warn(`trust list is ${f.state}`, {
        sequence: list.sequence,
        staleForSeconds: f.staleFor,
      })
  }
  return {
    config: trustConfig,
    held,
    directory,
    discovery,
    revocation,
    get credentials() {
      const signer = ring.signingAt(seconds())
      return { ...ring.credentials, nodeKey: signer.keyPair, nodeCertificate: signer.certificate }
    },
    get ring() {
      return ring
    },
    memory,
    addresses,
    signingKey: () => ring.signingAt(seconds()).keyPair,
    reloadNodeKeys,
    nodeKeys,
    membership,
    discoveryDocument,
    revocationList: (kid) => own.list(kid),
    renewRevocationLists: () => own.renew(),
    start() {
      // The failure of the last reload, logged once: a file that stays unreadable would
      // otherwise say so every cycle. Said again when it changes, and when the file is taken.
      let failing: string | undefined
      every(trustConfig.reloadIntervalMs, 'trust list reload', async () => {
        // A list file that cannot be read this cycle must not silence the freshness warning:
        // then nothing is about to make the held list fresh again. The failure is still logged.
        try {
          const r = await held.reload()
          if (failing !== undefined && r.offered) {
            o.log.info('trust list reload works again', { sequence: r.list.sequence })
            failing = undefined
          }
        } catch (e) {
          const code = isBaridError(e) ? e.code : null
          const error = String(e).slice(0, 200)
          if (`${code} ${error}` !== failing)
            o.log.error('trust list reload failed', { code, error })
          failing = `${code} ${error}`
        } finally {
          checkFreshness(store.list)
          // A status change or a CA retirement the held list announced may take effect now.
          await reportMembership()
        }
      })
      // A rotation (`barid operator rotate-node`) is picked up without a signal too.
      every(trustConfig.reloadIntervalMs, 'node key reload', () => reloadNodeKeys())
      every(6 * 3600_000, 'revocation list renewal', () => own.renew())
      every(6 * 3600_000, 'node certificate check', async () => reportCertificate())
    },
    stop() {
      for (const t of timers) clearInterval(t)
    },
  }
}
