import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeyMatches, newApiKey, parseApiKey } from '../../sender/api-keys.js'
import { createSqliteStorage } from '../sqlite-storage.js'
import { MIGRATIONS_FOLDER, openDb } from './db.js'
import { keysIssuedElsewhere } from './directory.js'
import { OVERDUE_ITEMS } from './outbox.js'

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

/**
 * The migrations of a later version of the node: a copy of the folder with one more migration
 * (a column added), dated after every migration of this version.
 */
async function migrationsOfNewerNode(into: string): Promise<string> {
  const folder = join(into, 'newer-migrations')
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true })
  const file = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(await readFile(file, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[]
  }
  const last = journal.entries.at(-1)!
  const tag = `${String(last.idx + 1).padStart(4, '0')}_from_the_future`
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 86_400_000, tag })
  await writeFile(file, JSON.stringify(journal))
  await writeFile(join(folder, `${tag}.sql`), 'ALTER TABLE `letters` ADD `future` text;')
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

  it('refuses a database a newer version of the node has migrated, and leaves it as it was', async () => {
    const file = join(dir, 'newer.db')
    const newer = new Database(file)
    migrate(drizzle({ client: newer }), { migrationsFolder: await migrationsOfNewerNode(dir) })
    const applied = () =>
      newer.prepare('select hash, created_at from __drizzle_migrations order by id').all()
    const before = applied()
    newer.close()

    let refused: unknown
    try {
      openDb({ file }).$client.close()
    } catch (e) {
      refused = e
    }
    expect(refused).toMatchObject({ code: 'ERR_UNSUPPORTED_VERSION' })
    expect(String((refused as Error).message)).toMatch(
      /newer\.db was migrated by a newer version of the node .*restore the backup taken before/,
    )
    const again = new Database(file)
    expect(again.prepare('select hash, created_at from __drizzle_migrations order by id').all())
      .toEqual(before)
    again.close()
  })

  it('tells which migrations an upgrade applied, and says nothing when there were none', async () => {
    const file = join(dir, 'upgraded.db')
    const older = new Database(file)
    migrate(drizzle({ client: older }), {
      migrationsFolder: await migrationsBefore('0009_letter_lang'),
    })
    older.close()
    const told: string[][] = []
    openDb({ file, onMigrated: (a) => told.push(a) }).$client.close()
    const journal = JSON.parse(
      await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
    ) as { entries: { tag: string }[] }
    const from = journal.entries.findIndex((e) => e.tag === '0009_letter_lang')
    expect(told).toEqual([journal.entries.slice(from).map((e) => e.tag)])
    openDb({ file, onMigrated: (a) => told.push(a) }).$client.close()
    expect(told).toHaveLength(1)
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

  it('finds the overdue items of a held peer on their own index, however long its queue', () => {
    const db = openDb({ file: join(dir, 'overdue.db') })
    const c = db.$client
    const insert = c.prepare(
      `insert into outbox (peer, kind, letter_id, recipient, deliver_before, next_attempt_at,
         state, created_at) values (?, 'letter', ?, 'r@digitalpost.dk', ?, 0, ?, 0)`,
    )
    // A long queue for one peer, most of it not overdue, and done items that must not be found.
    c.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('digitalpost.dk', `L${i}`, 1000 + i, 'pending')
      for (let i = 0; i < 50; i++) insert.run('digitalpost.dk', `D${i}`, 10 + i, 'done')
      insert.run('other.example', 'O', 5, 'pending')
    })()
    c.exec('analyze')
    // A range of outbox_overdue, not the peer's whole queue through outbox_due.
    expect(plan(c, OVERDUE_ITEMS.replace(/\?/g, '1'))).toMatch(
      /SEARCH outbox USING INDEX outbox_overdue \(peer=\? AND deliver_before<\?\)/,
    )
    const found = c.prepare(OVERDUE_ITEMS).all('digitalpost.dk', 1005, 0, 100) as {
      letter_id: string
    }[]
    expect(found.map((r) => r.letter_id)).toEqual(['L0', 'L1', 'L2', 'L3', 'L4'])
    c.close()
  })

  it('finds the keys under another CA on their own index, not through the keys under the current one', () => {
    const db = openDb({ file: join(dir, 'issuers.db') })
    const c = db.$client
    c.prepare(
      `insert into mailboxes (address, kind, status, created_at)
         values ('m@digitalpost.dk', 'person', 'active', 0)`,
    ).run()
    const insert = c.prepare(
      `insert into mailbox_keys (mailbox_id, kid, use, jwk, certificate, created_at, cert_issuer)
         values (1, ?, 'enc', '{}', 'c', 0, ?)`,
    )
    // Most keys under the current CA ('N'), a few under the old ones on either side of it.
    c.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`n${i}`, 'N')
      for (let i = 0; i < 3; i++) insert.run(`a${i}`, 'A')
      for (let i = 0; i < 3; i++) insert.run(`z${i}`, 'Z')
    })()
    c.exec('analyze')
    // As the storage asks on a fresh pass: below the current CA from the start, above it from
    // its last key on.
    for (const [side, from] of [
      ['<', ['', 0]],
      ['>', ['N', Number.MAX_SAFE_INTEGER]],
    ] as const) {
      const args = ['N', ...from, 50]
      const p = (
        c.prepare(`explain query plan ${keysIssuedElsewhere(side)}`).all(...args) as {
          detail: string
        }[]
      )
        .map((r) => r.detail)
        .join('; ')
      expect(p).toMatch(/SEARCH k USING INDEX mailbox_keys_issuer \(cert_issuer[<>]\?/)
      expect(p).not.toContain('TEMP B-TREE')
      const found = c.prepare(keysIssuedElsewhere(side)).all(...args) as { kid: string }[]
      expect(found.map((k) => k.kid)).toEqual(
        side === '<' ? ['a0', 'a1', 'a2'] : ['z0', 'z1', 'z2'],
      )
    }
    c.close()
  })

  it('counts the queues of a database made before the depth table when it migrates it', async () => {
    const file = join(dir, 'queued.db')
    const old = new Database(file)
    migrate(drizzle({ client: old }), {
      migrationsFolder: await migrationsBefore('0005_outbox_depth'),
    })
    const insert = old.prepare(
      `insert into outbox (peer, kind, letter_id, recipient, deliver_before, next_attempt_at,
         state, created_at) values (?, 'letter', ?, 'r', 1, 0, ?, 0)`,
    )
    for (let i = 0; i < 7; i++) insert.run('digitalpost.dk', `A${i}`, i < 5 ? 'pending' : 'done')
    insert.run('post.se', 'B', 'pending')
    old.close()

    const db = openDb({ file })
    const depth = () =>
      db.$client.prepare('select peer, pending from outbox_depth order by peer').all()
    expect(depth()).toEqual([
      { peer: 'digitalpost.dk', pending: 5 },
      { peer: 'post.se', pending: 1 },
    ])
    // And from then on the triggers keep it.
    db.$client.prepare(`update outbox set state = 'done' where letter_id = 'B'`).run()
    expect(depth()).toEqual([
      { peer: 'digitalpost.dk', pending: 5 },
      { peer: 'post.se', pending: 0 },
    ])
    db.$client.close()
  })

  it('keeps the API key of a sender registered before keys could be rotated working', async () => {
    const file = join(dir, 'senders.db')
    const old = new Database(file)
    migrate(drizzle({ client: old }), {
      migrationsFolder: await migrationsBefore('0011_sender_api_keys'),
    })
    const key = newApiKey()
    old
      .prepare(
        `insert into mailboxes (address, kind, status, created_at)
           values ('tax@post.eg', 'organisation', 'active', 5)`,
      )
      .run()
    old
      .prepare(
        `insert into senders (id, name, mailbox_id, api_key_id, api_key_hash, created_at)
           values ('eta', 'ETA', 1, ?, ?, 7)`,
      )
      .run(key.keyId, key.hash)
    old.close()

    await using storage = createSqliteStorage({ file })
    const found = await storage.getSenderApiKey(key.keyId)
    expect(found).toEqual({
      sender: { id: 'eta', name: 'ETA', mailboxId: 1, createdAt: 7 },
      key: { keyId: key.keyId, senderId: 'eta', hash: key.hash, createdAt: 7, expiresAt: null },
    })
    expect(apiKeyMatches(parseApiKey(key.apiKey)!.secret, found!.key.hash)).toBe(true)
    expect(await storage.liveSenderApiKeys('eta', Date.now())).toHaveLength(1)
  })
})
