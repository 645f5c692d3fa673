import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { parseCertificate } from '../core.js'
import { EXIT } from '../exit-codes.js'
import { ROTATION_FILES, type NodeKeysManifest } from './operator-rotate-node.js'
import { dirSnapshot } from '../../test/dir-snapshot.js'

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const at = (s: number) => ['--now', String(s)]
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z')

let dir: string
const printed: string[] = []

async function cli(args: string[]) {
  const r = await runCaptured(args, dir)
  printed.push(r.stdout, r.stderr)
  return r
}

/** A fresh operator directory, admitted and with its first node certificate (at `t`). */
async function operator(name: string, t = T0): Promise<string> {
  const init = await cli([
    'operator',
    'init',
    '--dir',
    name,
    '--operator',
    `${name}.example`,
    '--country',
    'EG',
    '--name-ar',
    'بريد',
    '--name-da',
    'Post',
    '--name-en',
    'Post',
    '--endpoint',
    `https://${name}.example/`,
    ...at(t),
  ])
  expect(init.code, init.stderr).toBe(0)
  const admit = await cli([
    'federation',
    'admit',
    '--dir',
    'fed',
    '--request',
    `${name}/admission-request.json`,
    '--json',
    ...at(t),
  ])
  expect(admit.code, admit.stderr).toBe(0)
  const certify = await cli([
    'operator',
    'certify-node',
    '--dir',
    name,
    '--ca-cert',
    admit.json.caCertificate as string,
    ...at(t),
  ])
  expect(certify.code, certify.stderr).toBe(0)
  return name
}

const manifest = async (op: string) =>
  JSON.parse(await readFile(join(dir, op, ROTATION_FILES.manifest), 'utf8')) as NodeKeysManifest
const cert = async (path: string) => parseCertificate(await readFile(join(dir, path), 'utf8'))
const mode = async (path: string) => ((await stat(join(dir, path))).mode & 0o777).toString(8)

