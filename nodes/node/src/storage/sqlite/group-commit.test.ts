import Database from 'better-sqlite3'
import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGroupCommit } from './group-commit.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-group-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A WAL database, and a second connection that counts the commits made by the first. */
function open(name: string) {
  const file = join(dir, name)
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec('create table t (k integer primary key, v text not null)')
  const watcher = new Database(file, { readonly: true })
  // data_version changes once per commit made by another connection (as seen between reads).
  const version = () => watcher.pragma('data_version', { simple: true }) as number
  const insert = db.prepare<[number, string]>('insert into t (k, v) values (?, ?)')
  const rows = () => (db.prepare('select k from t order by k').pluck().all() as number[]).length
  return { db, version, insert, rows, close: () => (watcher.close(), db.close()) }
}

describe('group commit (storage/sqlite/group-commit.ts)', () => {
  it('commits writes of one loop turn together, each atomic on its own', async () => {
    const s = open('turn.db')
    const group = createGroupCommit(s.db)
    const v0 = s.version()
    const results = await Promise.allSettled([
      group.run(() => s.insert.run(1, 'a')),
      group.run(() => {
        s.insert.run(2, 'b')
        throw new Error('refused')
      }),
      group.run(() => s.insert.run(3, 'c')),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(s.db.prepare('select k from t order by k').pluck().all()).toEqual([1, 3])
    expect(s.version() - v0).toBe(1)
    s.close()
  })

  it('stores every write that does not fail exactly once, however writes and pauses interleave', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ pause: fc.nat(3), fails: fc.boolean() }), {
          maxLength: 30,
        }),
        async (writes) => {
          const s = open(`mix-${n++}.db`)
          const group = createGroupCommit(s.db)
          const done: Promise<unknown>[] = []
          for (const [k, w] of writes.entries()) {
            done.push(
              group
                .run(() => {
                  s.insert.run(k, 'x')
                  if (w.fails) throw new Error('refused')
                })
                .catch(() => undefined),
            )
            if (w.pause) await sleep(w.pause)
          }
          await Promise.all(done)
          expect(s.rows()).toBe(writes.filter((w) => !w.fails).length)
          s.close()
        },
      ),
      { numRuns: 25 },
    )
  })
})
