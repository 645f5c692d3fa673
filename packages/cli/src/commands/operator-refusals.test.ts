import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { EXIT } from '../exit-codes.js'
import { ROTATION_FILES } from './operator-rotate-node.js'

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const DAY = 86_400
let dir: string
const caCerts: Record<string, string> = {}

const cli = (args: string[], now = T0) => runCaptured([...args, '--now', String(now)], dir)

/** An operator directory made by barid operator init and admitted; certified unless told. */
async function operator(name: string, certify = true): Promise<void> {
  const init = await cli([
    ...['operator', 'init', '--dir', name, '--operator', `post.${name}`, '--country', 'EG'],
    ...['--name-ar', 'بريد', '--name-da', 'Post', '--name-en', 'Post'],
    ...['--endpoint', `https://post.${name}/`],
  ])
  expect(init.code, init.stderr).toBe(EXIT.ok)
  const request = `${name}/admission-request.json`
  const admit = await cli(['federation', 'admit', '--dir', 'fed', '--request', request, '--json'])
  expect(admit.code, admit.stderr).toBe(EXIT.ok)
  caCerts[name] = admit.json.caCertificate as string
  if (!certify) return
  const r = await cli(['operator', 'certify-node', '--dir', name, '--ca-cert', caCerts[name]])
  expect(r.code, r.stderr).toBe(EXIT.ok)
}

/** A copy of operator directory `from` as `to`, with files replaced by those of others. */
async function copy(from: string, to: string, replace: Record<string, string> = {}) {
  await cp(join(dir, from), join(dir, to), { recursive: true })
  for (const [file, source] of Object.entries(replace))
    await cp(join(dir, source), join(dir, to, file))
}

/**
 * Runs a command the operator directory's state refuses: exit 1, one line on stderr naming
 * `file` and the Barid `code`, the code in the JSON answer, and `file` in its details.
 */
async function refused(args: string[], code: string, file: string, now = T0) {
  const r = await cli([...args, '--json'], now)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.refused)
  expect(r.json).toMatchObject({ ok: false, error: { code, details: { file: join(dir, file) } } })
  expect(r.stderr).toContain(`: ${code}: ${join(dir, file)}`)
  expect(r.stderr.trim().split('\n')).toHaveLength(1)
  return r
}

