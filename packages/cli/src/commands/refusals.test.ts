import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { EXIT } from '../exit-codes.js'

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const HOUR = 3600
let dir: string

const cli = (args: string[], now = T0) => runCaptured([...args, '--now', String(now)], dir)
const fed = (args: string[], now = T0) => cli([...args, '--dir', 'fed'], now)
const listBytes = () => readFile(join(dir, 'fed', 'trust-list.cose'))

/** An operator directory made by barid operator init. */
async function prepare(name: string): Promise<void> {
  const init = await cli([
    ...['operator', 'init', '--dir', name, '--operator', `post.${name}`, '--country', 'EG'],
    ...['--name-ar', 'بريد', '--name-da', 'Post', '--name-en', 'Post'],
    ...['--endpoint', `https://post.${name}/`],
  ])
  expect(init.code, init.stderr).toBe(EXIT.ok)
}

/** Admits an operator prepared with {@link prepare} and certifies its node. */
async function admit(name: string): Promise<void> {
  const request = `${name}/admission-request.json`
  const r = await fed(['federation', 'admit', '--request', request, '--json'])
  expect(r.code, r.stderr).toBe(EXIT.ok)
  const caCert = r.json.caCertificate as string
  const certify = await cli(['operator', 'certify-node', '--dir', name, '--ca-cert', caCert])
  expect(certify.code, certify.stderr).toBe(EXIT.ok)
}

/**
 * Runs a command that the federation or operator state refuses: exit 1, the Barid code on
 * stderr and in the JSON answer, and no new trust list issued.
 */
async function refused(args: string[], code: string, now = T0) {
  const before = await listBytes()
  const r = await cli([...args, '--json'], now)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.refused)
  expect(r.json).toMatchObject({ ok: false, error: { code } })
  expect(r.stderr).toContain(`: ${code}: `)
  expect(await listBytes()).toEqual(before)
  return r
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-refusals-'))
  const init = await cli(['federation', 'init', '--name', 'refusals', '--dir', 'fed'])
  expect(init.code, init.stderr).toBe(EXIT.ok)
  for (const name of ['eg', 'dk', 'se']) await prepare(name)
  await admit('eg')
  await admit('dk')
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('barid refusals of policy or state', () => {
  it('refuses to admit an operator already in the trust list with ERR_GOVERNANCE_CONFLICT', async () => {
    const r = await refused(
      ['federation', 'admit', '--dir', 'fed', '--request', 'eg/admission-request.json'],
      'ERR_GOVERNANCE_CONFLICT',
    )
    expect(r.stderr).toContain('post.eg is already in the trust list')
  })

  it('refuses --add-ca and status changes for an operator not in the trust list with ERR_OPERATOR_UNKNOWN', async () => {
    await refused(
      [
        ...['federation', 'admit', '--dir', 'fed', '--request', 'se/admission-request.json'],
        '--add-ca',
      ],
      'ERR_OPERATOR_UNKNOWN',
    )
    for (const verb of ['suspend', 'withdraw', 'reinstate'])
      await refused(
        ['federation', verb, '--dir', 'fed', '--operator', 'post.se'],
        'ERR_OPERATOR_UNKNOWN',
      )
    await refused(
      ['federation', 'retire-ca', '--dir', 'fed', '--operator', 'post.se', '--serial', '01'],
      'ERR_OPERATOR_UNKNOWN',
    )
  })

  it('refuses an admission request whose signing request names another operator with ERR_CERT_OPERATOR_MISMATCH', async () => {
    const request = JSON.parse(await readFile(join(dir, 'se', 'admission-request.json'), 'utf8'))
    await writeFile(
      join(dir, 'mismatch.json'),
      JSON.stringify({ ...request, operator: 'post.other' }),
    )
    await refused(
      ['federation', 'admit', '--dir', 'fed', '--request', 'mismatch.json'],
      'ERR_CERT_OPERATOR_MISMATCH',
    )
  })

  it('refuses a status change to the state the operator is in, or not after its last change, with ERR_GOVERNANCE_CONFLICT', async () => {
    await refused(
      ['federation', 'reinstate', '--dir', 'fed', '--operator', 'post.dk'],
      'ERR_GOVERNANCE_CONFLICT',
    )
    const suspend = await fed(['federation', 'suspend', '--operator', 'post.dk'], T0 + HOUR)
    expect(suspend.code, suspend.stderr).toBe(EXIT.ok)
    await refused(
      ['federation', 'suspend', '--dir', 'fed', '--operator', 'post.dk'],
      'ERR_GOVERNANCE_CONFLICT',
      T0 + 2 * HOUR,
    )
    await refused(
      [
        ...['federation', 'withdraw', '--dir', 'fed', '--operator', 'post.dk'],
        ...['--effective', String(T0 + HOUR)],
      ],
      'ERR_GOVERNANCE_CONFLICT',
      T0 + 2 * HOUR,
    )
  })

  it('refuses to retire a CA the operator does not have with ERR_NOT_FOUND', async () => {
    await refused(
      ['federation', 'retire-ca', '--dir', 'fed', '--operator', 'post.eg', '--serial', 'abcd'],
      'ERR_NOT_FOUND',
      T0 + 3 * HOUR,
    )
  })

  it('brings a CA retirement forward but refuses to push it back with ERR_GOVERNANCE_CONFLICT', async () => {
    const unknown = await refused(
      ['federation', 'retire-ca', '--dir', 'fed', '--operator', 'post.eg', '--serial', 'abcd'],
      'ERR_NOT_FOUND',
      T0 + 3 * HOUR,
    )
    const serial = (unknown.json.error as { details: { serials: string[] } }).details.serials[0]!
    const retire = (at: number) => [
      ...['federation', 'retire-ca', '--dir', 'fed', '--operator', 'post.eg'],
      ...['--serial', serial, '--at', String(at)],
    ]
    const first = await cli([...retire(T0 + 10 * HOUR), '--json'], T0 + 3 * HOUR)
    expect(first.code, first.stderr).toBe(EXIT.ok)
    const r = await refused(retire(T0 + 20 * HOUR), 'ERR_GOVERNANCE_CONFLICT', T0 + 3 * HOUR)
    expect(r.stderr).toContain('brought forward, not pushed back')
    const earlier = await cli([...retire(T0 + 5 * HOUR), '--json'], T0 + 3 * HOUR)
    expect(earlier.code, earlier.stderr).toBe(EXIT.ok)
    expect(earlier.json.until).toBe('2026-01-01T05:00:00Z')
  })

  it('refuses a rollover step out of order with ERR_GOVERNANCE_CONFLICT', async () => {
    await refused(
      ['federation', 'rollover', '--dir', 'fed', '--complete'],
      'ERR_GOVERNANCE_CONFLICT',
      T0 + 3 * HOUR,
    )
    const announce = await fed(['federation', 'rollover', '--announce'], T0 + 3 * HOUR)
    expect(announce.code, announce.stderr).toBe(EXIT.ok)
    await refused(
      ['federation', 'rollover', '--dir', 'fed', '--announce'],
      'ERR_GOVERNANCE_CONFLICT',
      T0 + 4 * HOUR,
    )
    // Calling it wrong stays a usage error, whatever the state.
    const both = await fed(['federation', 'rollover', '--announce', '--complete'], T0 + 4 * HOUR)
    expect(both.code).toBe(EXIT.usage)
    // Announced, but the key it announces is gone: a missing input file.
    const key = join(dir, 'fed', 'governance-next.key.jwk')
    await rename(key, `${key}.away`)
    const missing = await fed(['federation', 'rollover', '--complete'], T0 + 4 * HOUR)
    await rename(`${key}.away`, key)
    expect(missing.code, missing.stderr).toBe(EXIT.file)
    expect(missing.stderr).toContain('governance-next.key.jwk')
  })

  it('refuses to revoke a certificate of another operator with ERR_CERT_OPERATOR_MISMATCH', async () => {
    await refused(
      ['operator', 'revoke', '--dir', 'eg', '--cert', 'dk/node.crt.pem'],
      'ERR_CERT_OPERATOR_MISMATCH',
      T0 + 6 * HOUR,
    )
    await expect(readdir(join(dir, 'eg', 'revocations'))).rejects.toThrow()
    await expect(readFile(join(dir, 'eg', 'revocations.cose'))).rejects.toThrow()
  })
})

