/**
 * @module ops/backup
 * A consistent copy of a running node's data (spec 15.8): its database as of one instant
 * (`VACUUM INTO` on a read connection of its own, so the node keeps reading and writing), the
 * attachment blobs that copy names, and its key, trust and operator files. The copy is itself a
 * data directory: a node started on it is the node as of that instant. `backup.json`, written
 * last, marks it complete.
 */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { chmod, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { NodeConfig } from '../config/config.js'
import { BaridError } from '../core.js'
import { blobPathFor as blobPath, fsyncPath } from '../storage/blob-store.js'
import { LOCK_FILE, PID_FILE } from '../storage/data-dir-lock.js'

/** What `backup.json` says of a backup. */
export interface BackupManifest {
  v: 1
  operator: string
  /** When the database copy was taken (ms since the epoch). */
  takenAt: number
  database: { file: 'node.db'; bytes: number; sha256: string }
  /**
   * The node's transparency log in the copy: its size, and the last checkpoint it had signed
   * (what an operator who restores declares, spec 15.8).
   */
  log: { size: number; lastCheckpoint: { size: number; time: number } | null }
  /** Blobs the database names: copied, and removed by retention before they could be. */
  blobs: { copied: number; bytes: number; purgedSince: string[] }
  /** Other files of the data directory (keys, trust, operator, print jobs), relative paths. */
  files: string[]
}

/** Every file below `dir`, as paths relative to it; none if it does not exist. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return []
      throw e
    },
  )
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer)
  return h.digest('hex')
}

/** Copies `from` to `to` (made with its folders, mode 0600) and flushes it to disk. */
async function copyDurably(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true, mode: 0o700 })
  await copyFile(from, to)
  await fsyncPath(to)
}

const inside = (dir: string, path: string) => resolve(path).startsWith(resolve(dir) + sep)

/**
 * Backs up the node of `config` into `to`, a directory that must not exist or be empty.
 * `progress` hears of each step. Safe while the node runs.
 *
 * @example
 * ```ts
 * const m = await backupNode(config, '/var/backups/barid/2026-11-29', (s) => console.error(s))
 * ```
 */
export async function backupNode(
  config: NodeConfig,
  to: string,
  progress: (step: string) => void = () => undefined,
): Promise<BackupManifest> {
  const existing = await readdir(to).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return []
    throw e
  })
  if (existing.length > 0)
    throw new BaridError('ERR_INVALID_ARGUMENT', `backup: ${to} is not empty`)
  if (inside(config.dataDir, to) || resolve(to) === resolve(config.dataDir))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'backup: the target is inside the data directory')
  await stat(config.dbFile).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e
    throw new BaridError('ERR_INVALID_ARGUMENT', `backup: no node database at ${config.dbFile}`)
  })
  // The backup holds the private keys and the database: the node user's alone, as the data
  // directory is (spec 15.1), also when the operator made the empty target with another mode.
  await mkdir(to, { recursive: true, mode: 0o700 })
  await chmod(to, 0o700)

  // 1. The database as of one instant: one read transaction of its own connection. VACUUM INTO
  // fills an empty file as it finds it, so the file is made first, private (SQLite would make it
  // with the umask's mode, usually readable by all).
  const dbCopy = join(to, 'node.db')
  await writeFile(dbCopy, '', { mode: 0o600, flag: 'wx' })
  const source = new Database(config.dbFile, { readonly: true, fileMustExist: true })
  let blobs: { digest: string; size: number }[]
  let log: BackupManifest['log']
  const takenAt = Date.now()
  try {
    source.pragma('busy_timeout = 10000')
    source.prepare('vacuum into ?').run(dbCopy)
  } finally {
    source.close()
  }
  const copy = new Database(dbCopy, { readonly: true })
  try {
    blobs = copy.prepare('select digest, size from blobs order by digest').all() as typeof blobs
    const size = copy.prepare('select size from log_state where id = 1').pluck().get()
    const last = copy
      .prepare('select size, time from log_checkpoints order by size desc, time desc limit 1')
      .get() as { size: number; time: number } | undefined
    log = { size: typeof size === 'number' ? size : 0, lastCheckpoint: last ?? null }
  } finally {
    copy.close()
  }
  await fsyncPath(dbCopy)
  const dbBytes = (await stat(dbCopy)).size
  progress(`database copied (${dbBytes} bytes, ${blobs.length} blobs named)`)

  // 2. The blobs it names. A blob is immutable once stored; one missing now was removed by
  // retention since the copy was taken (its letter purged), which the manifest records.
  const purgedSince: string[] = []
  let copied = 0
  let blobBytes = 0
  for (const { digest, size } of blobs) {
    try {
      await copyDurably(blobPath(config.blobDir, digest), blobPath(join(to, 'blobs'), digest))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      purgedSince.push(digest)
      continue
    }
    copied++
    blobBytes += size
    if (copied % 1000 === 0) progress(`blobs: ${copied} of ${blobs.length}`)
  }
  progress(`blobs copied: ${copied} (${blobBytes} bytes), ${purgedSince.length} purged since`)

  // 3. Everything else of the data directory (keys, trust list, operator files, print jobs),
  // and the operator directory when it lives elsewhere: without its keys the copy is not the
  // same node. Left out: the live database files and the blob store, copied above, and the
  // running node's lock (with its journal) and PID (spec 15.7), which are not state. The lock
  // file is never opened: when a backup runs in the node's own process, closing any descriptor
  // of it would drop the node's lock.
  const skip = new Set(
    [
      config.dbFile,
      `${config.dbFile}-wal`,
      `${config.dbFile}-shm`,
      join(config.dataDir, LOCK_FILE),
      // The lock's open write transaction keeps a journal beside it: lock state, not node state.
      join(config.dataDir, `${LOCK_FILE}-journal`),
      join(config.dataDir, PID_FILE),
    ].map((f) => resolve(f)),
  )
  const files: string[] = []
  for (const rel of await filesBelow(config.dataDir)) {
    const abs = join(config.dataDir, rel)
    if (skip.has(resolve(abs)) || inside(config.blobDir, abs)) continue
    await copyDurably(abs, join(to, rel))
    files.push(rel)
  }
  if (!inside(config.dataDir, config.operatorDir)) {
    for (const rel of await filesBelow(config.operatorDir)) {
      await copyDurably(join(config.operatorDir, rel), join(to, 'operator', rel))
      files.push(join('operator', rel))
    }
  }
  progress(`files copied: ${files.length}`)

  const manifest: BackupManifest = {
    v: 1,
    operator: config.profile.operator,
    takenAt,
    database: { file: 'node.db', bytes: dbBytes, sha256: await sha256File(dbCopy) },
    log,
    blobs: { copied, bytes: blobBytes, purgedSince },
    files,
  }
  const manifestFile = join(to, 'backup.json')
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 })
  await fsyncPath(manifestFile)
  return manifest
}

/**
 * The manifest of the backup `dataDir` was restored from, if it is one (its `backup.json` is
 * still there), else undefined.
 */
export async function restoredFrom(dataDir: string): Promise<BackupManifest | undefined> {
  const text = await readFile(join(dataDir, 'backup.json'), 'utf8').catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined
      throw e
    },
  )
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as BackupManifest
  } catch {
    throw new BaridError('ERR_INVALID_ARGUMENT', `${join(dataDir, 'backup.json')} is not JSON`)
  }
}
