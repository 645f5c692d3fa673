/**
 * @module trust/held-list
 * The trust list a node holds (spec 20.5, 20.7). At start the node verifies the list it held
 * before (persisted in `<dataDir>/trust/`), then offers it the configured list file: a newer list
 * replaces it, the same list changes nothing, and an older one is refused
 * (`ERR_TRUST_LIST_ROLLBACK`) while the held list stays in force. So a node never goes back to an
 * older list, not even across a restart with an old file put back. Later lists arrive by the
 * admin API or by a change of the file, checked every `reloadIntervalMs`.
 *
 * The held list is written atomically (temporary file, fsync, rename, directory fsync), and
 * before the keys that authorise its successor (`anchors.json`), so that whatever a crash
 * leaves verifies at the next start.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  BaridError,
  authorisedSigners,
  importPublicJwk,
  isBaridError,
  verifyTrustList,
  type PublicKeyHandle,
  TrustStore,
  type RevocationCache,
  type TrustList,
} from '../core.js'
import type { TrustConfig } from '../config/config.js'
import { readConfiguredFile } from '../config/configured-file.js'
import type { Logger } from '../ops/logger.js'

/** The node's held trust list and how it changes. */
export interface HeldTrust {
  readonly store: TrustStore
  /** The governance keys configured as trust anchors. */
  readonly governanceKeys: readonly PublicKeyHandle[]
  /**
   * Verifies `bytes` against the held list and adopts it if newer (persisted before this
   * resolves). Throws the trust list codes; the held list then stays.
   */
  update(bytes: Uint8Array): Promise<{ changed: boolean; list: TrustList }>
  /**
   * Offers the configured list file again if it changed since last read (`offered`: it was read
   * and the held list took it or already held it). Throws when the file cannot be read, or the
   * list in it is refused.
   */
  reload(): Promise<{ changed: boolean; list: TrustList; offered: boolean }>
  /** Called after every change of the held list. */
  onChange(listener: (list: TrustList) => void): void
}

/** Options of {@link openHeldTrust}. */
export interface OpenHeldTrustOptions {
  dataDir: string
  trust: Pick<
    TrustConfig,
    'listFile' | 'governanceKeyFiles' | 'maxStalenessSeconds' | 'reloadIntervalMs'
  >
  /** Milliseconds since the epoch. */
  now: () => number
  revocation?: RevocationCache
  log: Logger
}

const LIST_FILE = 'trust-list.cose'
const ANCHORS_FILE = 'anchors.json'

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}

/** Writes `data` to `path` atomically and durably. */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const f = await open(tmp, 'wx', 0o644)
  try {
    await f.writeFile(data)
    await f.sync()
  } finally {
    await f.close()
  }
  await rename(tmp, path)
  const d = await open(dirname(path), 'r')
  try {
    await d.sync()
  } finally {
    await d.close()
  }
}

async function readKeys(files: readonly string[]): Promise<PublicKeyHandle[]> {
  return Promise.all(
    files.map(async (f) => {
      // A missing or unreadable file is said as such, not as a file that holds no key.
      const bytes = await readConfiguredFile(f, 'trust.governanceKeyFiles')
      try {
        return await importPublicJwk(JSON.parse(new TextDecoder().decode(bytes)) as unknown, {
          use: 'sign',
        })
      } catch (cause) {
        throw new BaridError(
          'ERR_INVALID_ARGUMENT',
          `config: governance key ${f} is not a public signing key (JWK)`,
          { cause },
        )
      }
    }),
  )
}

/**
 * Opens the held trust list: the persisted one (if any), updated from the configured file.
 * Throws when there is neither, or when the persisted list no longer verifies.
 *
 * @example
 * ```ts
 * const held = await openHeldTrust({ dataDir, trust: config.trust, now: Date.now, revocation, log })
 * held.store.assertActive('digitalpost.dk')
 * ```
 */