describe('barid refusals of what a file holds', () => {
  const admitting = (request: string) => [
    ...['federation', 'admit', '--dir', 'fed', '--request', request],
  ]

  it('refuses an admission request of the wrong shape, or not JSON, with ERR_INVALID_ARGUMENT naming the file', async () => {
    const path = join(dir, 'shape.json')
    for (const content of ['{"version":1,"operator":"post.x"}', '[]', 'not json {']) {
      await writeFile(path, content)
      const r = await refused(admitting('shape.json'), 'ERR_INVALID_ARGUMENT', T0 + 8 * HOUR)
      expect(r.stderr).toContain(path)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.json).toMatchObject({ error: { details: { file: path } } })
    }
  })

  it('refuses any hostile admission request with exit 1, never as a usage error or a crash', async () => {
    const path = join(dir, 'hostile.json')
    const shaped = fc.record({
      version: fc.constant(1),
      operator: fc.string(),
      country: fc.string(),
      names: fc.dictionary(fc.string(), fc.jsonValue()),
      endpoints: fc.array(fc.jsonValue(), { maxLength: 3 }),
      csr: fc.string(),
    })
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), shaped), async (request) => {
        await writeFile(path, JSON.stringify(request))
        const before = await listBytes()
        const r = await cli([...admitting('hostile.json'), '--json'], T0 + 8 * HOUR)
        expect(r.code, r.stderr).toBe(EXIT.refused)
        expect(r.stderr.trim().split('\n')).toHaveLength(1)
        expect(r.stderr).toContain(path)
        expect(await listBytes()).toEqual(before)
      }),
      { numRuns: 40 },
    )
  }, 60_000)

  it('reports a directory without federation.json as a missing file, naming it, with exit 3', async () => {
    const r = await cli([
      ...['federation', 'admit', '--dir', 'eg', '--request', 'se/admission-request.json'],
    ])
    expect(r.code, r.stderr).toBe(EXIT.file)
    expect(r.stderr).toContain(`${join(dir, 'eg', 'federation.json')}: it does not exist`)
    expect(r.stderr).toContain('barid federation init')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('refuses a federation.json of another version or shape with its code', async () => {
    const config = join(dir, 'fed', 'federation.json')
    const good = await readFile(config, 'utf8')
    try {
      await writeFile(config, JSON.stringify({ ...JSON.parse(good), version: 2 }))
      const reissue = ['federation', 'reissue', '--dir', 'fed']
      const version = await refused(reissue, 'ERR_UNSUPPORTED_VERSION')
      expect(version.stderr).toContain(config)
      await writeFile(config, '{"version":1}')
      const shape = await refused(reissue, 'ERR_INVALID_ARGUMENT')
      expect(shape.stderr).toContain(config)
    } finally {
      await writeFile(config, good)
    }
  })
})
