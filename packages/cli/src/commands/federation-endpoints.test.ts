import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { EXIT } from '../exit-codes.js'
import { loadTrustList, readGovernanceKeys } from '../trust-input.js'

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const at = (s: number) => ['--now', String(s)]

let dir: string
const cli = (args: string[]) => runCaptured(args, dir)

/** The federation's current list, verified under its governance key. */
async function list() {
  const keys = await readGovernanceKeys(dir, ['fed/governance.pub.jwk'])
  return loadTrustList(dir, 'fed/trust-list.cose', keys, T0 + 3600)
}

const endpointsOf = async (id: string) =>
  (await list()).operators.find((o) => o.id === id)?.endpoints

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-endpoints-'))
  const fed = await cli(['federation', 'init', '--name', 'moves', '--dir', 'fed', ...at(T0)])
  expect(fed.code, fed.stderr).toBe(EXIT.ok)
  for (const [name, port] of [
    ['eg', 7401],
    ['dk', 7402],
  ] as const) {
    const country = name.toUpperCase()
    const init = await cli([
      ...['operator', 'init', '--dir', name, '--operator', `post.${name}`, '--country', country],
      ...['--name-ar', 'بريد', '--name-da', 'Post', '--name-en', 'Post'],
      ...['--endpoint', `http://127.0.0.1:${port}/`, ...at(T0)],
    ])
    expect(init.code, init.stderr).toBe(EXIT.ok)
    const admit = await cli([
      ...['federation', 'admit', '--dir', 'fed', '--request', `${name}/admission-request.json`],
      ...at(T0),
    ])
    expect(admit.code, admit.stderr).toBe(EXIT.ok)
  }
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('barid federation set-endpoints', () => {
  it('issues the next list with the operators endpoints replaced, and nothing when they are unchanged', async () => {
    const before = await list()
    const moved = ['http://127.0.0.1:41001/', 'https://barid.post.eg/']
    const set = (s: number) =>
      cli([
        ...['federation', 'set-endpoints', '--dir', 'fed', '--operator', 'post.eg'],
        ...moved.flatMap((e) => ['--endpoint', e]),
        ...['--json', ...at(s)],
      ])
    const r = await set(T0 + 60)
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect(r.json).toMatchObject({ changed: true, sequence: before.sequence + 1 })
    expect(await endpointsOf('post.eg')).toEqual(moved)
    // The other operator, and the rest of the entry, stay as they were.
    expect(await endpointsOf('post.dk')).toEqual(['http://127.0.0.1:7402/'])
    const eg = (await list()).operators.find((o) => o.id === 'post.eg')!
    const { endpoints: _e, ...rest } = before.operators.find((o) => o.id === 'post.eg')!
    expect(eg).toMatchObject(rest)
    const again = await set(T0 + 120)
    expect(again.code, again.stderr).toBe(EXIT.ok)
    expect(again.json).toMatchObject({ changed: false, sequence: before.sequence + 1 })
    expect((await list()).sequence).toBe(before.sequence + 1)
  })

  it('refuses endpoints that are not canonical, repeated or missing as usage errors, and an unknown operator with ERR_OPERATOR_UNKNOWN', async () => {
    const set = (args: string[]) =>
      cli(['federation', 'set-endpoints', '--dir', 'fed', ...args, ...at(T0 + 180)])
    const sequence = (await list()).sequence
    for (const args of [
      ['--operator', 'post.eg', '--endpoint', 'https://barid.post.eg'],
      ['--operator', 'post.eg', '--endpoint', 'http://barid.post.eg/'],
      ['--operator', 'post.eg', '--endpoint', 'https://a.eg/', '--endpoint', 'https://a.eg/'],
      ['--operator', 'post.eg'],
      ['--endpoint', 'https://barid.post.eg/'],
    ])
      expect((await set(args)).code, args.join(' ')).toBe(EXIT.usage)
    const unknown = await set(['--operator', 'post.se', '--endpoint', 'https://barid.post.se/'])
    expect(unknown.code).toBe(EXIT.refused)
    expect(unknown.stderr).toContain('ERR_OPERATOR_UNKNOWN')
    expect((await list()).sequence).toBe(sequence)
  })

  it('answers any endpoint text with a new list or a usage error, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.webUrl()), async (endpoint) => {
        const r = await cli([
          ...['federation', 'set-endpoints', '--dir', 'fed', '--operator', 'post.dk'],
          ...[`--endpoint=${endpoint}`, ...at(T0 + 240)],
        ])
        expect([EXIT.ok, EXIT.usage], r.stderr).toContain(r.code)
      }),
      { numRuns: 40 },
    )
  })
})