export async function openHeldTrust(o: OpenHeldTrustOptions): Promise<HeldTrust> {
  const dir = join(o.dataDir, 'trust')
  const seconds = () => Math.floor(o.now() / 1000)
  const configured = await readKeys(o.trust.governanceKeyFiles)
  if (configured.length === 0)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'config: no governance keys (trust anchors)')
  const heldBytes = await readIfExists(join(dir, LIST_FILE))
  const anchorsBytes = await readIfExists(join(dir, ANCHORS_FILE))
  const anchors = anchorsBytes
    ? await Promise.all(
        (JSON.parse(new TextDecoder().decode(anchorsBytes)) as unknown[]).map((j) =>
          importPublicJwk(j, { use: 'sign' }),
        ),
      )
    : []
  const persist = async (list: TrustList) => {
    await writeAtomic(join(dir, LIST_FILE), list.bytes)
    await writeAtomic(
      join(dir, ANCHORS_FILE),
      `${JSON.stringify(authorisedSigners(list).map((k) => k.publicJwk))}\n`,
    )
  }
  let fileSeen: string | undefined
  let missingSaid = false
  // Stat before reading: a change after the stat is then seen at the next reload.
  const readFileList = async (file: string): Promise<Uint8Array> => {
    const s = await stat(file).catch(() => undefined)
    // A configured file that is not there is refused (a typo would otherwise be watched forever).
    const bytes = await readConfiguredFile(file, 'trust.listFile')
    fileSeen = s ? `${s.mtimeMs} ${s.size}` : undefined
    return bytes
  }

  let initial: TrustList
  const fromFile =
    o.trust.listFile === undefined ? undefined : await readFileList(o.trust.listFile)
  if (heldBytes) {
    try {
      initial = await verifyTrustList(heldBytes, {
        governanceKeys: [...anchors, ...configured],
        now: seconds(),
      })
    } catch (cause) {
      throw new BaridError(
        isBaridError(cause) ? cause.code : 'ERR_TRUST_LIST_MALFORMED',
        `the held trust list in ${dir} does not verify; remove it to start again from the configured list`,
        { cause },
      )
    }
  } else if (fromFile) {
    initial = await verifyTrustList(fromFile, { governanceKeys: configured, now: seconds() })
    await persist(initial)
  } else {
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      'config: no trust list (set trust.listFile to the federation trust-list.cose)',
    )
  }
  const store = await TrustStore.open(initial, {
    now: seconds,
    maxStaleness: o.trust.maxStalenessSeconds,
    ...(o.revocation ? { revocation: o.revocation } : {}),
    governanceKeys: configured,
  })
  const listeners: ((list: TrustList) => void)[] = []
  // One update at a time: two concurrent offers must not race on the persisted file.
  let queue: Promise<unknown> = Promise.resolve()
  const update = (bytes: Uint8Array) => {
    const run = queue.then(async () => {
      const r = await store.update(bytes)
      if (r.changed) {
        await persist(r.list)
        o.log.info('trust list updated', { sequence: r.list.sequence })
        for (const l of listeners) l(r.list)
      }
      return r
    })
    queue = run.catch(() => undefined)
    return run
  }
  const held: HeldTrust = {
    store,
    governanceKeys: configured,
    update,
    async reload() {
      const file = o.trust.listFile
      if (file === undefined) return { changed: false, list: store.list, offered: false }
      const s = await stat(file).catch(() => undefined)
      if (!s) {
        // Replaced by a rename, it is back at the next check; gone for good, it is said once.
        if (!missingSaid)
          o.log.warn('configured trust list file is missing; keeping the held list', { file })
        missingSaid = true
        return { changed: false, list: store.list, offered: false }
      }
      missingSaid = false
      if (`${s.mtimeMs} ${s.size}` === fileSeen)
        return { changed: false, list: store.list, offered: false }
      return { ...(await update(await readFileList(file))), offered: true }
    },
    onChange(listener) {
      listeners.push(listener)
    },
  }
  if (heldBytes && fromFile) {
    try {
      await update(fromFile)
    } catch (e) {
      // The held list stays in force: an older or conflicting file never replaces it.
      o.log.error('configured trust list refused; keeping the held list', {
        code: isBaridError(e) ? e.code : 'ERR_INTERNAL',
        held: store.list.sequence,
      })
    }
  }
  return held
}
