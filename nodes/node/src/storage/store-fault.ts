/**
 * @module storage/store-fault
 * Whether an error is a fault of this node's own store (its disk full or failing, a permission,
 * the database busy or read-only) rather than of the work at hand: such a fault may pass (space
 * freed, a permission fixed), so the work it stopped is kept and tried again, not refused for
 * good (spec 12.4, 14.4).
 */

/** SQLite's codes for a store that cannot write or read now (extended codes start with them). */
const SQLITE_FAULTS = [
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
]

/** The system's codes for the same, from the file system (blobs, key files). */
const SYSTEM_FAULTS = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
  'EACCES',
  'EPERM',
  'EMFILE',
  'ENFILE',
])

/**
 * The code of a fault of the node's own store (`SQLITE_FULL`, `ENOSPC`, `EIO`, ...), or
 * undefined when `e` is anything else.
 *
 * @example
 * ```ts
 * const code = storeFaultCode(e) // 'SQLITE_FULL' with the disk full
 * ```
 */
export function storeFaultCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  if (SYSTEM_FAULTS.has(code)) return code
  return SQLITE_FAULTS.some((c) => code === c || code.startsWith(`${c}_`)) ? code : undefined
}
