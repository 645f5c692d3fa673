/**
 * @module storage/sqlite/group-commit
 * Group commit: writes that arrive during one turn of the event loop are applied in one SQLite
 * transaction, so that one commit (one WAL fsync with `synchronous=FULL`) serves all of them.
 * Each write runs in its own savepoint inside it, so each is still atomic on its own: a write
 * that throws is rolled back alone and rejects alone, the others commit. Every promise resolves
 * only after the commit that holds its write, so "write before acknowledge" (spec 10.2) holds.
 */
import type Database from 'better-sqlite3'

/** Queues writes and applies them in shared transactions. */
export interface GroupCommit {
  /** Runs `apply` inside the next group transaction; resolves after that transaction commits. */
  run<T>(apply: () => T): Promise<T>
}

interface Pending {
  apply: () => unknown
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  result?: { ok: true; value: unknown } | { ok: false; error: unknown }
}

const groups = new WeakMap<Database.Database, GroupCommit>()

/**
 * The group commit of a connection: every writer on one connection shares it, so that their
 * writes of one loop turn share a commit.
 *
 * @example
 * ```ts
 * const group = groupCommit(db.$client)
 * await group.run(() => update.run(id))
 * ```
 */
export function groupCommit(client: Database.Database): GroupCommit {
  let g = groups.get(client)
  if (!g) groups.set(client, (g = createGroupCommit(client)))
  return g
}

/**
 * @example
 * ```ts
 * const group = createGroupCommit(db.$client)
 * const r = await group.run(() => insert.run(row))
 * ```
 */
export function createGroupCommit(
  client: Database.Database,
  opts: { maxWrites?: number } = {},
): GroupCommit {
  const maxWrites = opts.maxWrites ?? 1000
  const queue: Pending[] = []
  let scheduled = false
  // Nested better-sqlite3 transactions are savepoints: `one` inside `all` rolls back alone.
  const one = client.transaction((p: Pending) => p.apply())
  const all = client.transaction((ps: Pending[]) => {
    for (const p of ps) {
      try {
        p.result = { ok: true, value: one(p) }
      } catch (error) {
        p.result = { ok: false, error }
      }
    }
  })

  function flush(): void {
    scheduled = false
    const batch = queue.splice(0, maxWrites)
    if (queue.length > 0) schedule()
    try {
      all.immediate(batch)
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the group is stored.
      for (const p of batch) p.reject(error)
      return
    }
    for (const p of batch) {
      const r = p.result!
      if (r.ok) p.resolve(r.value)
      else p.reject(r.error)
    }
  }

  function schedule(): void {
    if (scheduled) return
    scheduled = true
    // After the I/O callbacks of this loop turn: every write they queued shares the commit.
    // (Waiting longer to gather more was measured: it only stalls callers, whose number in
    // flight is what bounds a group.)
    setImmediate(flush)
  }

  return {
    run<T>(apply: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ apply, resolve: resolve as (v: unknown) => void, reject })
        schedule()
      })
    },
  }
}
