/**
 * @module storage/sqlite/directory-cache
 * A bounded read-through cache for the directory rows read on every request and every letter
 * (the sender behind an API key, a mailbox by id or address, a mailbox's current key). Each
 * lookup was one SQLite read (17-27 us under load, several per letter); a hit is a Map lookup.
 *
 * Correct only while this process sees every write to those rows, which holds for the SQLite
 * backend: the node's directory writes go through the store that owns the cache and clear it,
 * and a commit made by another connection (an operator's script on the same file) changes
 * SQLite's `data_version`, which is compared at most once every `checkEveryMs` (reading it costs
 * a read transaction, as much as the lookup it would save) and clears the cache too: such a
 * change is seen within that time. A backend shared by several node processes (PostgreSQL)
 * must not use the cache as it is.
 */

/** The cache's interface to its stores. */
export interface DirectoryCache {
  /** The value under `key`, loaded with `load` (and kept, `undefined` included) on a miss. */
  get<T>(key: string, load: () => T): T
  /** Forgets everything: called after any write to the cached tables. */
  clear(): void
  /** Entries held now. */
  readonly size: number
}

/**
 * @param o.max most entries kept; the oldest is dropped first (a flood of unknown addresses
 *   cannot grow it without bound)
 * @param o.version a number that changes when another connection commits (`data_version`)
 * @param o.checkEveryMs how long a read of `version` is trusted (default 1,000 ms)
 * @param o.now the clock for that, in milliseconds
 *
 * @example
 * ```ts
 * const cache = directoryCache({ max: 10_000, version: () => dataVersion.get() as number })
 * const sender = cache.get(`sender:${keyId}`, () => bySenderKey.get(keyId))
 * ```
 */
export function directoryCache(o: {
  max: number
  version: () => number
  checkEveryMs?: number
  now?: () => number
}): DirectoryCache {
  const entries = new Map<string, unknown>()
  const every = o.checkEveryMs ?? 1000
  const now = o.now ?? (() => performance.now())
  let seen = o.version()
  let checkedAt = now()
  return {
    get<T>(key: string, load: () => T): T {
      const t = now()
      if (t - checkedAt >= every) {
        checkedAt = t
        const v = o.version()
        if (v !== seen) {
          entries.clear()
          seen = v
        }
      }
      if (entries.has(key)) return entries.get(key) as T
      const value = load()
      if (entries.size >= o.max) entries.delete(entries.keys().next().value as string)
      // Frozen: a caller that changed a cached row would change it for every later caller.
      entries.set(key, typeof value === 'object' && value !== null ? Object.freeze(value) : value)
      return value
    },
    clear() {
      entries.clear()
    },
    get size() {
      return entries.size
    },
  }
}
