/**
 * @module storage/sqlite/db
 * Opens the SQLite database with the pragmas the node relies on and applies the committed
 * drizzle migrations, refusing a database that a newer version of the node has migrated.
 */
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BaridError } from '../../core.js'
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
  /** Told the tags of the migrations this open applied, when it applied any (an upgrade). */
  onMigrated?: (applied: string[]) => void
}

/** Where the committed migrations live (nodes/node/drizzle). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url))

/**
 * Refuses a database holding a migration dated after the newest of `folder`: a newer version of
 * the node migrated it (spec 15.7). drizzle's migrator would open it and apply nothing, and this
 * older code would then write rows without what the newer schema expects of them (a column it
 * does not know left at its default), which the newer version reads back as its own once the
 * operator upgrades again.
 */
/** The migrations this code knows, oldest first (drizzle-kit's journal). */
function journal(folder: string): { tag: string; when: number }[] {
  const { entries } = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[]
  }
  return entries
}

function refuseNewerSchema(client: Database.Database, file: string, folder: string): void {
  if (migrationsApplied(client) === 0) return
  const newest = client
    .prepare<[], number | bigint | null>('select max(created_at) from __drizzle_migrations')
    .pluck()
    .get()
  if (newest === undefined || newest === null) return
  const known = journal(folder).at(-1)
  if (known !== undefined && Number(newest) <= known.when) return
  throw new BaridError(
    'ERR_UNSUPPORTED_VERSION',
    `database ${file} was migrated by a newer version of the node (a migration of ` +
      `${new Date(Number(newest)).toISOString()}; this version knows up to ` +
      `${known?.tag ?? 'none'}): run that version or a later one, or restore the backup taken ` +
      'before the upgrade',
  )
}

/**
 * Opens (creating if needed) and migrates the database. Throws `ERR_UNSUPPORTED_VERSION`, with
 * the database closed and unchanged, when a newer version of the node has migrated it.
 *
 * @example
 * ```ts
 * const db = openDb({ file: ':memory:' })
 * ```
 */
export function openDb(opts: OpenDbOptions): Db {
  const client = new Database(opts.file)
  try {
    refuseNewerSchema(client, opts.file, MIGRATIONS_FOLDER)
  } catch (e) {
    client.close()
    throw e
  }
  client.pragma('journal_mode = WAL')
  client.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  client.pragma('foreign_keys = ON')
  client.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`)
  // Page cache of 64 MiB (the default is 2 MiB): the indexes of a busy node stay in memory.
  client.pragma('cache_size = -65536')
  client.pragma('temp_store = MEMORY')
  const db = drizzle({ client, schema }) as Db
  const before = migrationsApplied(client)
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  const after = migrationsApplied(client)
  if (after > before && opts.onMigrated) {
    opts.onMigrated(journal(MIGRATIONS_FOLDER).slice(before, after).map((e) => e.tag))
  }
  return db
}

/** How many migrations the database records as applied (0 for a new one). */
function migrationsApplied(client: Database.Database): number {
  const table = client
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get()
  if (!table) return 0
  return Number(client.prepare('select count(*) from __drizzle_migrations').pluck().get())
}
