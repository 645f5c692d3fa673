/**
 * @module trust/node-trust
 * The node's place in the federation of trust, wired once at start: its held trust list
 * (`held-list.ts`), the peer directory over it with key discovery and revocation lists
 * (`federation/peer-directory-trust.ts`), its operator's keys and certificates
 * (`keys/operator-credentials.ts`), and what it publishes for its peers: its key-discovery
 * document (spec 22) and its operator CA's revocation list (spec 21.6.2), which it keeps fresh
 * with `barid operator revoke` (a reissue when nothing is revoked).
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  DiscoveryClient,
  RevocationCache,
  createDiscoveryDocument,
  isBaridError,
  toBase64Url,
  verifyRevocationList,
  type TrustList,
} from '../core.js'
import type { NodeConfig, TrustConfig } from '../config/config.js'
import { createTrustDirectory, type TrustDirectory } from '../federation/peer-directory-trust.js'
import { loadOperatorCredentials, type OperatorCredentials } from '../keys/operator-credentials.js'
import type { Logger } from '../ops/logger.js'
import { barid } from './barid-cli.js'
import { openHeldTrust, type HeldTrust } from './held-list.js'
import {
  keepPeerRevocationList,
  loadPeerRevocationLists,
  peerRevocationDir,
} from './peer-revocations.js'
import { ensureTrustConfig, OPERATOR_FILES } from './local-federation.js'

/** Lifetime of the key-discovery document this node signs (spec 22.2 allows up to 7 days). */
const DISCOVERY_LIFETIME = 86_400
/** The document is signed again when older than this. */
const DISCOVERY_RESIGN_AFTER = 3600
/** A node certificate closer to its notAfter than this is reported at start (spec 21.4). */
const NODE_CERT_WARN_BEFORE = 30 * 86_400
/** The revocation list is reissued when its next-update is closer than this. */
const REVOCATION_RENEW_BEFORE = 3 * 86_400

/** The node's trust wiring. */
export interface NodeTrust {
  readonly config: TrustConfig
  readonly held: HeldTrust
  readonly directory: TrustDirectory
  readonly discovery: DiscoveryClient
  readonly revocation: RevocationCache
  readonly credentials: OperatorCredentials
  /** The signed key-discovery document (COSE_Sign1, spec 22.2). */
  discoveryDocument(): Promise<Uint8Array>
  /** The revocation list of this operator's CA with key id `kid` (base64url), if it is ours. */
  revocationList(kid: string): Promise<Uint8Array | undefined>
  /** Starts the periodic work: re-reading the list file, renewing the revocation list. */
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
  const credentials = await loadOperatorCredentials(config.operatorDir, { operator: self })
  const fetchLike = (url: string, init?: RequestInit) => o.fetch(url, init)
  const revocationDir = peerRevocationDir(config.dataDir)
  const revocation = new RevocationCache({
    fetch: fetchLike,
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
  if (!store.isActiveAt(self))
    o.log.warn('this node is not an active member of the federation', {
      operator: self,
      state: store.stateAt(self),
    })
  const certEnds = Math.floor(credentials.nodeCertificate.notAfter.getTime() / 1000)
  if (certEnds - seconds() < NODE_CERT_WARN_BEFORE)
    o.log.warn('the node certificate expires soon: renew it (spec 21.4)', {
      notAfter: new Date(certEnds * 1000).toISOString(),
    })
  const discovery = new DiscoveryClient({ trust: store, fetch: fetchLike, now: seconds })
  const directory = createTrustDirectory({
    self,
    store,
    discovery,
    own: { key: credentials.nodeKey, certificate: credentials.nodeCertificate },
  })
  held.onChange(() => directory.listChanged())

  const revocationFile = join(config.operatorDir, OPERATOR_FILES.revocations)
  const caKid = toBase64Url(credentials.ca.certificate.kid ?? new Uint8Array())
  let ownList: { bytes: Uint8Array; nextUpdate: number; version: string } | undefined
  const fileVersion = async () => {
    const s = await stat(revocationFile).catch(() => undefined)
    return s ? `${s.mtimeMs} ${s.size}` : ''
  }
  const readOwnList = async () => {
    const version = await fileVersion()
    const bytes = new Uint8Array(await readFile(revocationFile))
    const list = await verifyRevocationList(bytes, {
      operator: self,
      cas: [credentials.ca.certificate],
    })
    ownList = { bytes, nextUpdate: list.nextUpdate, version }
    // Our own certificates are checked like anyone's, from our own list: no fetch to ourselves.
    await revocation.install(bytes, { operator: self, cas: [credentials.ca.certificate] })
  }
  const renewOwnList = async () => {
    if (ownList === undefined) await readOwnList().catch(() => undefined)
    if (ownList !== undefined && ownList.nextUpdate - seconds() > REVOCATION_RENEW_BEFORE) return
    await barid(['operator', 'revoke', '--dir', config.operatorDir])
    await readOwnList()
    o.log.info('revocation list reissued', { nextUpdate: ownList!.nextUpdate })
  }
  await renewOwnList()

  let doc: { bytes: Uint8Array; issued: number } | undefined
  const discoveryDocument = async () => {
    const now = seconds()
    if (doc === undefined || now - doc.issued >= DISCOVERY_RESIGN_AFTER) {
      const cert = credentials.nodeCertificate
      const bytes = await createDiscoveryDocument(
        {
          operator: self,
          issued: now,
          expires: Math.min(now + DISCOVERY_LIFETIME, Math.floor(cert.notAfter.getTime() / 1000)),
          keys: [{ certificate: cert.der }],
        },
        { keyPair: credentials.nodeKey, certificate: cert.der },
      )
      doc = { bytes, issued: now }
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
    credentials,
    discoveryDocument,
    async revocationList(kid) {
      if (kid !== caKid) return undefined
      // `barid operator revoke` may have issued a new list since: serve it at once (spec 21.6.2).
      if (ownList === undefined || ownList.version !== (await fileVersion())) await readOwnList()
      return ownList?.bytes
    },
    start() {
      every(trustConfig.reloadIntervalMs, 'trust list reload', async () => {
        await held.reload()
        checkFreshness(store.list)
      })
      every(6 * 3600_000, 'revocation list renewal', renewOwnList)
    },
    stop() {
      for (const t of timers) clearInterval(t)
    },
  }
}
