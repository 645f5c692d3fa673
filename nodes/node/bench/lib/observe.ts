/**
 * @module bench/lib/observe
 * Watches a node's mailboxes from outside: polls its SQLite file (read-only, WAL lets a reader
 * in another process see each commit) for new deliveries and stamps each with the time it was
 * first seen. A delivery is seen only after it is committed, so this is when a citizen's
 * listing would show it.
 */
import Database from 'better-sqlite3'

export interface DeliveryWatcher {
  /** Letter id to the `performance.now()` at which it was first seen. */
  readonly seen: Map<string, number>
  /** Resolves when `n` deliveries have been seen, or rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs: number): Promise<void>
  close(): void
}

/**
 * @example
 * ```ts
 * const w = watchDeliveries(dk.config.dbFile)
 * await w.waitFor(1000, 60_000)
 * ```
 */
export function watchDeliveries(dbFile: string, everyMs = 5): DeliveryWatcher {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true })
  const next = db.prepare(
    'select id, letter_id from deliveries where id > ? order by id limit 5000',
  )
  const seen = new Map<string, number>()
  let last = 0
  const poll = () => {
    for (;;) {
      const rows = next.all(last) as { id: number; letter_id: string }[]
      const at = performance.now()
      for (const r of rows) {
        if (!seen.has(r.letter_id)) seen.set(r.letter_id, at)
        last = r.id
      }
      if (rows.length < 5000) break
    }
  }
  poll()
  const timer = setInterval(poll, everyMs)
  return {
    seen,
    async waitFor(n, timeoutMs) {
      const end = performance.now() + timeoutMs
      while (seen.size < n) {
        if (performance.now() > end)
          throw new Error(`only ${seen.size} of ${n} deliveries seen after ${timeoutMs} ms`)
        await new Promise((r) => setTimeout(r, 5))
      }
    },
    close() {
      clearInterval(timer)
      db.close()
    },
  }
}
