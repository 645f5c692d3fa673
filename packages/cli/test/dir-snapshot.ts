import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Every file under `root` with its content (base64), by relative path: what a refused command
 * must leave as it was.
 *
 * @example
 * ```ts
 * const before = await dirSnapshot(join(dir, 'eg'))
 * expect(await dirSnapshot(join(dir, 'eg'))).toEqual(before)
 * ```
 */
export async function dirSnapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (rel: string) => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      const p = join(rel, e.name)
      if (e.isDirectory()) await walk(p)
      else out[p] = (await readFile(join(root, p))).toString('base64')
    }
  }
  await walk('.')
  return out
}
