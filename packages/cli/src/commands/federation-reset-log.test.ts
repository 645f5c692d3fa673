import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyLogReset, type KeyResolver } from '@barid/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { fromBase64Url, importPublicJwk, toHex } from '../core.js'
import { EXIT } from '../exit-codes.js'

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const ROOT = 'ab'.repeat(32)
let dir: string

const cli = (args: string[]) => runCaptured([...args, '--dir', 'fed', '--now', String(T0)], dir)
const resetLog = (operator: string, epoch: string, size: string, root?: string) => [
  ...['federation', 'reset-log', '--operator', operator, '--epoch', epoch, '--size', size],
  ...(root === undefined ? [] : ['--root', root]),
]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-reset-log-'))
  const init = await runCaptured(
    ['federation', 'init', '--name', 'resets', '--dir', 'fed', '--now', String(T0)],
    dir,
  )
  expect(init.code, init.stderr).toBe(0)
  const op = await runCaptured(
    [
      ...['operator', 'init', '--dir', 'eg', '--operator', 'post.eg', '--country', 'EG'],
      ...['--name-ar', 'البريد', '--name-da', 'Post', '--name-en', 'Post'],
      ...['--endpoint', 'https://post.eg/', '--now', String(T0)],
    ],
    dir,
  )
  expect(op.code, op.stderr).toBe(0)
  const admit = await cli(['federation', 'admit', '--request', 'eg/admission-request.json'])
  expect(admit.code, admit.stderr).toBe(0)
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('barid federation reset-log', () => {
  it('signs a reset that verifies with the governance key and says what the command was given', async () => {
    const r = await cli([
      ...resetLog('post.eg', '1', '42', ROOT.toUpperCase()),
      ...['--reason', 'restored from the backup of 2026-01-01', '--json'],
    ])
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect(r.json).toMatchObject({ ok: true, log: 'post.eg', epoch: 1, size: 42 })
    const bytes = new Uint8Array(await readFile(join(dir, 'log-reset-post.eg-1.cose')))
    const gov = await importPublicJwk(
      JSON.parse(await readFile(join(dir, 'fed', 'governance.pub.jwk'), 'utf8')),
    )
    const resolveKey: KeyResolver = (kid, role) =>
      role === 'governance' && toHex(kid) === toHex(gov.kid)
        ? { key: gov.publicKey, owner: 'resets' }
        : undefined
    const reset = await verifyLogReset(bytes, {
      resolveKey,
      logId: 'post.eg',
      epoch: 1,
    })
    expect(reset).toMatchObject({ time: T0, reason: 'restored from the backup of 2026-01-01' })
    expect(reset.restored.size).toBe(42)
    expect(toHex(reset.restored.root)).toBe(ROOT)
    // The root as the node's log API gives it (base64url) names the same tree.
    const b64 = await cli([
      ...resetLog('post.eg', '2', '42', Buffer.from(ROOT, 'hex').toString('base64url')),
      '--json',
    ])
    expect(b64.code, b64.stderr).toBe(EXIT.ok)
    const again2 = await verifyLogReset(fromBase64Url(b64.json.reset as string), {
      resolveKey,
    })
    expect(toHex(again2.restored.root)).toBe(ROOT)
    // The governance keeps each reset; an epoch already declared is never declared again, and
    // without --epoch the next one is taken.
    expect(
      await readFile(join(dir, 'fed', 'log-resets', 'post.eg-1.cose')).then((b) => b.length),
    ).toBe(bytes.length)
    const again = await cli([...resetLog('post.eg', '1', '42', ROOT), '--out', 'other.cose'])
    expect(again.code).toBe(EXIT.refused)
    expect(again.stderr).toMatch(/ERR_GOVERNANCE_CONFLICT: epoch 1 is not above 2/)
    const next = await cli([
      ...['federation', 'reset-log', '--operator', 'post.eg', '--size', '42', '--root', ROOT],
      '--json',
    ])
    expect(next.code, next.stderr).toBe(EXIT.ok)
    expect(next.json).toMatchObject({ epoch: 3 })
    // An existing output file is never overwritten.
    const clash = await cli([...resetLog('post.eg', '4', '42', ROOT), '--out', 'other.cose'])
    expect(clash.code).toBe(EXIT.ok)
    const clash2 = await cli([...resetLog('post.eg', '5', '42', ROOT), '--out', 'other.cose'])
    expect(clash2.code).toBe(EXIT.file)
  })

  it('refuses an operator outside the trust list as ERR_OPERATOR_UNKNOWN, and epoch 0, a malformed root or size as usage errors', async () => {
    const unknown = await cli([...resetLog('post.dk', '9', '1', ROOT), '--json'])
    expect(unknown.code, unknown.stderr).toBe(EXIT.refused)
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'ERR_OPERATOR_UNKNOWN' } })
    for (const args of [
      resetLog('post.eg', '0', '1', ROOT),
      resetLog('post.eg', '9', '1', 'ab'),
      resetLog('post.eg', '9', '1', 'A'.repeat(42)),
      resetLog('post.eg', '9', '1.5', ROOT),
      resetLog('post.eg', '9', '1'),
    ]) {
      const r = await cli(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage)
      expect(r.stderr).toMatch(/\S/)
    }
  })
})
