/**
 * @module demo/data-dir
 * The demo's data directory: the one the user gave (`--data DIR`, always kept, the federation
 * in it reused on the next run), or a new `barid-demo-*` folder under the system's temporary
 * directory, which the demo removes when it exits unless told to keep it (`--keep`). Each run
 * makes a new federation there, so a folder left behind is only litter.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where the demo keeps its data and whether it goes at exit. */
export interface DemoDataDir {
  readonly path: string
  /** True when the demo made the folder and was not asked to keep it. */
  readonly removeOnExit: boolean
  /** What happens to it at exit, for the line that says where it is. */
  readonly fate: string
  /** Removes the folder if `removeOnExit` (once; later calls do nothing); true if removed. */
  release(): Promise<boolean>
}

/**
 * Opens the demo's data directory.
 *
 * @example
 * ```ts
 * const dir = await openDemoDataDir({ keep: false })
 * say(`data directory: ${dir.path} (${dir.fate})`)
 * await dir.release()
 * ```
 */
export async function openDemoDataDir(o: {
  /** `--data DIR`: the user's directory, never removed. */
  given?: string
  /** `--keep`: leave a folder the demo made. */
  keep: boolean
  /** Where to make one; default the system's temporary directory. */
  parent?: string
}): Promise<DemoDataDir> {
  if (o.given !== undefined)
    return { path: o.given, removeOnExit: false, fate: 'yours: kept', release: async () => false }
  const path = await mkdtemp(join(o.parent ?? tmpdir(), 'barid-demo-'))
  const removeOnExit = !o.keep
  let released = false
  return {
    path,
    removeOnExit,
    fate: removeOnExit ? 'removed when the demo exits; --keep keeps it' : 'kept: --keep',
    async release() {
      if (!removeOnExit || released) return false
      released = true
      await rm(path, { recursive: true, force: true })
      return true
    },
  }
}
