import { mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import {
  bytesEqual,
  parseCertificate,
  toBase64Url,
  verifyRevocationList,
  type ParsedCertificate,
} from '../core.js'
import { EXIT } from '../exit-codes.js'
import { dirSnapshot } from '../../test/dir-snapshot.js'

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const DAY = 86_400
const at = (s: number) => ['--now', String(s)]

let dir: string
/** Each test starts later than the one before: trust lists are issued in time order. */
let clock = T0
const begin = () => (clock += 10 * DAY)

const cli = (args: string[], now = clock) => runCaptured([...args, ...at(now)], dir)
const cert = async (path: string) => parseCertificate(await readFile(resolve(dir, path), 'utf8'))
const kidOf = (c: ParsedCertificate) => toBase64Url(c.kid!)
const mode = async (path: string) => ((await stat(join(dir, path))).mode & 0o777).toString(8)

/** The list in `file` as `ca` signed it. */
async function list(op: string, file: string, ca: ParsedCertificate) {
  return verifyRevocationList(new Uint8Array(await readFile(join(dir, op, file))), {
    operator: `${op}.example`,
    cas: [ca],
  })
}

/** Every file of an operator directory with its content: what a refusal must not touch. */
const snapshot = (op: string) => dirSnapshot(join(dir, op))

async function init(path: string, op: string) {
  const r = await cli([
    ...['operator', 'init', '--dir', path, '--operator', `${op}.example`, '--country', 'EG'],
    ...['--name-ar', 'بريد', '--name-da', 'Post', '--name-en', 'Post'],
    ...['--endpoint', `https://${op}.example/`],
  ])
  expect(r.code, r.stderr).toBe(EXIT.ok)
}

/** An admitted operator with its node certificate and a first revocation list. */
async function operator(op: string): Promise<string> {
  await init(op, op)
  const admit = await cli([
    ...['federation', 'admit', '--dir', 'fed', '--json'],
    ...['--request', `${op}/admission-request.json`],
  ])
  expect(admit.code, admit.stderr).toBe(EXIT.ok)
  const certify = await cli([
    ...['operator', 'certify-node', '--dir', op],
    ...['--ca-cert', admit.json.caCertificate as string],
  ])
  expect(certify.code, certify.stderr).toBe(EXIT.ok)
  const revoke = await cli(['operator', 'revoke', '--dir', op])
  expect(revoke.code, revoke.stderr).toBe(EXIT.ok)
  return op
}

/**
 * A new CA key for `op` and governance's certificate for it (barid federation admit --add-ca),
 * a day later; the clock goes on from then.
 */
async function nextCa(op: string, now = clock + DAY): Promise<{ cert: string; key: string }> {
  const next = `${op}-next-${now}`
  await init(next, op)
  const admit = await cli(
    [
      ...['federation', 'admit', '--dir', 'fed', '--add-ca', '--json'],
      ...['--request', `${next}/admission-request.json`],
    ],
    now,
  )
  expect(admit.code, admit.stderr).toBe(EXIT.ok)
  clock = now + 60
  return { cert: admit.json.caCertificate as string, key: `${next}/ca.key.jwk` }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-rotate-ca-'))
  const fed = await cli(['federation', 'init', '--name', 'ca-rotation', '--dir', 'fed'])
  expect(fed.code, fed.stderr).toBe(EXIT.ok)
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('barid operator rotate-ca', () => {
  it('keeps the previous CA with its list, installs the new one with a list of its own, and certifies a node key under it', async () => {
    const t = begin()
    const op = await operator('a')
    const old = await cert('a/ca.crt.pem')
    const oldNode = await cert('a/node.crt.pem')
    const oldKey = await readFile(join(dir, 'a/ca.key.jwk'), 'utf8')
    const next = await nextCa(op)
    const now = t + DAY + 60
    const r = await cli(
      [
        ...['operator', 'rotate-ca', '--dir', op, '--ca-cert', next.cert],
        ...['--ca-key', next.key, '--json'],
      ],
      now,
    )
    expect(r.code, r.stderr).toBe(EXIT.ok)
    const ca = await cert('a/ca.crt.pem')
    expect(ca.der).toEqual((await cert(next.cert)).der)
    expect(await readFile(join(dir, 'a/ca.key.jwk'), 'utf8')).toBe(
      await readFile(resolve(dir, next.key), 'utf8'),
    )
    expect(await mode('a/ca.key.jwk')).toBe('600')
    // The previous CA and its key, under its key id; its list goes on in a file of its own.
    expect((await cert(`a/previous-cas/${kidOf(old)}.crt.pem`)).der).toEqual(old.der)
    expect(await readFile(join(dir, `a/previous-cas/${kidOf(old)}.key.jwk`), 'utf8')).toBe(oldKey)
    expect(await mode(`a/previous-cas/${kidOf(old)}.key.jwk`)).toBe('600')
    expect((await list(op, `revocations/${kidOf(old)}.cose`, old)).sequence).toBe(1)
    const started = await list(op, `revocations/${kidOf(ca)}.cose`, ca)
    expect(started).toMatchObject({ sequence: 1, revoked: [], issued: now })
    // The node key: a new one under the new CA, the previous one retired with its certificate.
    const node = await cert('a/node.crt.pem')
    expect(bytesEqual(node.authorityKeyId!, ca.subjectKeyId!)).toBe(true)
    expect((await cert(`a/retired/node-${oldNode.serialNumber}.crt.pem`)).der).toEqual(oldNode.der)
    expect(r.json).toMatchObject({
      ok: true,
      ca: kidOf(ca),
      previous: { ca: kidOf(old), serial: old.serialNumber },
      node: { serial: node.serialNumber, retired: { serial: oldNode.serialNumber } },
    })
    // The new node certificate speaks for the operator under the federation's list.
    const inspect = await cli(
      [
        ...['cert', 'inspect', 'a/node.crt.pem', '--trust-list', 'fed/trust-list.cose'],
        ...['--governance-key', 'fed/governance.pub.jwk', '--json'],
      ],
      now,
    )
    expect(inspect.json.validation).toMatchObject({ valid: true, operator: 'a.example' })
    // Run again: nothing left to do, and said so.
    const again = await cli(
      ['operator', 'rotate-ca', '--dir', op, '--ca-cert', next.cert, '--ca-key', next.key],
      now + 60,
    )
    expect(again.code).toBe(EXIT.refused)
    expect(again.stderr).toContain('is complete')
  })

  it('revokes a certificate in the list of the CA that issued it, current or previous', async () => {
    const t = begin()
    const op = await operator('b')
    const old = await cert('b/ca.crt.pem')
    const oldNode = await cert('b/node.crt.pem')
    const next = await nextCa(op)
    const now = t + DAY + 60
    const r = await cli(
      ['operator', 'rotate-ca', '--dir', op, '--ca-cert', next.cert, '--ca-key', next.key],
      now,
    )
    expect(r.code, r.stderr).toBe(EXIT.ok)
    const ca = await cert('b/ca.crt.pem')
    const oldList = `revocations/${kidOf(old)}.cose`
    const newList = `revocations/${kidOf(ca)}.cose`

    // The previous node certificate: in the previous CA's list, which goes on from its sequence.
    const retired = `b/retired/node-${oldNode.serialNumber}.crt.pem`
    const a = await cli(['operator', 'revoke', '--dir', op, '--cert', retired, '--json'], now + 60)
    expect(a.code, a.stderr).toBe(EXIT.ok)
    expect(a.json).toMatchObject({ ca: kidOf(old), current: false, sequence: 2, revoked: 1 })
    expect(a.json.path).toBe(`/.well-known/barid-revocations/${kidOf(old)}`)
    expect((await list(op, oldList, old)).revoked.map((e) => e.serial)).toEqual([
      oldNode.serialNumber,
    ])
    expect((await list(op, newList, ca)).sequence).toBe(1)

    // The new node certificate: in the new CA's list.
    const b = await cli(['operator', 'revoke', '--dir', op, '--cert', 'b/node.crt.pem', '--json'])
    expect(b.json).toMatchObject({ ca: kidOf(ca), current: true, sequence: 2, revoked: 1 })
    expect((await list(op, oldList, old)).sequence).toBe(2)

    // Reissued unchanged, each by its key id; a serial alone goes to the current CA.
    const c = await cli(['operator', 'revoke', '--dir', op, `--ca=${kidOf(old)}`, '--json'])
    expect(c.json).toMatchObject({ ca: kidOf(old), sequence: 3, revoked: 1 })
    const d = await cli(['operator', 'revoke', '--dir', op, '--serial', '0a0b', '--json'])
    expect(d.json).toMatchObject({ ca: kidOf(ca), sequence: 3, revoked: 2 })

    // Certificates of two CAs in one run, or one named under the other CA, are refused.
    const before = await snapshot(op)
    const both = await cli([
      ...['operator', 'revoke', '--dir', op, '--cert', retired, '--cert', 'b/node.crt.pem'],
    ])
    expect(both.code).toBe(EXIT.usage)
    expect(both.stderr).toContain('in a run of its own')
    const crossed = await cli([
      ...['operator', 'revoke', '--dir', op, `--ca=${kidOf(ca)}`, '--cert', retired],
    ])
    expect(crossed.code).toBe(EXIT.usage)
    // A certificate of the operator whose CA the directory does not hold.
    const stranger = await operator('b2')
    expect(stranger).toBe('b2')
    const foreign = await cli([
      ...['operator', 'revoke', '--dir', op, '--cert', 'b2/node.crt.pem', '--json'],
    ])
    expect(foreign.code).toBe(EXIT.refused)
    expect(foreign.json).toMatchObject({ error: { code: 'ERR_CERT_OPERATOR_MISMATCH' } })
    // A certificate of this operator under a CA the directory no longer holds.
    await rename(join(dir, op, 'previous-cas'), join(dir, 'b-previous-cas'))
    const unknown = await cli(['operator', 'revoke', '--dir', op, '--cert', retired, '--json'])
    await rename(join(dir, 'b-previous-cas'), join(dir, op, 'previous-cas'))
    expect(unknown.code).toBe(EXIT.refused)
    expect(unknown.json).toMatchObject({ error: { code: 'ERR_CERT_UNTRUSTED' } })
    expect(await snapshot(op)).toEqual(before)
  })

  it('continues a single revocations.cose as the list of the CA that signed it', async () => {
    const t = begin()
    const op = await operator('c')
    const old = await cert('c/ca.crt.pem')
    // An operator directory of an earlier version: one list, revocations.cose.
    const own = `revocations/${kidOf(old)}.cose`
    await rename(join(dir, op, own), join(dir, op, 'revocations.cose'))
    const first = await cli(['operator', 'revoke', '--dir', op, '--serial', '01', '--json'])
    expect(first.json).toMatchObject({ ca: kidOf(old), sequence: 2, revoked: 1 })
    await expect(stat(join(dir, op, 'revocations.cose'))).rejects.toThrow()

    // And a CA rotation moves it to the previous CA's own file.
    await rename(join(dir, op, own), join(dir, op, 'revocations.cose'))
    const next = await nextCa(op)
    const r = await cli(
      ['operator', 'rotate-ca', '--dir', op, '--ca-cert', next.cert, '--ca-key', next.key],
      t + DAY + 60,
    )
    expect(r.code, r.stderr).toBe(EXIT.ok)
    await expect(stat(join(dir, op, 'revocations.cose'))).rejects.toThrow()
    expect(await list(op, own, old)).toMatchObject({ sequence: 2, revoked: [{ serial: '01' }] })
    const again = await cli(['operator', 'revoke', '--dir', op, `--ca=${kidOf(old)}`, '--json'])
    expect(again.json).toMatchObject({ sequence: 3, revoked: 1 })
  })

  it('refuses a certificate that is not a new CA of the operator for the key given, changing nothing', async () => {
    const t = begin()
    const op = await operator('d')
    const other = await operator('d2')
    const next = await nextCa(op)
    const otherNext = await nextCa(other)
    const before = await snapshot(op)
    const rotate = (args: string[]) =>
      cli(['operator', 'rotate-ca', '--dir', op, ...args], t + DAY + 60)
    // A wrong command line is a usage error; what the files given hold is refused (exit 1).
    const cases: [string[], string, number][] = [
      [['--ca-key', next.key], '--ca-cert is required', EXIT.usage],
      [['--ca-cert', next.cert], '--ca-key is required', EXIT.usage],
      [['--ca-cert', next.cert, '--ca-key', next.key, '--days', '0'], '--days', EXIT.usage],
      [['--ca-cert', next.cert, '--ca-key', next.key, '--alg', 'RSA'], 'Ed25519', EXIT.usage],
      [
        ['--ca-cert', otherNext.cert, '--ca-key', otherNext.key],
        'not an operator CA certificate',
        EXIT.refused,
      ],
      [['--ca-cert', next.cert, '--ca-key', otherNext.key], 'another key than', EXIT.refused],
      [['--ca-cert', 'd/ca.crt.pem', '--ca-key', 'd/ca.key.jwk'], 'is complete', EXIT.refused],
      [
        ['--ca-cert', 'd/node.crt.pem', '--ca-key', 'd/node.key.jwk'],
        'not an operator CA',
        EXIT.refused,
      ],
    ]
    for (const [args, message, code] of cases) {
      const r = await rotate(args)
      expect(r.code, args.join(' ')).toBe(code)
      expect(r.stderr).toContain(message)
    }
    // Not yet valid, or no longer.
    const early = await cli(
      ['operator', 'rotate-ca', '--dir', op, '--ca-cert', next.cert, '--ca-key', next.key],
      t,
    )
    expect(early.code).toBe(EXIT.refused)
    expect(early.stderr).toContain('not valid now')
    // A lost node key needs the time of the loss before anything is installed.
    await rename(join(dir, op, 'node.key.jwk'), join(dir, 'd-node.key.jwk'))
    const lost = await rotate(['--ca-cert', next.cert, '--ca-key', next.key])
    await rename(join(dir, 'd-node.key.jwk'), join(dir, op, 'node.key.jwk'))
    expect(lost.code).toBe(EXIT.file)
    expect(lost.stderr).toContain('--retire-at')
    const missing = await rotate(['--ca-cert', next.cert, '--ca-key', 'nowhere.jwk'])
    expect(missing.code).toBe(EXIT.file)
    expect(await snapshot(op)).toEqual(before)
  })

  it('refuses a retirement of the previous node key after governance retired its CA, before writing anything', async () => {
    const t = begin()
    const op = await operator('h')
    const next = await nextCa(op)
    // The CA key was compromised: governance retires the CA first, from the time of the loss.
    const old = await cert('h/ca.crt.pem')
    const retire = await cli([
      ...['federation', 'retire-ca', '--dir', 'fed', '--operator', 'h.example'],
      ...['--serial', old.serialNumber, '--at', String(t + DAY)],
    ])
    expect(retire.code, retire.stderr).toBe(EXIT.ok)
    const before = await snapshot(op)
    const list = [
      ...['--trust-list', 'fed/trust-list.cose'],
      ...['--governance-key', 'fed/governance.pub.jwk'],
    ]
    const rotate = (args: string[]) =>
      cli([
        ...['operator', 'rotate-ca', '--dir', op, '--ca-cert', next.cert],
        ...['--ca-key', next.key, ...args],
      ])
    const late = await rotate(['--retire-at', String(clock + 3600), ...list])
    expect(late.code).toBe(EXIT.refused)
    expect(late.stderr).toContain('ERR_OPERATOR_CA_RETIRED')
    expect(await snapshot(op)).toEqual(before)
    const r = await rotate(['--json', ...list])
    expect(r.code, r.stderr).toBe(EXIT.ok)
    // The default is brought forward to the retirement: the previous key signs nothing more.
    const retiredAt = new Date((t + DAY) * 1000).toISOString().replace('.000Z', 'Z')
    expect(r.json.node).toMatchObject({ retired: { retiredAt } })
  })

  it('finishes an interrupted rotation when run again with the same arguments', async () => {
    const t = begin()
    const op = await operator('e')
    const old = await cert('e/ca.crt.pem')
    const next = await nextCa(op)
    // The node rotation fails after the CA is installed: its retirement time is refused.
    const now = t + DAY + 60
    const args = [
      ...['operator', 'rotate-ca', '--dir', op, '--ca-cert', next.cert],
      ...['--ca-key', next.key],
    ]
    const failed = await cli([...args, '--retire-at', String(t + 800 * DAY)], now)
    expect(failed.code).toBe(EXIT.refused)
    expect(failed.stderr).toContain('run barid operator rotate-ca again')
    expect((await cert('e/ca.crt.pem')).der).toEqual((await cert(next.cert)).der)
    const done = await cli([...args, '--json'], now + 60)
    expect(done.code, done.stderr).toBe(EXIT.ok)
    expect(done.json).toMatchObject({ previous: { ca: kidOf(old) } })
    const node = await cert('e/node.crt.pem')
    expect(toBase64Url(node.authorityKeyId!)).toBe(done.json.ca)
  })

  it('answers any --ca that is not a CA of the directory with a usage error, never a crash', async () => {
    const t = begin()
    const op = await operator('f')
    const before = await snapshot(op)
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('../ca', '..', '/etc/passwd', '')),
        async (kid) => {
          const r = await cli(['operator', 'revoke', '--dir', op, `--ca=${kid}`])
          expect([EXIT.usage], r.stderr).toContain(r.code)
        },
      ),
      { numRuns: 40 },
    )
    expect(await snapshot(op)).toEqual(before)
  })
})
