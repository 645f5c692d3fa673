import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEvidence, createEvidenceBundle, newLetterId } from '@barid/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { importKeyPair, parseCertificate, type KeyPair, type ParsedCertificate } from '../core.js'
import { EXIT } from '../exit-codes.js'
import { ROTATION_FILES, type NodeKeysManifest } from './operator-rotate-node.js'

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const at = (s: number) => ['--now', String(s)]
/** The old node key's retirement time (spec 21.4), set with `rotate-node --retire-at`. */
const RETIRED = T0 + 3600

let dir: string
let oldKey: KeyPair
let newKey: KeyPair
let oldCert: ParsedCertificate
let newCert: ParsedCertificate

const cli = (args: string[]) => runCaptured(args, dir)

async function ok(args: string[]) {
  const r = await cli(args)
  expect(r.code, r.stderr).toBe(EXIT.ok)
  return r
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-evidence-verify-'))
  await ok(['federation', 'init', '--name', 'retirement', '--dir', 'fed', ...at(T0)])
  await ok([
    ...['operator', 'init', '--dir', 'eg', '--operator', 'post.eg', '--country', 'EG'],
    ...['--name-ar', 'بريد', '--name-da', 'Post', '--name-en', 'Post'],
    ...['--endpoint', 'https://barid.post.eg/', ...at(T0)],
  ])
  const admit = await ok([
    ...['federation', 'admit', '--dir', 'fed', '--request', 'eg/admission-request.json'],
    ...['--json', ...at(T0)],
  ])
  const ca = admit.json.caCertificate as string
  await ok(['operator', 'certify-node', '--dir', 'eg', '--ca-cert', ca, ...at(T0)])
  await ok(['operator', 'rotate-node', '--dir', 'eg', '--retire-at', String(RETIRED), ...at(T0)])
  const manifest = JSON.parse(
    await readFile(join(dir, 'eg', ROTATION_FILES.manifest), 'utf8'),
  ) as NodeKeysManifest
  const entry = manifest.retired[0]!
  const key = async (path: string) =>
    importKeyPair(JSON.parse(await readFile(join(dir, 'eg', path), 'utf8')), { use: 'sign' })
  oldKey = await key(entry.key!)
  newKey = await key('node.key.jwk')
  oldCert = await parseCertificate(await readFile(join(dir, 'eg', entry.cert), 'utf8'))
  newCert = await parseCertificate(await readFile(join(dir, 'eg', 'node.crt.pem'), 'utf8'))
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A bundle of one record signed by `key` at `time`, verified offline by `barid evidence verify`. */
async function verifyBundle(
  key: KeyPair,
  time: number,
  withRetirement = true,
  revocationLists: Uint8Array[] = [],
) {
  const record = await createEvidence({
    type: 'submission-accepted',
    letterId: newLetterId(time * 1000),
    letterDigest: new Uint8Array(32).fill(3),
    issuer: 'post.eg',
    time: time * 1000,
    prev: null,
    key,
  })
  const file = `bundle-${time}-${key.kidBase64Url.slice(0, 8)}-${withRetirement}-${revocationLists.length}.cbor`
  await writeFile(
    join(dir, file),
    createEvidenceBundle({
      records: [record.bytes],
      certificates: [newCert.der, oldCert.der],
      revocationLists,
      ...(withRetirement ? { retiredKeys: [{ kid: oldKey.kid, retired: RETIRED }] } : {}),
    }),
  )
  return cli([
    ...['evidence', 'verify', file, '--trust-list', 'fed/trust-list.cose'],
    ...['--governance-key', 'fed/governance.pub.jwk', '--json', ...at(T0 + 86_400)],
  ])
}

describe('barid evidence verify and node key retirement (spec 21.7)', () => {
  it('accepts a record the old key signed before the retirement time its bundle gives', async () => {
    const r = await verifyBundle(oldKey, RETIRED - 1)
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect(r.json.records).toMatchObject([{ kid: oldKey.kidBase64Url, issuer: 'post.eg' }])
  })

  it('refuses with ERR_KEY_RETIRED a record the old key signed at or after its retirement', async () => {
    for (const time of [RETIRED, RETIRED + 60]) {
      const r = await verifyBundle(oldKey, time)
      expect(r.code).toBe(EXIT.refused)
      expect(r.json.error).toMatchObject({ code: 'ERR_KEY_RETIRED' })
    }
    expect((await verifyBundle(newKey, RETIRED + 60)).code).toBe(EXIT.ok)
  })

  it('reads a bundle file larger than other inputs when its revocation lists are within their own limit', async () => {
    // Three lists of 3 MiB, not signed lists: the bundle is read, then its first list refused.
    const lists = [1, 2, 3].map((n) => new Uint8Array(3 << 20).fill(n))
    const r = await verifyBundle(oldKey, RETIRED - 1, true, lists)
    expect(r.code).toBe(EXIT.refused)
    expect(r.json.error).toMatchObject({ code: 'ERR_COSE_MALFORMED' })
  })

  it('reads a bundle without retirement times (made before the field) as retiring no key', async () => {
    expect((await verifyBundle(oldKey, RETIRED + 60, false)).code).toBe(EXIT.ok)
  })
})