/** Every file of an operator directory with its content: what a refusal must not touch. */
const snapshot = (op: string) => dirSnapshot(join(dir, op))

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-rotate-'))
  const fed = await cli(['federation', 'init', '--name', 'rotation', '--dir', 'fed', ...at(T0)])
  expect(fed.code, fed.stderr).toBe(0)
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('barid operator rotate-node', () => {
  it('certifies a new current key and keeps the previous one, retiring one discovery maxAge later', async () => {
    const op = await operator('a')
    const before = await cert('a/node.crt.pem')
    const oldKey = await readFile(join(dir, 'a/node.key.jwk'), 'utf8')
    const now = T0 + 86_400
    const r = await cli(['operator', 'rotate-node', '--dir', op, '--json', ...at(now)])
    expect(r.code, r.stderr).toBe(EXIT.ok)
    const after = await cert('a/node.crt.pem')
    expect(after.role).toBe('node')
    expect(after.operatorId).toBe('a.example')
    expect(after.serialNumber).not.toBe(before.serialNumber)
    expect(after.notAfter.getTime() / 1000).toBe(now + 365 * 86_400)
    const serial = before.serialNumber
    expect(r.json).toMatchObject({
      ok: true,
      serial: after.serialNumber,
      retired: { serial, retiredAt: iso(now + 3900) },
    })
    expect(await manifest(op)).toEqual({
      v: 1,
      retired: [
        {
          kid: (r.json.retired as { kid: string }).kid,
          serial,
          retired: iso(now + 3900),
          cert: `retired/node-${serial}.crt.pem`,
          key: `retired/node-${serial}.key.jwk`,
        },
      ],
    })
    expect((await cert(`a/retired/node-${serial}.crt.pem`)).der).toEqual(before.der)
    expect(await readFile(join(dir, `a/retired/node-${serial}.key.jwk`), 'utf8')).toBe(oldKey)
    for (const f of ['a/node.key.jwk', `a/retired/node-${serial}.key.jwk`])
      expect(await mode(f), f).toBe('600')
    // The new certificate chains to the operator's CA in the federation's list.
    const inspect = await cli([
      'cert',
      'inspect',
      'a/node.crt.pem',
      '--trust-list',
      'fed/trust-list.cose',
      '--governance-key',
      'fed/governance.pub.jwk',
      '--json',
      ...at(now),
    ])
    expect(inspect.json.validation).toMatchObject({ valid: true, operator: 'a.example' })
    // No private key is ever printed.
    for (const f of ['a/node.key.jwk', `a/retired/node-${serial}.key.jwk`]) {
      const { d } = JSON.parse(await readFile(join(dir, f), 'utf8')) as { d: string }
      for (const p of printed) expect(p).not.toContain(d)
    }
  })

  it('removes private keys once retired, keeps certificates, and refuses a retirement out of order', async () => {
    const op = await operator('b')
    const first = await cli(['operator', 'rotate-node', '--dir', op, '--json', ...at(T0 + 10)])
    expect(first.code, first.stderr).toBe(0)
    const s1 = (first.json.retired as { serial: string }).serial
    // Before the first retirement, a second one must still come after it.
    const early = await cli([
      'operator',
      'rotate-node',
      '--dir',
      op,
      '--retire-at',
      String(T0 + 100),
      ...at(T0 + 20),
    ])
    // The command line was well formed: node-keys.json is what refuses it.
    expect(early.code).toBe(EXIT.refused)
    expect(early.stderr).toContain(
      `ERR_INVALID_ARGUMENT: ${join(dir, op, ROTATION_FILES.manifest)}`,
    )
    expect(early.stderr).toContain('must be later')
    const second = await cli(['operator', 'rotate-node', '--dir', op, '--json', ...at(T0 + 7200)])
    expect(second.code, second.stderr).toBe(0)
    expect(second.json.removedKeys).toEqual([`retired/node-${s1}.key.jwk`])
    const m = await manifest(op)
    expect(m.retired.map((e) => [e.serial, e.key !== undefined])).toEqual([
      [s1, false],
      [(second.json.retired as { serial: string }).serial, true],
    ])
    await expect(stat(join(dir, op, `retired/node-${s1}.key.jwk`))).rejects.toThrow()
    expect((await cert(`b/retired/node-${s1}.crt.pem`)).serialNumber).toBe(s1)
  })

  it('switches at once for a compromised key, keeping only its certificate', async () => {
    const op = await operator('c')
    const now = T0 + 3600
    const r = await cli([
      'operator',
      'rotate-node',
      '--dir',
      op,
      '--retire-at',
      iso(now - 600),
      ...at(now),
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('what the previous key signed since is refused')
    const [e] = (await manifest(op)).retired
    expect(e).toMatchObject({ retired: iso(now - 600) })
    expect(e!.key).toBeUndefined()
  })

  it('retires a lost key by its certificate alone, and asks for the time of the loss', async () => {
    const op = await operator('d')
    await rm(join(dir, op, 'node.key.jwk'))
    const noTime = await cli(['operator', 'rotate-node', '--dir', op, ...at(T0 + 60)])
    expect(noTime.code).toBe(EXIT.file)
    expect(noTime.stderr).toContain(`${join(dir, op, 'node.key.jwk')}: it does not exist`)
    expect(noTime.stderr).toContain('give --retire-at, the time of the loss')
    const r = await cli([
      'operator',
      'rotate-node',
      '--dir',
      op,
      '--retire-at',
      String(T0 + 30),
      ...at(T0 + 60),
    ])
    expect(r.code, r.stderr).toBe(0)
    expect((await manifest(op)).retired[0]!.key).toBeUndefined()
    expect(await mode('d/node.key.jwk')).toBe('600')
  })

  it('refuses a retirement after the certificate expires, and a damaged manifest, with exit 1 and their codes', async () => {
    const op = await operator('e')
    const late = await cli([
      'operator',
      'rotate-node',
      '--dir',
      op,
      '--retire-at',
      String(T0 + 400 * 86_400),
      ...at(T0 + 60),
    ])
    expect(late.code).toBe(EXIT.refused)
    expect(late.stderr).toContain(`ERR_INVALID_ARGUMENT: ${join(dir, op, 'node.crt.pem')} expires`)
    const before = await readFile(join(dir, op, 'node.crt.pem'), 'utf8')
    await writeFile(join(dir, op, ROTATION_FILES.manifest), '{"v":2,"retired":[]}')
    const damaged = await cli(['operator', 'rotate-node', '--dir', op, ...at(T0 + 60)])
    expect(damaged.code).toBe(EXIT.refused)
    expect(damaged.stderr).toContain(
      `ERR_UNSUPPORTED_VERSION: ${join(dir, op, ROTATION_FILES.manifest)} has version 2`,
    )
    // Nothing was changed by the refused runs.
    expect(await readFile(join(dir, op, 'node.crt.pem'), 'utf8')).toBe(before)
    const bad = await cli(['operator', 'rotate-node', '--dir', op, '--alg', 'RSA', ...at(T0 + 60)])
    expect(bad.code).toBe(EXIT.usage)
  })

  it('renews a certificate that is about to expire: the previous key retires no later than its notAfter', async () => {
    const op = await operator('f')
    const c = await cert('f/node.crt.pem')
    const notAfter = c.notAfter.getTime() / 1000
    const r = await cli(['operator', 'rotate-node', '--dir', op, '--json', ...at(notAfter - 600)])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json.retired).toMatchObject({ retiredAt: iso(notAfter) })
  })

  it('refuses a retirement after governance retires the CA of the previous certificate, and brings the default forward to it, given the trust list', async () => {
    const op = await operator('g')
    const ca = await cert('g/ca.crt.pem')
    const retire = await cli([
      ...['federation', 'retire-ca', '--dir', 'fed', '--operator', 'g.example'],
      ...['--serial', ca.serialNumber, '--at', String(T0 + 1800), ...at(T0 + 60)],
    ])
    expect(retire.code, retire.stderr).toBe(0)
    const list = [
      ...['--trust-list', 'fed/trust-list.cose'],
      ...['--governance-key', 'fed/governance.pub.jwk'],
    ]
    const rotate = (args: string[]) =>
      cli(['operator', 'rotate-node', '--dir', op, ...args, ...at(T0 + 120)])
    const before = await readFile(join(dir, op, 'node.crt.pem'), 'utf8')
    const late = await rotate(['--retire-at', String(T0 + 3600), ...list])
    expect(late.code).toBe(EXIT.refused)
    expect(late.stderr).toContain(
      `ERR_OPERATOR_CA_RETIRED: ${join(dir, 'fed', 'trust-list.cose')} retires the operator CA`,
    )
    expect(late.stderr).toContain(`at ${iso(T0 + 1800)}, before --retire-at ${iso(T0 + 3600)}`)
    expect(await readFile(join(dir, op, 'node.crt.pem'), 'utf8')).toBe(before)
    // A governance key without the list it verifies is a usage error.
    const alone = await rotate(['--governance-key', 'fed/governance.pub.jwk'])
    expect(alone.code).toBe(EXIT.usage)
    const r = await rotate(['--json', ...list])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json.retired).toMatchObject({ retiredAt: iso(T0 + 1800) })
  })

  it('refuses to certify the new key under a current CA that the trust list has already retired, before writing anything', async () => {
    // After the lists the tests before issued: a list never goes back in time.
    const op = await operator('h', T0 + 100)
    const ca = await cert('h/ca.crt.pem')
    const retire = await cli([
      ...['federation', 'retire-ca', '--dir', 'fed', '--operator', 'h.example'],
      ...['--serial', ca.serialNumber, '--at', String(T0 + 600), ...at(T0 + 160)],
    ])
    expect(retire.code, retire.stderr).toBe(0)
    const list = [
      ...['--trust-list', 'fed/trust-list.cose'],
      ...['--governance-key', 'fed/governance.pub.jwk'],
    ]
    const before = await snapshot(op)
    // The previous key's retirement is allowed (before the CA's): the new certificate is not.
    for (const args of [[], ['--retire-at', String(T0 + 300)]]) {
      const r = await cli([
        ...['operator', 'rotate-node', '--dir', op],
        ...[...args, ...list, ...at(T0 + 900)],
      ])
      expect(r.code, r.stderr).toBe(EXIT.refused)
      expect(r.stderr).toContain(
        `ERR_OPERATOR_CA_RETIRED: ${join(dir, 'fed', 'trust-list.cose')} retires the operator CA`,
      )
      expect(r.stderr).toContain(`at ${iso(T0 + 600)}`)
      expect(r.stderr).toContain('barid operator rotate-ca')
      expect(await snapshot(op)).toEqual(before)
    }
  })
})
