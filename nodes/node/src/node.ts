/**
 * @module node
 * Starting and stopping a node: data directory (held by this node alone while it runs), keys
 * and database on first start, the HTTP server, WebSocket push, the delivery engine, the batch
 * worker, housekeeping and key certificate renewal; and a graceful stop that refuses new work,
 * lets in-flight requests and deliveries finish, then closes the database and gives the data
 * directory up.
 */
import { mkdir } from 'node:fs/promises'
import type { Server } from 'node:http'
import { join } from 'node:path'
import type { WebSocketServer } from 'ws'
import { createNodeApp } from './app.js'
import { citizenKeySet } from './citizen/auth.js'
import { createDevIdp, type DevIdp } from './citizen/dev-idp.js'
import { attachPushSocket } from './citizen/push-socket.js'
import { withBoundPort, type NodeConfig } from './config/config.js'
import { loadOrCreateNodeKeys, loadOrCreateSigningKey } from './config/node-keys.js'
import { createDeliveryEngine, type DeliveryEngine } from './delivery/engine.js'
import { createCoreEvidence } from './evidence/core-evidence.js'
import { httpUpload, type StreamUpload } from './federation/http-upload.js'
import type { PeerDirectory } from './federation/peer-directory.js'
import { createReplayCache } from './federation/replay-cache.js'
import { createX509Certifier } from './keys/key-certificate.js'
import { createRenewalWorker, type RenewalWorker } from './keys/renewal-worker.js'
import { createCoreLetterInspector } from './letters/core-letters.js'
import { bindListener, type Listener } from './http/listener.js'
import { createRetentionWorker, type RetentionWorker } from './mailbox/retention-worker.js'
import { createLogger, type Logger } from './ops/logger.js'
import { keepPrivate } from './storage/private-dir.js'
import { createNodeMetrics } from './ops/metrics.js'
import { restoredFrom } from './ops/backup.js'
import { createPushHub } from './push/push-hub.js'
import {
  REGISTERED_NOT_STARTED,
  startRegisteredMail,
  type StartRegisteredOptions,
} from './registered/registered-mail.js'
import { createBatchWorker, type BatchWorker } from './sender/batch-worker.js'
import type { NodeServices } from './services.js'
import { createDiskBlobStore } from './storage/blob-store.js'
import { lockDataDir, type DataDirLock } from './storage/data-dir-lock.js'
import { createSqliteStorage } from './storage/sqlite-storage.js'
import { nodeClock } from './test-control/clock.js'
import { openNodeTrust } from './trust/node-trust.js'

export interface StartNodeOptions {
  /** Peers; default: the federation trust list with key discovery (spec 20-22). */
  directory?: PeerDirectory
  log?: Logger
  now?: () => number
  fetch?: typeof fetch
  /** Streamed uploads; default node:http(s). With only `fetch` given, uploads use it too. */
  upload?: StreamUpload
  random?: () => number
  /** Registered mail: extra notification channels; `timers: false` for tests that drive it. */
  registered?: StartRegisteredOptions
  /** Do not listen on a port (in-process tests use `app.request`). */
  listen?: boolean
}

