import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvidence } from '../../core/src/evidence/create.js'
import { importKeyPair } from '../../core/src/keys/index.js'
import { newLetterId } from '../../core/src/letter/letter-id.js'
import { parseCertificate } from '../../core/src/x509/parse.js'
import { createEvidenceBundle } from '../../core/src/trust/evidence-bundle.js'
import { barid, type Run } from './barid.js'

const T0 = '2026-01-01T00:00:00Z'
const T0S = 1_767_225_600
const NOW = ['--now', T0]
// After every change the tests make to the federation (the latest is issued at 14:00).
const LATER = ['--now', '2026-01-01T20:00:00Z']

let dir: string
const outputs: Run[] = []
async function run(args: string[]): Promise<Run> {
  const r = await barid(args, dir)
  outputs.push(r)
  return r
}

async function evidence(operatorDir: string, issuer: string, time: number) {
  const keys = await importKeyPair(
    JSON.parse(await readFile(join(dir, operatorDir, 'node.key.jwk'), 'utf8')),
    { use: 'sign' },
  )
  return createEvidence({
    type: 'submission-accepted',
    letterId: newLetterId(time * 1000),
    letterDigest: new Uint8Array(32).fill(1),
    issuer,
    time: time * 1000,
    key: keys,
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-cli-'))
  const init = (d: string, op: string, cc: string, url: string) =>
    run([
      'operator',
      'init',
      '--dir',
      d,
      '--operator',
      op,
      '--country',
      cc,
      '--name-en',
      `${cc} Post`,
      '--name-ar',
      'بريد',
      '--name-da',
      'Post',
      '--endpoint',
      url,
      '--scheme',
      `${cc.toLowerCase()}:id`,
      ...NOW,
    ])
  const [fed, eg, dk] = await Promise.all([
    run(['federation', 'init', '--name', 'barid-test', '--dir', 'fed', ...NOW]),
    init('eg', 'post.eg', 'EG', 'https://barid.post.eg/'),
    init('dk', 'digitalpost.dk', 'DK', 'https://barid.digitalpost.dk/'),
  ])
  for (const r of [fed, eg, dk]) expect(r.code, r.stderr).toBe(0)
  for (const op of ['eg', 'dk']) {
    const admit = await run([
      'federation',
      'admit',
      '--dir',
      'fed',
      '--request',
      `${op}/admission-request.json`,
      '--json',
      ...NOW,
    ])
    expect(admit.code, admit.stderr).toBe(0)
    const certify = await run([
      'operator',
      'certify-node',
      '--dir',
      op,
      '--ca-cert',
      admit.json.caCertificate as string,
      ...NOW,
    ])
    expect(certify.code, certify.stderr).toBe(0)
  }
  await readFile(join(dir, 'fed', 'trust-list.cose')).then((b) =>
    writeFile(join(dir, 'admitted.cose'), b),
  )
}, 120_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const GOV = ['--governance-key', 'fed/governance.pub.jwk']

describe('barid', () => {
  it('verifies the trust list it issued, listing both operators as active', async () => {
    const r = await run(['trust-list', 'verify', 'fed/trust-list.cose', ...GOV, '--json', ...NOW])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json.sequence).toBe(3)
    expect(
      (r.json.operators as { id: string; status: string }[]).map((o) => [o.id, o.status]),
    ).toEqual([
      ['digitalpost.dk', 'active'],
      ['post.eg', 'active'],
    ])
  })

  it('writes secrets with mode 0600 and never prints them', async () => {
    for (const f of [
      'fed/governance.key.jwk',
      'fed/root.key.jwk',
      'eg/ca.key.jwk',
      'eg/node.key.jwk',
      'dk/ca.key.jwk',
      'dk/node.key.jwk',
    ]) {
      expect(((await stat(join(dir, f))).mode & 0o777).toString(8), f).toBe('600')
      const { d } = JSON.parse(await readFile(join(dir, f), 'utf8')) as { d: string }
      for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(d)
    }
    expect(((await stat(join(dir, 'fed/governance.pub.jwk'))).mode & 0o077).toString(8)).not.toBe(
      '0',
    )
  })

  it('validates a node certificate against the trust list and shows its role and operator', async () => {
    const r = await run([
      'cert',
      'inspect',
      'eg/node.crt.pem',
      '--trust-list',
      'fed/trust-list.cose',
      ...GOV,
      '--json',
      ...NOW,
    ])
    expect(r.code, r.stderr).toBe(0)
    const [cert] = r.json.certificates as {
      role: string
      operator: string
      extKeyUsage: string[]
    }[]
    expect(cert).toMatchObject({
      role: 'node',
      operator: 'post.eg',
      extKeyUsage: ['barid-request-signing', 'barid-evidence-signing'],
    })
    expect(r.json.validation).toMatchObject({ valid: true, operator: 'post.eg' })
  })

  it('verifies an evidence bundle offline, and after withdrawal still accepts what was signed before it', async () => {
    const before = await evidence('eg', 'post.eg', T0S + 3600)
    const after = await evidence('eg', 'post.eg', T0S + 3 * 86_400)
    const cert = await parseCertificate(await readFile(join(dir, 'eg/node.crt.pem'), 'utf8'))
    await writeFile(
      join(dir, 'before.bundle'),
      createEvidenceBundle({
        records: [before.bytes],
        certificates: [cert.der],
        revocationLists: [],
      }),
    )
    await writeFile(join(dir, 'after.cose'), after.bytes)
    const withdraw = await run([
      'federation',
      'withdraw',
      '--dir',
      'fed',
      '--operator',
      'post.eg',
      '--effective',
      '2026-01-02T00:00:00Z',
      '--now',
      '2026-01-01T12:00:00Z',
    ])
    expect(withdraw.code, withdraw.stderr).toBe(0)
    const args = [
      '--trust-list',
      'fed/trust-list.cose',
      ...GOV,
      '--json',
      '--now',
      '2026-03-01T00:00:00Z',
    ]
    const [ok, refused] = await Promise.all([
      run(['evidence', 'verify', 'before.bundle', ...args]),
      run(['evidence', 'verify', 'after.cose', '--cert', 'eg/node.crt.pem', ...args]),
    ])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.json.records).toMatchObject([{ type: 'submission-accepted', issuer: 'post.eg' }])
    expect(ok.json.revocation).toBe('not-checked')
    expect(refused.code).toBe(1)
    expect(refused.json.error).toMatchObject({ code: 'ERR_OPERATOR_WITHDRAWN' })
  })

  it('refuses a rollback to an older trust list, and a list with a changed byte', async () => {
    const bytes = await readFile(join(dir, 'admitted.cose'))
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 1
    await writeFile(join(dir, 'tampered.cose'), bytes)
    const [rollback, tampered] = await Promise.all([
      run([
        'trust-list',
        'verify',
        'admitted.cose',
        '--previous',
        'fed/trust-list.cose',
        ...GOV,
        '--json',
        ...LATER,
      ]),
      run(['trust-list', 'verify', 'tampered.cose', ...GOV, '--json', ...LATER]),
    ])
    expect(rollback.code).toBe(1)
    expect(rollback.json.error).toMatchObject({ code: 'ERR_TRUST_LIST_ROLLBACK' })
    expect(tampered.code).toBe(1)
    expect(tampered.json.error).toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
  })

  it('refuses evidence signed after the operator revoked the node certificate', async () => {
    const rec = await evidence('dk', 'digitalpost.dk', T0S + 7200)
    await writeFile(join(dir, 'dk.cose'), rec.bytes)
    const revoke = await run([
      'operator',
      'revoke',
      '--dir',
      'dk',
      '--cert',
      'dk/node.crt.pem',
      '--at',
      '2026-01-01T01:00:00Z',
      '--now',
      '2026-01-01T03:00:00Z',
      '--json',
    ])
    expect(revoke.code, revoke.stderr).toBe(0)
    // The list of the CA that issued the certificate, named by that CA's key id.
    expect(revoke.json.file).toMatch(/\/dk\/revocations\/[A-Za-z0-9_-]{43}\.cose$/)
    const r = await run([
      'evidence',
      'verify',
      'dk.cose',
      '--cert',
      'dk/node.crt.pem',
      '--revocations',
      String(revoke.json.file),
      '--trust-list',
      'fed/trust-list.cose',
      ...GOV,
      '--json',
      ...LATER,
    ])
    expect(r.code).toBe(1)
    expect(r.json.error).toMatchObject({ code: 'ERR_CERT_REVOKED' })
  })

  it('rolls the governance key over: nodes holding the announcing list accept the new key, and the old key is retired', async () => {
    const announce = await run([
      'federation',
      'rollover',
      '--announce',
      '--dir',
      'fed',
      '--json',
      '--now',
      '2026-01-01T13:00:00Z',
    ])
    expect(announce.code, announce.stderr).toBe(0)
    const held = `lists/${String(announce.json.sequence).padStart(6, '0')}.cose`
    const complete = await run([
      'federation',
      'rollover',
      '--complete',
      '--dir',
      'fed',
      '--json',
      '--now',
      '2026-01-01T14:00:00Z',
    ])
    expect(complete.code, complete.stderr).toBe(0)
    const files = await readdir(join(dir, 'fed'))
    const oldPub = `fed/${files.find((f) => f.startsWith('governance-retired-') && f.endsWith('.pub.jwk'))}`
    const r = await run([
      'trust-list',
      'verify',
      'fed/trust-list.cose',
      '--previous',
      `fed/${held}`,
      '--governance-key',
      oldPub,
      '--json',
      '--now',
      '2026-01-01T15:00:00Z',
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json.signer).toBe(announce.json.nextKid)
  })

  it('reports usage and file errors with their exit codes, and refuses to overwrite secrets', async () => {
    const [unknown, missing, noFile, again, badOp] = await Promise.all([
      run(['trust-list', 'verify', 'fed/trust-list.cose', '--bogus']),
      run(['federation', 'admit', '--dir', 'fed']),
      run(['cert', 'inspect', 'nope.pem']),
      run(['federation', 'init', '--name', 'again', '--dir', 'fed']),
      run([
        'operator',
        'init',
        '--operator',
        'Not An Id',
        '--country',
        'EG',
        '--name-en',
        'x',
        '--name-ar',
        'x',
        '--name-da',
        'x',
        '--endpoint',
        'https://x.example/',
        '--dir',
        'bad',
      ]),
    ])
    expect([unknown.code, missing.code, noFile.code, again.code, badOp.code]).toEqual([
      2, 2, 3, 3, 2,
    ])
    expect(missing.stderr).toContain('--request is required')
    expect(again.stderr).toContain('refusing to overwrite')
  })

  it('exits 1 naming the file and its code for an input of the wrong content, and 3 for a missing federation.json', async () => {
    await writeFile(join(dir, 'not-a-request.json'), '{"version":1}')
    const [shape, noFed] = await Promise.all([
      run(['federation', 'admit', '--dir', 'fed', '--request', 'not-a-request.json', ...LATER]),
      run(['federation', 'admit', '--dir', 'eg', '--request', 'eg/admission-request.json']),
    ])
    expect(shape.code, shape.stderr).toBe(1)
    expect(shape.stderr).toBe(
      `barid federation admit: ERR_INVALID_ARGUMENT: ${join(dir, 'not-a-request.json')} is not an admission request made by barid operator init\n`,
    )
    expect(noFed.code, noFed.stderr).toBe(3)
    expect(noFed.stderr).toContain(`${join(dir, 'eg', 'federation.json')}: it does not exist`)
  })

  it('shows help for a command, with its exit codes', async () => {
    const r = await run(['evidence', 'verify', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: barid evidence verify FILE')
    expect(r.stdout).toContain('Exit codes:')
  })
})