const rotate = (op: string) => ['operator', 'rotate-node', '--dir', op]
const certify = (op: string, ca: string) => [
  ...['operator', 'certify-node', '--dir', op, '--ca-cert', ca],
]
/** `path` (absolute, as the CLI prints it) relative to the test directory. */
const local = (path: string) => path.slice(dir.length + 1)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-operator-refusals-'))
  const init = await cli(['federation', 'init', '--name', 'operators', '--dir', 'fed'])
  expect(init.code, init.stderr).toBe(EXIT.ok)
  await operator('eg')
  await operator('dk')
  await operator('se', false)
}, 60_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('barid operator certify-node refusals of the operator directory', () => {
  it('refuses a CA certificate of another role, of another operator or for another key with exit 1', async () => {
    const root = 'fed/root.crt.pem'
    const r = await refused(certify('se', root), 'ERR_INVALID_ARGUMENT', root)
    expect(r.stderr).toContain('is not an operator CA certificate')
    const dk = local(caCerts.dk!)
    await refused(certify('se', dk), 'ERR_CERT_OPERATOR_MISMATCH', dk)
    await copy('se', 'se-other-key', { 'ca.key.jwk': 'dk/ca.key.jwk' })
    const se = local(caCerts.se!)
    const key = await refused(certify('se-other-key', se), 'ERR_INVALID_ARGUMENT', se)
    expect(key.stderr).toContain('certifies another key than ca.key.jwk')
    // Nothing was written by the refused runs.
    await expect(stat(join(dir, 'se', 'ca.crt.pem'))).rejects.toThrow()
    await expect(stat(join(dir, 'se', 'node.crt.pem'))).rejects.toThrow()
  })

  it('refuses a CA certificate that is not the one installed, and a file that holds no certificate, with exit 1', async () => {
    const request = 'eg/admission-request.json'
    const add = await cli(
      ['federation', 'admit', '--dir', 'fed', '--request', request, '--add-ca', '--json'],
      T0 + 60,
    )
    expect(add.code, add.stderr).toBe(EXIT.ok)
    await copy('eg', 'eg-second-ca')
    await rm(join(dir, 'eg-second-ca', 'node.crt.pem'))
    const second = local(add.json.caCertificate as string)
    const r = await refused(
      certify('eg-second-ca', second),
      'ERR_INVALID_ARGUMENT',
      second,
      T0 + 60,
    )
    expect(r.stderr).toContain('is not the CA certificate installed as')
    await writeFile(join(dir, 'garbage.pem'), 'no certificate here')
    await refused(certify('eg-second-ca', 'garbage.pem'), 'ERR_CERT_MALFORMED', 'garbage.pem')
  })

  it('reports a node certificate already there as an existing output, exit 3, pointing to rotate-node', async () => {
    const r = await cli(certify('eg', caCerts.eg!))
    expect(r.code, r.stderr).toBe(EXIT.file)
    expect(r.stderr).toContain(`${join(dir, 'eg', 'node.crt.pem')}: it already exists`)
    expect(r.stderr).toContain('barid operator rotate-node')
  })

  it('refuses an operator.json that is not one made by operator init with exit 1', async () => {
    await copy('eg', 'eg-config')
    await writeFile(join(dir, 'eg-config', 'operator.json'), '{"operator":7}')
    await refused(rotate('eg-config'), 'ERR_INVALID_ARGUMENT', 'eg-config/operator.json')
    await writeFile(join(dir, 'eg-config', 'operator.json'), '{"operator":')
    await refused(rotate('eg-config'), 'ERR_INVALID_ARGUMENT', 'eg-config/operator.json')
  })

  it('refuses to certify the node key under a CA certificate that is expired or not yet valid, writing nothing', async () => {
    const ca = local(caCerts.se!)
    await copy('se', 'se-late')
    const late = await refused(certify('se-late', ca), 'ERR_CERT_EXPIRED', ca, T0 + 3660 * DAY)
    expect(late.stderr).toMatch(/ expired at \d{4}-\d\d-\d\dT/)
    await copy('se', 'se-early')
    const early = await refused(certify('se-early', ca), 'ERR_CERT_NOT_YET_VALID', ca, T0 - DAY)
    expect(early.stderr).toContain('is valid only from 2026-01-01T00:00:00Z')
    for (const op of ['se-late', 'se-early'])
      for (const f of ['ca.crt.pem', 'node.crt.pem'])
        await expect(stat(join(dir, op, f))).rejects.toThrow()
  })
})

