/**
 * `barid evidence verify` as an auditor or a court uses it, over the spec's evidence-bundle
 * vectors (spec 21.7): what the report says (the letter's digest, each record's digest, the
 * trust list used, the records no log proof covers) and where a refusal says the bundle failed.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEvidenceBundle } from '@barid/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCaptured } from '../cli-capture.js'
import { EXIT } from '../exit-codes.js'
import { fromHex, readEvidenceBundle } from '../core.js'

interface Vectors {
  now: number
  governanceKeys: Record<string, string>[]
  trustList: string
  letter: { id: string; digest: string }
  valid: { name: string; hex: string }[]
  invalid: { name: string; hex: string; reason: string }[]
}

const v = JSON.parse(
  await readFile(new URL('../../../../spec/vectors/evidence-bundle.json', import.meta.url), 'utf8'),
) as Vectors
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-evidence-report-'))
  await writeFile(join(dir, 'trust-list.cose'), fromHex(v.trustList))
  await writeFile(join(dir, 'governance.pub.jwk'), JSON.stringify(v.governanceKeys[0]))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function verify(bytes: Uint8Array, json = true) {
  const file = `bundle-${sha256(bytes).slice(0, 16)}.cbor`
  await writeFile(join(dir, file), bytes)
  return runCaptured(
    [
      ...['evidence', 'verify', file, '--trust-list', 'trust-list.cose'],
      ...['--governance-key', 'governance.pub.jwk', '--now', String(v.now)],
      ...(json ? ['--json'] : []),
    ],
    dir,
  )
}

const valid = (name: string) => fromHex(v.valid.find((x) => x.name.startsWith(name))!.hex)
const invalid = (name: string) => fromHex(v.invalid.find((x) => x.name.startsWith(name))!.hex)

describe('barid evidence verify reports what a court needs (spec 21.7)', () => {
  it('gives the letter digest, each record digest and the trust list it used', async () => {
    const bytes = valid('registered letter')
    const r = await verify(bytes)
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect(r.json.letter).toEqual({ id: v.letter.id, digest: v.letter.digest })
    const records = readEvidenceBundle(bytes).records
    expect((r.json.records as { digest: string }[]).map((x) => x.digest)).toEqual(
      records.map(sha256),
    )
    expect(r.json.trustList).toMatchObject({
      federation: expect.any(String),
      sequence: expect.any(Number),
      issued: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      digest: sha256(fromHex(v.trustList)),
    })
    const text = await verify(bytes, false)
    expect(text.stdout).toContain(v.letter.digest)
    expect(text.stdout).toContain(sha256(fromHex(v.trustList)))
  })

  it('says which records no log proof in the bundle covers', async () => {
    const r = await verify(valid('with the accepted record proved'))
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect((r.json.records as { logged: boolean }[]).map((x) => x.logged)).toEqual([
      true,
      false,
      false,
    ])
    const text = await verify(valid('with the accepted record proved'), false)
    expect(text.stdout).toMatch(/record 2 .*no log proof/)
    expect(text.stdout).toMatch(/record 3 .*no log proof/)
    expect(text.stdout).not.toMatch(/record 1 .*no log proof/)
  })
})

describe('barid evidence verify says where a bundle fails, in words (spec 21.7)', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['relay-accepted record with one payload byte', { part: 'record', record: 1 }, /record 2 of 3/],
    ["certificate of the relay's signer missing", { part: 'record', record: 1 }, /record 2 of 3/],
    ['delivered record dated at the revocation', { part: 'record', record: 2 }, /revoked/],
    ['record of post.eg dated at its withdrawal', { part: 'record', record: 0 }, /member/],
    ['revocation lists given, but none', { part: 'record', record: 0 }, /record 1 of 3/],
    ['record dated at the retirement time', { part: 'record', record: 0 }, /retired/],
    ['inclusion proof with one path hash changed', { part: 'log', record: 0 }, /log proof/],
    ["checkpoint of another operator's log", { part: 'log', record: 0 }, /log proof of record 1/],
    ['unknown top-level field', { part: 'bundle' }, /bundle/],
  ]
  for (const [name, details, words] of cases) {
    it(`locates the failure of the vector ${name.replace(/'/g, '')}`, async () => {
      const vector = v.invalid.find((x) => x.name.startsWith(name))!
      const r = await verify(invalid(name))
      expect(r.code).toBe(EXIT.refused)
      const error = r.json.error as { code: string; message: string; details: unknown }
      expect(error.code).toBe(vector.reason)
      expect(error.details).toMatchObject(details)
      expect(error.message).toMatch(words)
    })
  }

  it('counts records from 1 in a broken chain, as the report does', async () => {
    const bundle = readEvidenceBundle(valid('registered letter'))
    const [a, b, c] = bundle.records as [Uint8Array, Uint8Array, Uint8Array]
    const r = await verify(createEvidenceBundle({ ...bundle, records: [a, c, b] }))
    expect(r.code).toBe(EXIT.refused)
    const error = r.json.error as { code: string; message: string; details: unknown }
    expect(error.code).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
    expect(error.details).toMatchObject({ part: 'record', record: 1 })
    expect(error.message).toMatch(/^record 2 of 3: .*missing, added, out of order/)
    // The technical part counts from 1 too: no "record 1" for the second record.
    expect(error.message).not.toMatch(/record 1\b/)
  })

  it('names the revocation list that no listed CA signed', async () => {
    const bundle = readEvidenceBundle(valid('registered letter'))
    const lists = bundle.revocationLists.map((l, i) => {
      if (i === 0) return l
      const c = l.slice()
      c[c.length - 40]! ^= 1
      return c
    })
    const r = await verify(createEvidenceBundle({ ...bundle, revocationLists: lists }))
    expect(r.code).toBe(EXIT.refused)
    const error = r.json.error as { message: string; details: unknown }
    expect(error.details).toMatchObject({ part: 'revocation-list', item: 1 })
    expect(error.message).toMatch(/^revocation list 2 of 2/)
  })

  it('names a damaged certificate of the bundle', async () => {
    const bundle = readEvidenceBundle(valid('registered letter'))
    const certs = bundle.certificates.map((c, i) => (i === 0 ? c.slice(0, c.length - 1) : c))
    const r = await verify(createEvidenceBundle({ ...bundle, certificates: certs }))
    expect(r.code).toBe(EXIT.refused)
    const error = r.json.error as { code: string; message: string; details: unknown }
    expect(error.code).toBe('ERR_CERT_MALFORMED')
    expect(error.details).toMatchObject({ part: 'certificate', item: 0 })
    expect(error.message).toMatch(/^certificate 1 of \d+ in the bundle: it is damaged/)
  })
})