/** A running node. */
export interface RunningNode {
  readonly config: NodeConfig
  readonly services: NodeServices
  readonly app: ReturnType<typeof createNodeApp>
  readonly engine: DeliveryEngine
  readonly batches: BatchWorker
  /** Mailbox retention (spec 15.4). */
  readonly retention: RetentionWorker
  /** Renewal of mailbox key certificates (spec 13.4). */
  readonly renewal: RenewalWorker
  readonly devIdp: DevIdp | undefined
  /** Its public URL (with port 0 and none configured: on the port bound). */
  readonly url: string
  /** The address and port it listens on; undefined with `listen: false`. */
  readonly listening: { readonly address: string; readonly port: number } | undefined
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

const RESTORED_WARNING =
  'this data directory is a restored backup: what the node accepted after it is lost, and its ' +
  'transparency log is behind what it published (witnesses will prove a fork); declare the ' +
  'restore, install the log reset the governance signs (spec 15.8, 16.12), then remove backup.json'

/**
 * Starts a node. Unless `listen` is false, it binds its port first: with port 0 the system
 * chooses one, and a public URL derived from the listen address names it.
 *
 * @example
 * ```ts
 * await using node = await startNode(await loadConfig({ profile: 'nodes/denmark' }))
 * console.log(node.url)
 * ```
 */
export async function startNode(
  config: NodeConfig,
  opts: StartNodeOptions = {},
): Promise<RunningNode> {
  // The port first: a taken port is reported before the data directory is touched.
  const listener = opts.listen === false ? undefined : await bindListener(config.host, config.port)
  try {
    const bound = listener ? withBoundPort(config, listener.port) : config
    await mkdir(bound.dataDir, { recursive: true, mode: 0o700 })
    // One node per data directory (spec 15.7), from before anything in it is read or written (a
    // first start makes keys and a federation there) until the node has stopped.
    const lock = await lockDataDir(bound.dataDir)
    // What the start opens, newest last; if a step fails, all of it is closed, newest first, so
    // that a process embedding the node can start it again on the same directory.
    const opened: Opened = [() => lock.release()]
    try {
      return await startOn(bound, opts, listener, lock, opened)
    } catch (e) {
      await closeAll(opened)
      throw e
    }
  } catch (e) {
    // A start that fails gives the port and the directory back, so that an embedding process
    // can try again.
    await listener?.close()
    throw e
  }
}

/** Closers of what a start opened so far, in the order it opened them. */
type Opened = (() => unknown)[]

/** Closes everything in `opened`, newest first, each whatever the others do. */
async function closeAll(opened: Opened): Promise<void> {
  for (const close of [...opened].reverse()) {
    try {
      await close()
    } catch {
      // The failure that ended the start is the one reported; the rest is closed regardless.
    }
  }
}

async function startOn(
  config: NodeConfig,
  opts: StartNodeOptions,
  listener: Listener | undefined,
  lock: DataDirLock,
  opened: Opened,
): Promise<RunningNode> {
  const now = opts.now ?? nodeClock(config)
  const log = (opts.log ?? createLogger({ level: config.logLevel })).child({
    node: config.profile.operator,
  })
  await keepPrivate(config.dataDir, log)
  // Read before anything starts: a malformed manifest stops the start here.
  const restored = await restoredFrom(config.dataDir)
  // The trust list, the operator's keys and certificates (a development federation on a first
  // start with nothing configured), before anything else: a node outside a federation is useless.
  const trust = await openNodeTrust(config, { now, fetch: opts.fetch ?? fetch, log })
  opened.push(() => trust.memory.flush())
  // The key in force at each read: a rotation takes effect without a restart (spec 21.4).
  const keys = await loadOrCreateNodeKeys(config.dataDir, { signingKey: trust.signingKey })
  const storage = createSqliteStorage({
    file: config.dbFile,
    synchronous: config.synchronous,
    onMigrated: (applied) =>
      log.info('database migrated', { count: applied.length, applied: applied.join(' ') }),
  })
  opened.push(() => storage.close())
  const directory = opts.directory ?? trust.directory
  const svc: NodeServices = {
    config,
    storage,
    blobs: createDiskBlobStore(config.blobDir),
    keys,
    directory,
    trust,
    letters: createCoreLetterInspector({ now, maxBytes: config.limits.maxLetterBytes }),
    evidence: createCoreEvidence({
      operator: config.profile.operator,
      get key() {
        return keys.evidence
      },
    }),
    // The CA of the operator directory as last (re)loaded: renewals use the current one.
    certifier: createX509Certifier({
      get ca() {
        return trust.ring.credentials.ca
      },
    }),
    replay: createReplayCache({
      windowSeconds: config.signatureWindowSeconds,
      now: () => now() / 1000,
    }),
    push: createPushHub(),
    metrics: createNodeMetrics(
      () => storage.queueDepth(),
      async () => (await directory.peers()).map((p) => p.operator),
    ),
    log,
    outbox: { wake() {}, heardFrom() {} },
    registered: REGISTERED_NOT_STARTED,
    now,
    fetch: opts.fetch ?? fetch,
    upload:
      opts.upload ??
      (opts.fetch
        ? (url, init) => opts.fetch!(url, { ...init, duplex: 'half' } as RequestInit)
        : httpUpload),
  }
  const engine = createDeliveryEngine(svc, { random: opts.random })
  svc.outbox = engine
  svc.registered = await startRegisteredMail(svc, opts.registered)
  opened.push(() => svc.registered.stop())
  const batches = createBatchWorker(svc)
  const retention = createRetentionWorker(svc)
  const renewal = createRenewalWorker(svc)
  let devIdp: DevIdp | undefined
  if (config.devIdentityProvider) {
    devIdp = createDevIdp({
      issuer: config.citizenAuth.issuer,
      audience: config.citizenAuth.audience,
      claim: config.citizenAuth.identifierClaim,
      key: await loadOrCreateSigningKey(join(config.dataDir, 'keys', 'dev-idp.json')),
      now,
    })
  }
  const citizenKeys = citizenKeySet(svc, devIdp?.keySet)
  let draining = false
  const app = createNodeApp(svc, { batches, citizenKeys, devIdp, isDraining: () => draining })

  const server = listener?.server
  let wss: WebSocketServer | undefined
  if (listener) {
    listener.serve(app.fetch)
    wss = attachPushSocket(svc, listener.server as Server, citizenKeys)
    opened.push(() => wss?.close())
  }
  engine.start()
  opened.push(() => engine.stop())
  trust.start()
  opened.push(() => trust.stop())
  batches.start()
  opened.push(() => batches.stop())
  retention.start()
  opened.push(() => retention.stop())
  renewal.start()
  opened.push(() => renewal.stop())
  const housekeeping = setInterval(
    () =>
      void purge(svc).catch((e) =>
        log.error('housekeeping failed', { error: String(e).slice(0, 200) }),
      ),
    config.housekeepingIntervalMs,
  )
  housekeeping.unref()
  opened.push(() => clearInterval(housekeeping))
  if (restored) {
    // Spec 15.8: said at every start until the operator, having declared the restore, removes
    // backup.json from the data directory.
    log.warn(RESTORED_WARNING, {
      takenAt: new Date(restored.takenAt).toISOString(),
      logSize: restored.log?.size ?? null,
      lastCheckpointSize: restored.log?.lastCheckpoint?.size ?? null,
    })
  }
  log.info('node started', {
    // What it listens on (the port bound, for port 0), and how peers and clients reach it.
    ...(listener ? { address: listener.address, port: listener.port } : {}),
    url: config.publicUrl,
    operator: config.profile.operator,
    requestKid: keys.request.kidBase64Url,
  })

  let stopped: Promise<void> | undefined
  const stop = () =>
    (stopped ??= (async () => {
      draining = true
      log.info('node stopping: draining')
      clearInterval(housekeeping)
      trust.stop()
      const closed = server ? new Promise<void>((r) => server!.close(() => r())) : Promise.resolve()
      ;(server as Server | undefined)?.closeIdleConnections?.()
      for (const c of wss?.clients ?? []) c.close(1001, 'node shutting down')
      wss?.close()
      await Promise.all([
        batches.stop(),
        engine.stop(),
        svc.registered.stop(),
        retention.stop(),
        renewal.stop(),
      ])
      // Requests still running get a bounded time to finish.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000).unref())])
      ;(server as Server | undefined)?.closeAllConnections?.()
      await trust.memory.flush()
      await storage.close()
      await lock.release()
      log.info('node stopped')
    })())
  return {
    config,
    services: svc,
    app,
    engine,
    batches,
    retention,
    renewal,
    devIdp,
    url: config.publicUrl,
    listening: listener ? { address: listener.address, port: listener.port } : undefined,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

/** Retention housekeeping (spec 15.4). */
export async function purge(svc: NodeServices): Promise<void> {
  const now = svc.now()
  const day = 24 * 3600_000
  const r = svc.config.profile.retention
  const res = await svc.storage.purge({
    deletedBefore: now - r.deletedDays * day,
    idempotencyBefore: now - r.idempotencyDays * day,
    outboxBefore: now - r.idempotencyDays * day,
    blobsBefore: now - day,
  })
  for (const digest of res.blobs) await svc.blobs.delete(digest)
  if (res.letters > 0 || res.blobs.length > 0)
    svc.log.info('housekeeping', { lettersPurged: res.letters, blobsPurged: res.blobs.length })
}