describe('barid operator rotate-node refusals of the operator directory', () => {
  it('refuses a CA certificate that is not the operator CA for its key with exit 1', async () => {
    await copy('eg', 'eg-root-ca', { 'ca.crt.pem': 'fed/root.crt.pem' })
    await refused(rotate('eg-root-ca'), 'ERR_INVALID_ARGUMENT', 'eg-root-ca/ca.crt.pem')
    await copy('eg', 'eg-dk-ca', { 'ca.crt.pem': 'dk/ca.crt.pem' })
    await refused(rotate('eg-dk-ca'), 'ERR_CERT_OPERATOR_MISMATCH', 'eg-dk-ca/ca.crt.pem')
    await copy('eg', 'eg-ca-key', { 'ca.key.jwk': 'dk/ca.key.jwk' })
    const r = await refused(rotate('eg-ca-key'), 'ERR_INVALID_ARGUMENT', 'eg-ca-key/ca.crt.pem')
    expect(r.stderr).toContain('certifies another key than ca.key.jwk')
    await writeFile(join(dir, 'eg-ca-key', 'ca.crt.pem'), 'garbage')
    await refused(rotate('eg-ca-key'), 'ERR_CERT_MALFORMED', 'eg-ca-key/ca.crt.pem')
  })

  it('refuses a node certificate of another kind, operator or key with exit 1', async () => {
    await copy('eg', 'eg-ca-as-node', { 'node.crt.pem': 'eg/ca.crt.pem' })
    const kind = await refused(
      rotate('eg-ca-as-node'),
      'ERR_INVALID_ARGUMENT',
      'eg-ca-as-node/node.crt.pem',
    )
    expect(kind.stderr).toContain('is not a node certificate')
    await copy('eg', 'eg-dk-node', { 'node.crt.pem': 'dk/node.crt.pem' })
    await refused(rotate('eg-dk-node'), 'ERR_CERT_OPERATOR_MISMATCH', 'eg-dk-node/node.crt.pem')
    await copy('eg', 'eg-node-key', { 'node.key.jwk': 'dk/node.key.jwk' })
    const key = await refused(
      rotate('eg-node-key'),
      'ERR_INVALID_ARGUMENT',
      'eg-node-key/node.crt.pem',
    )
    expect(key.stderr).toContain('certifies another key than node.key.jwk')
  })

  it('refuses to rotate a node certificate already retired: nothing to rotate', async () => {
    await copy('eg', 'eg-again')
    const before = {
      key: await readFile(join(dir, 'eg-again', 'node.key.jwk'), 'utf8'),
      cert: await readFile(join(dir, 'eg-again', 'node.crt.pem'), 'utf8'),
    }
    const first = await cli(rotate('eg-again'), T0 + 60)
    expect(first.code, first.stderr).toBe(EXIT.ok)
    // As a rotation that stopped after writing node-keys.json leaves the directory.
    await writeFile(join(dir, 'eg-again', 'node.key.jwk'), before.key)
    await writeFile(join(dir, 'eg-again', 'node.crt.pem'), before.cert)
    const manifest = await readFile(join(dir, 'eg-again', ROTATION_FILES.manifest), 'utf8')
    const r = await refused(
      rotate('eg-again'),
      'ERR_INVALID_ARGUMENT',
      'eg-again/node.crt.pem',
      T0 + 120,
    )
    expect(r.stderr).toContain('nothing to rotate')
    expect(await readFile(join(dir, 'eg-again', ROTATION_FILES.manifest), 'utf8')).toBe(manifest)
  })

  it('refuses to certify a new key under a CA certificate that is expired or not yet valid with their codes', async () => {
    await copy('eg', 'eg-late')
    await refused(rotate('eg-late'), 'ERR_CERT_EXPIRED', 'eg-late/ca.crt.pem', T0 + 3660 * DAY)
    await copy('eg', 'eg-early')
    const early = await refused(
      rotate('eg-early'),
      'ERR_CERT_NOT_YET_VALID',
      'eg-early/ca.crt.pem',
      T0 - DAY,
    )
    expect(early.stderr).toContain('is valid only from 2026-01-01T00:00:00Z')
  })

})

describe('barid cert inspect refusals of the file', () => {
  const validate = (file: string) => [
    ...['cert', 'inspect', file, '--trust-list', 'fed/trust-list.cose'],
    ...['--governance-key', 'fed/governance.pub.jwk'],
  ]

  it('refuses a PEM file without a certificate, and a certificate of a role it does not validate, with exit 1', async () => {
    const key = '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n'
    await writeFile(join(dir, 'empty.pem'), key)
    await refused(['cert', 'inspect', 'empty.pem'], 'ERR_CERT_MALFORMED', 'empty.pem')
    const ca = 'eg/ca.crt.pem'
    const r = await refused(validate(ca), 'ERR_CERT_PROFILE', ca, T0 + 120)
    expect(r.stderr).toContain('role operator-ca')
    // A role given on the command line that is not validated stays a usage error.
    const given = await cli([...validate(ca), '--role', 'operator-ca'], T0 + 120)
    expect(given.code, given.stderr).toBe(EXIT.usage)
  })
})
