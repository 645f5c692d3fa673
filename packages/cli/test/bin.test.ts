/**
 * The `barid` launcher itself (bin/barid.mjs), before the CLI's code is reached: what a
 * newcomer sees when they run it from a clone whose dependencies are not installed yet.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { barid, BIN } from './barid.js'

let dir: string | undefined

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('bin/barid.mjs', () => {
  it('says to run the bootstrap, with exit code 3, when tsx is not installed', async () => {
    // A copy of the launcher with no node_modules anywhere above it, as in a fresh clone.
    dir = await mkdtemp(join(tmpdir(), 'barid-bin-'))
    await mkdir(join(dir, 'bin'))
    const bin = join(dir, 'bin', 'barid.mjs')
    await copyFile(BIN, bin)
    const r = await barid(['--version'], dir, bin)
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'barid: cannot load tsx, which runs the CLI from its TypeScript sources: the workspace ' +
        'is not installed; run npm run bootstrap at the root of the repository first\n',
    })
  })
})
