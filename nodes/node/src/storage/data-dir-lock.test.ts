import { execFile } from 'node:child_process'
import fc from 'fast-check'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lockDataDir, PID_FILE } from './data-dir-lock.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-dir-lock-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The refusal `lockDataDir` gives on `dataDir`, which must be held. */
async function refusal(dataDir: string): Promise<{ code?: unknown; message: string }> {
  return lockDataDir(dataDir).then(
    async (l) => {
      await l.release()
      throw new Error('locked twice')
    },
    (e: { code?: unknown; message: string }) => e,
  )
}

describe('lockDataDir', () => {
  it('is held by one at a time, names its PID, and gives the directory back on release', async () => {
    const held = await lockDataDir(dir)
    expect(await readFile(join(dir, PID_FILE), 'utf8')).toBe(`${process.pid}\n`)
    expect(await refusal(dir)).toMatchObject({
      code: 'ERR_UNAVAILABLE',
      message: `data directory ${dir} is in use by another node (PID ${process.pid})`,
    })
    await held.release()
    await held.release()
    await expect(readFile(join(dir, PID_FILE))).rejects.toMatchObject({ code: 'ENOENT' })
    await (await lockDataDir(dir)).release()
  })

  it('names no PID of a process that has ended', async () => {
    const held = await lockDataDir(dir)
    try {
      const ended = execFile(process.execPath, ['-e', ''])
      await new Promise((r) => ended.once('exit', r))
      await writeFile(join(dir, PID_FILE), `${ended.pid}\n`)
      expect((await refusal(dir)).message).toBe(`data directory ${dir} is in use by another node`)
    } finally {
      await held.release()
    }
  })

  it('names only a running process, whatever node.pid holds', async () => {
    const held = await lockDataDir(dir)
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.integer({ min: -2, max: 2 ** 32 }).map((n) => `${n}\n`),
            fc.constantFrom('0\n', '1\n', `${process.pid}`, ` ${process.pid}\n`, '1e3\n'),
          ),
          async (text) => {
            await writeFile(join(dir, PID_FILE), text)
            const e = await refusal(dir)
            expect(e.code).toBe('ERR_UNAVAILABLE')
            const named = /\(PID (\d+)\)$/.exec(e.message)?.[1]
            if (named === undefined) return
            expect(named).toBe(text.trim())
            // kill 0 tests that it exists (EPERM: it does, as another user).
            expect(() => {
              try {
                process.kill(Number(named), 0)
              } catch (err) {
                if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err
              }
            }).not.toThrow()
          },
        ),
        { numRuns: 200 },
      )
    } finally {
      await held.release()
    }
  })
})
