import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isBaridError } from '../core.js'
import { createLogger } from '../ops/logger.js'
import { openHeldTrust } from './held-list.js'
import { createLocalFederation, type LocalFederation } from './local-federation.js'

let dir: string
let fed: LocalFederation
const log = createLogger({ level: 'silent' })
const listNo = (n: number) => join(fed.dir, 'lists', `${String(n).padStart(6, '0')}.cose`)

async function open(listFile: string, dataDir = join(dir, 'node'), keys?: string[]) {
  return openHeldTrust({
    dataDir,
    trust: {
      listFile,
      governanceKeyFiles: keys ?? [fed.governanceKeyFile],
      reloadIntervalMs: 60_000,
      maxStalenessSeconds: 72 * 3600,
    },
    now: Date.now,
    log,
  })
}

/** The refusal's code and message, or `accepted`. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'accepted'
  } catch (e) {
    return isBaridError(e) ? `${e.code}: ${e.message}` : String(e)
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'accepted'
  } catch (e) {
    return isBaridError(e) ? e.code : String(e)
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-held-'))
  fed = await createLocalFederation({ dir: join(dir, 'federation'), operators: [] })
  await fed.federation(['reissue'])
  await fed.federation(['reissue'])
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the held trust list', () => {
  it('adopts a newer list, refuses an older one, and keeps the newest across reopening', async () => {
    const held = await open(listNo(2))
    expect(held.store.list.sequence).toBe(2)
    expect((await held.update(new Uint8Array(await readFile(listNo(3))))).changed).toBe(true)
    expect(held.store.list.sequence).toBe(3)
    const older = new Uint8Array(await readFile(listNo(1)))
    expect(await codeOf(held.update(older))).toBe('ERR_TRUST_LIST_ROLLBACK')
    expect(held.store.list.sequence).toBe(3)
    // Reopened with the oldest list as its configured file, it keeps sequence 3.
    expect((await open(listNo(1))).store.list.sequence).toBe(3)
  })

  it('re-reads the configured file when it changes', async () => {
    const file = join(dir, 'current.cose')
    await copyFile(listNo(1), file)
    const held = await open(file)
    expect((await held.reload()).changed).toBe(false)
    await copyFile(listNo(3), file)
    expect((await held.reload()).list.sequence).toBe(3)
  })

  it('refuses to start with no list, and with a held list that no longer verifies', async () => {
    expect(await codeOf(open(join(dir, 'absent.cose'), join(dir, 'empty')))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    await open(listNo(3))
    await writeFile(join(dir, 'node', 'trust', 'trust-list.cose'), new Uint8Array([0xa0]))
    expect(await codeOf(open(listNo(3)))).toMatch(/^ERR_(TRUST_LIST_MALFORMED|COSE_MALFORMED)$/)
  })

  it('refuses a configured list file that does not exist, naming it, held list or not', async () => {
    const typo = join(dir, 'trust-lst.cose')
    const missing = `ERR_INVALID_ARGUMENT: config: trust.listFile ${typo} does not exist`
    expect(await refusal(open(typo, join(dir, 'first')))).toBe(missing)
    await open(listNo(2))
    // A node that already holds a list would otherwise watch a file that is not there.
    expect(await refusal(open(typo))).toBe(missing)
    expect(await refusal(open(dir))).toBe(
      `ERR_INVALID_ARGUMENT: config: trust.listFile ${dir} is a directory, not a file`,
    )
  })

  it('keeps its list when the configured file goes missing later, and says so once', async () => {
    const file = join(dir, 'current.cose')
    await copyFile(listNo(2), file)
    const lines: string[] = []
    const held = await openHeldTrust({
      dataDir: join(dir, 'node'),
      trust: {
        listFile: file,
        governanceKeyFiles: [fed.governanceKeyFile],
        reloadIntervalMs: 60_000,
        maxStalenessSeconds: 72 * 3600,
      },
      now: Date.now,
      log: createLogger({ level: 'warn', write: (l) => lines.push(l) }),
    })
    await rm(file)
    expect((await held.reload()).list.sequence).toBe(2)
    expect((await held.reload()).list.sequence).toBe(2)
    expect(lines.map((l) => (JSON.parse(l) as { msg: string; file: string }))).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/trust list file is missing/), file }),
    ])
    await copyFile(listNo(3), file)
    expect((await held.reload()).list.sequence).toBe(3)
  })

  it('says which governance key file is missing, and which is not a key', async () => {
    const missing = join(dir, 'nokey.jwk')
    expect(await refusal(open(listNo(2), undefined, [fed.governanceKeyFile, missing]))).toBe(
      `ERR_INVALID_ARGUMENT: config: trust.governanceKeyFiles ${missing} does not exist`,
    )
    const notKey = join(dir, 'not-a-key.jwk')
    await writeFile(notKey, '{"kty":"oct"}')
    expect(await refusal(open(listNo(2), undefined, [notKey]))).toBe(
      `ERR_INVALID_ARGUMENT: config: governance key ${notKey} is not a public signing key (JWK)`,
    )
  })
})
