/**
 * @module storage/data-dir-lock
 * One node per data directory (spec 15.7): two nodes on one directory would share its database,
 * outbox and transparency log, deliver letters twice and fork the log. A node holds an exclusive
 * lock on `<dataDir>/node.lock` for as long as it runs. Node has no flock, so the lock is
 * SQLite's: the file is an (empty) SQLite database with a write transaction begun and never
 * ended, under `locking_mode = EXCLUSIVE`. SQLite takes it as a POSIX advisory lock, which the
 * operating system drops when the process ends however it ends (`kill -9`, a crash): no stale
 * lock can block the next start. Within one process (the tests' several nodes)
 * SQLite keeps the same exclusion between connections itself.
 *
 * The holder writes its PID to `<dataDir>/node.pid` once it holds the lock, for the refusal to
 * name and for operators (`kill -HUP $(cat <dataDir>/node.pid)`). Nothing may open `node.lock`
 * in the holder's process other than through this lock: closing any descriptor of a file drops
 * every POSIX lock the process holds on it (backup leaves the file out for that reason).
 */
import Database from 'better-sqlite3'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BaridError } from '../core.js'

/** The lock file in a data directory. */
export const LOCK_FILE = 'node.lock'
/** The holder's process id, as decimal text and a newline. */
export const PID_FILE = 'node.pid'

/** A held data directory lock. */
export interface DataDirLock {
  /** Gives the directory up (the node's last step when it stops); a second call does nothing. */
  release(): Promise<void>
}

/** The PID `node.pid` names if that process still runs, else undefined. */
async function holderPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, PID_FILE), 'utf8').catch(() => '')
  const pid = /^[1-9]\d{0,9}\n?$/.test(text) ? Number(text.trim()) : undefined
  if (pid === undefined) return undefined
  try {
    process.kill(pid, 0)
    return pid
  } catch (e) {
    // EPERM: it runs as another user, and runs.
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined
  }
}

/**
 * Takes the lock of `dataDir` (which must exist), or refuses at once with
 * `ERR_UNAVAILABLE` naming the directory and, if known, the holder's PID.
 *
 * @example
 * ```ts
 * const lock = await lockDataDir(config.dataDir)
 * try {
 *   // run the node
 * } finally {
 *   await lock.release()
 * }
 * ```
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  // timeout 0: a held lock is a refusal now, not a wait.
  const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('begin exclusive')
  } catch (e) {
    db.close()
    if ((e as { code?: unknown }).code !== 'SQLITE_BUSY') throw e
    const pid = await holderPid(dataDir)
    // Unavailable, not invalid: the directory is right, and free again once the other node stops.
    throw new BaridError(
      'ERR_UNAVAILABLE',
      `data directory ${dataDir} is in use by another node${pid ? ` (PID ${pid})` : ''}`,
    )
  }
  const pidFile = join(dataDir, PID_FILE)
  try {
    await writeFile(pidFile, `${process.pid}\n`)
  } catch (e) {
    db.close()
    throw e
  }
  let released = false
  return {
    async release() {
      if (released) return
      released = true
      // Removed while still held: after the lock goes, the file may be the next holder's.
      await rm(pidFile, { force: true })
      db.close()
    },
  }
}
