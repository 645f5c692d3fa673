import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS_FOLDER, openDb } from './db.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-db-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The migrations as they were before `tag`: a copy of the folder with its journal cut there. */
async function migrationsBefore(tag: string): Promise<string> {
  const folder = join(dir, `before-${tag}`)
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true })
  const file = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(await readFile(file, 'utf8')) as { entries: { tag: string }[] }
  const cut = journal.entries.findIndex((e) => e.tag === tag)
  expect(cut).toBeGreaterThan(0)
  journal.entries = journal.entries.slice(0, cut)
  await writeFile(file, JSON.stringify(journal))
  return folder
}

const indexes = (c: Database.Database) =>
  c.prepare("select name from sqlite_master where type = 'index'").pluck().all() as string[]

const plan = (c: Database.Database, query: string) =>
  (c.prepare(`explain query plan ${query}`).all() as { detail: string }[])
    .map((r) => r.detail)
    .join('; ')

describe('the SQLite database (storage/sqlite/db.ts)', () => {
  it('migrates a database whose listing and retention indexes the node made at open time', async () => {
    const file = join(dir, 'old.db')
    const old = new Database(file)
    migrate(drizzle({ client: old }), {
      migrationsFolder: await migrationsBefore('0003_indexes_for_listing_and_retention'),
    })
    // What the node ran on every open before these indexes were a migration.
    old.exec(`CREATE INDEX IF NOT EXISTS deliveries_unread ON deliveries (mailbox_id, id)
                WHERE opened_at IS NULL AND deleted_at IS NULL`)
    old.exec('CREATE INDEX IF NOT EXISTS evidence_retention ON evidence (issued_at, letter_id)')
    old.close()

    const db = openDb({ file })
    expect(indexes(db.$client)).toEqual(
      expect.arrayContaining(['deliveries_unread', 'evidence_retention']),
    )
    const applied = db.$client.prepare('select count(*) from __drizzle_migrations').pluck().get()
    const journal = JSON.parse(
      await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
    ) as { entries: unknown[] }
    expect(applied).toBe(journal.entries.length)
    db.$client.close()
  })

  it('plans the unread listing and evidence retention on their indexes in a new database', () => {
    const db = openDb({ file: join(dir, 'new.db') })
    expect(
      plan(
        db.$client,
        `select id from deliveries where mailbox_id = 1 and deleted_at is null
           and opened_at is null order by id desc limit 20`,
      ),
    ).toContain('deliveries_unread')
    expect(
      plan(
        db.$client,
        `select issued_at, letter_id from evidence where issued_at < 5
           order by issued_at, letter_id limit 9`,
      ),
    ).toContain('evidence_retention')
    db.$client.close()
  })
})
