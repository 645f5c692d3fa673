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

async function verify(bytes: Uint8Array, json = true, more: string[] = []) {
  const file = `bundle-${sha256(bytes).slice(0, 16)}.cbor`
  await writeFile(join(dir, file), bytes)
  return runCaptured(
    [
      ...['evidence', 'verify', file, '--trust-list', 'trust-list.cose'],
      ...['--governance-key', 'governance.pub.jwk', '--now', String(v.now)],
      ...(json ? ['--json'] : []),
      ...more,
    ],
    dir,
  )
}

const valid = (name: string) => fromHex(v.valid.find((x) => x.name.startsWith(name))!.hex)
const invalid = (name: string) => fromHex(v.invalid.find((x) => x.name.startsWith(name))!.hex)
const DAY = 86_400

/** The first record alone with its log proof, witnessed by `cosignatures` (all by default). */
function firstLogged(keep: (c: Uint8Array, i: number) => boolean = () => true) {
  const bundle = readEvidenceBundle(valid('with the accepted record proved'))
  const entry = bundle.log![0]!
  return createEvidenceBundle({
    ...bundle,
    records: [bundle.records[0]!],
    log: [{ ...entry, cosignatures: entry.cosignatures.filter(keep) }],
  })
}

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

describe('barid evidence verify tells how old the trust list is (spec 21.7 step 2)', () => {
  it('gives the issue and next-update times relative to the verification time', async () => {
    const r = await verify(valid('registered letter'))
    expect(r.json.verifiedAt).toBe('2026-01-02T00:00:00Z')
    expect(r.json.trustList).toMatchObject({
      issued: '2026-01-01T00:00:00Z',
      nextUpdate: '2026-01-08T00:00:00Z',
    })
    const text = await verify(valid('registered letter'), false)
    expect(text.stdout).toContain('issued 2026-01-01T00:00:00Z, 1 day before this verification')
    expect(text.stdout).toContain('next update is due 2026-01-08T00:00:00Z, 6 days after')
  })

  it('says in words that an old list is not a forged one', async () => {
    const later = ['--now', String(v.now + 400 * DAY)]
    const text = await verify(valid('registered letter'), false, later)
    expect(text.code, text.stderr).toBe(EXIT.ok)
    expect(text.stdout).toContain('(expired)')
    expect(text.stdout).toContain('issued 2026-01-01T00:00:00Z, 401 days before this verification')
    expect(text.stdout).toContain('next update was due 2026-01-08T00:00:00Z, 394 days before')
    expect(text.stdout).toMatch(/an old list is not a forged one/i)
  })

  it('says that a trust list none of whose operators signed the bundle appears to be for another federation', async () => {
    const other = await runCaptured(
      ['federation', 'init', '--name', 'elsewhere', '--dir', 'other-fed', '--now', String(v.now)],
      dir,
    )
    expect(other.code, other.stderr).toBe(EXIT.ok)
    const file = 'bundle-for-another-federation.cbor'
    await writeFile(join(dir, file), valid('registered letter'))
    const r = await runCaptured(
      [
        ...['evidence', 'verify', file, '--trust-list', 'other-fed/trust-list.cose'],
        ...['--governance-key', 'other-fed/governance.pub.jwk', '--now', String(v.now), '--json'],
      ],
      dir,
    )
    expect(r.code).toBe(EXIT.refused)
    const error = r.json.error as { code: string; message: string; details: unknown }
    expect(error.code).toBe('ERR_OPERATOR_UNKNOWN')
    expect(error.message).toMatch(/appears to be for another federation/)
    expect(error.message).toContain('elsewhere')
    expect(error.message).toMatch(/digitalpost\.dk, post\.eg/)
    expect(error.details).toMatchObject({
      federation: 'elsewhere',
      listOperators: [],
      bundleOperators: ['digitalpost.dk', 'post.eg'],
    })
  })
})

describe('barid evidence verify and the witnesses of a log (spec 16.8 rule 3)', () => {
  it('says plainly that no independent witness vouches for a checkpoint nobody cosigned', async () => {
    const bare = firstLogged(() => false)
    const r = await verify(bare)
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect(r.json.log).toMatchObject([{ record: 0, witnesses: [] }])
    const text = await verify(bare, false)
    expect(text.stdout).toMatch(
      /record 1: no independent witness vouches for this state of post\.eg's log/,
    )
    const witnessed = await verify(firstLogged(), false)
    expect(witnessed.stdout).toContain('cosigned by digitalpost.dk')
    expect(witnessed.stdout).not.toMatch(/no independent witness/)
  })

  it('accepts with --require-witnesses N when every record is in a checkpoint N witnesses cosigned', async () => {
    const r = await verify(firstLogged(), true, ['--require-witnesses', '1'])
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect(r.json.witnessesRequired).toBe(1)
  })

  it('refuses with --require-witnesses N a checkpoint fewer witnesses cosigned, naming the record', async () => {
    for (const [bytes, n] of [
      [firstLogged(() => false), '1'],
      [firstLogged(), '2'],
    ] as const) {
      const r = await verify(bytes, true, ['--require-witnesses', n])
      expect(r.code).toBe(EXIT.refused)
      const error = r.json.error as { code: string; message: string; details: unknown }
      expect(error.code).toBe('ERR_WITNESS_INSUFFICIENT')
      expect(error.details).toMatchObject({ part: 'log', record: 0, required: Number(n) })
      expect(error.message).toMatch(/^the log proof of record 1: /)
    }
  })

  it('refuses with --require-witnesses a record without a log proof, since one can be removed', async () => {
    const r = await verify(valid('with the accepted record proved'), true, [
      '--require-witnesses',
      '1',
    ])
    expect(r.code).toBe(EXIT.refused)
    const error = r.json.error as { code: string; message: string; details: unknown }
    expect(error.code).toBe('ERR_WITNESS_INSUFFICIENT')
    expect(error.details).toMatchObject({ part: 'log', record: 1 })
    expect(error.message).toMatch(/^the log proof of record 2: there is none in the bundle/)
  })

  it('takes only a positive count for --require-witnesses', async () => {
    for (const n of ['0', 'two', '-1'])
      expect((await verify(firstLogged(), true, ['--require-witnesses', n])).code).toBe(EXIT.usage)
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
    [
      'record dated more than 300 s after the checkpoint',
      { part: 'log', record: 0 },
      /log proof of record 1: the record is dated after the checkpoint/,
    ],
    [
      'record dated more than 300 s after `now`',
      { part: 'record', record: 2 },
      /record 3 of 3: it is dated after the time of this verification/,
    ],
    ['two log entries for one record', { part: 'bundle' }, /bundle/],
    ['two cosignatures by one witness', { part: 'log', record: 0 }, /log proof of record 1/],
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
