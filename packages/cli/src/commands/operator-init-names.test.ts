import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { EXIT } from '../exit-codes.js'

let dir: string

const init = (name: string, en: string) =>
  runCaptured(
    [
      ...['operator', 'init', '--dir', name, '--operator', 'post.eg', '--country', 'EG'],
      ...['--name-ar', 'البريد المصري', '--name-da', 'Egyptens Post', '--name-en', en],
      ...['--endpoint', 'https://barid.post.eg/'],
    ],
    dir,
  )

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-init-names-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('barid operator init display names', () => {
  it('counts a name in characters as the trust list does: 200 hieroglyphs pass, 201 do not', async () => {
    const ok = await init('a', '𓂀'.repeat(200))
    expect(ok.code, ok.stderr).toBe(EXIT.ok)
    const long = await init('b', '𓂀'.repeat(201))
    expect(long.code).toBe(EXIT.usage)
    expect(long.stderr).toContain('--name-en must be 1-200 characters')
  })
})
