/**
 * @module storage/sqlite/db
 * Opens the SQLite database with the pragmas the node relies on and applies the committed
 * drizzle migrations.
 */
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { fileURLToPath } from 'node:url'
import * as schema from '../schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export interface OpenDbOptions {
  /** Path of the database file, or `:memory:`. */
  file: string
  /**
   * `full` (default) fsyncs the WAL on every commit: an acknowledged write survives power loss.
   * `normal` survives a killed process but not a power cut (SQLite WAL documentation).
   */
  synchronous?: 'full' | 'normal'
  /** Milliseconds to wait on a locked database before failing. */
  busyTimeoutMs?: number
}

/** Where the committed migrations live (nodes/node/drizzle). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url))

/**
 * Opens (creating if needed) and migrates the database.
 *
 * @example
 * ```ts
 * const db = openDb({ file: ':memory:' })
 * ```
 */
export function openDb(opts: OpenDbOptions): Db {
  const client = new Database(opts.file)
  client.pragma('journal_mode = WAL')
  client.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  client.pragma('foreign_keys = ON')
  client.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`)
  // Page cache of 64 MiB (the default is 2 MiB): the indexes of a busy node stay in memory.
  client.pragma('cache_size = -65536')
  client.pragma('temp_store = MEMORY')
  const db = drizzle({ client, schema }) as Db
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  return db
}
