/**
 * @module storage/private-dir
 * The data directory holds the node's private keys and its database (identifiers, letters): it
 * is the node user's alone (spec 15.1). A directory the operator made beforehand (systemd's
 * `StateDirectory=`, a plain `mkdir`) is usually 0755, which would let every local user read
 * `node.db`; the node narrows it rather than refusing to start, and says so.
 */
import { chmod, stat } from 'node:fs/promises'
import type { Logger } from '../ops/logger.js'

/**
 * Makes `dir` private to its owner (0700) if group or others may use it, with one warning.
 *
 * @example
 * ```ts
 * await keepPrivate(config.dataDir, log)
 * ```
 */
export async function keepPrivate(dir: string, log: Pick<Logger, 'warn'>): Promise<void> {
  const mode = (await stat(dir)).mode & 0o777
  if ((mode & 0o077) === 0) return
  await chmod(dir, 0o700)
  log.warn('the data directory was open to other users: made private to the node user (0700)', {
    dir,
    was: mode.toString(8),
  })
}
