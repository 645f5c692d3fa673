/**
 * @module version
 * The CLI's version, read from its package.json when asked, so that the package manifest stays
 * the one place it is written. `src/` (run through tsx) and `dist/` (built) are both one level
 * below the package root, so the same relative URL finds it from either.
 */
import { readFile } from 'node:fs/promises'

/**
 * The `version` of @barid/cli's package.json.
 *
 * @example
 * ```ts
 * console.log(await cliVersion()) // '0.1.0'
 * ```
 */
export async function cliVersion(): Promise<string> {
  const manifest = JSON.parse(
    await readFile(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version?: unknown }
  if (typeof manifest.version !== 'string') throw new Error('package.json names no version')
  return manifest.version
}
