/**
 * @module storage/sqlite-storage
 * The reference {@link Storage}: one SQLite file (WAL, foreign keys on, busy timeout) through
 * drizzle-orm on better-sqlite3. better-sqlite3 is synchronous; each method runs its statements
 * in one transaction and resolves once they are committed.
 */
import type { Storage } from './storage.js'
import { openDb, type OpenDbOptions } from './sqlite/db.js'
import { sqliteDirectory } from './sqlite/directory.js'
import { sqliteEvidenceRetention } from './sqlite/evidence-retention.js'
import { directoryCache } from './sqlite/directory-cache.js'
import { sqliteLetters } from './sqlite/letters.js'
import { sqliteBatches, sqliteIdempotency, sqliteRetention } from './sqlite/misc.js'
import { sqliteOutbox } from './sqlite/outbox.js'
import { sqlitePaper } from './sqlite/paper.js'
import { sqliteRegistered } from './sqlite/registered.js'
import { sqliteMailboxRetention } from './sqlite/retention.js'
import { sqliteTransparency } from './sqlite/transparency.js'

/**
 * Opens (creating and migrating if needed) the SQLite storage.
 *
 * @example
 * ```ts
 * await using storage = createSqliteStorage({ file: '/var/lib/barid/node.db' })
 * console.log(await storage.ping())
 * ```
 */
export function createSqliteStorage(opts: OpenDbOptions): Storage {
  const db = openDb(opts)
  // Another connection's commit (an operator's script on this file) changes `data_version`.
  const dataVersion = db.$client.prepare<[], number>('PRAGMA data_version').pluck()
  const directory = directoryCache({ max: 10_000, version: () => dataVersion.get()! })
  let open = true
  const close = async (): Promise<void> => {
    if (!open) return
    open = false
    db.$client.close()
  }
  return {
    ...sqliteDirectory(db, directory),
    ...sqliteLetters(db),
    ...sqliteOutbox(db),
    ...sqliteIdempotency(db),
    ...sqliteBatches(db),
    ...sqliteRetention(db),
    ...sqliteMailboxRetention(db),
    ...sqliteEvidenceRetention(db),
    ...sqliteTransparency(db),
    ...sqliteRegistered(db),
    ...sqlitePaper(db, directory),
    async ping() {
      if (!open) return false
      try {
        db.$client.prepare('select 1').get()
        return true
      } catch {
        return false
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  }
}
