import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, sha256, toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { bundleVectorBytes, type BundleRecipe } from '../../test/bundle-vector-bytes.js'
import { readVectors } from '../../test/vectors-file.js'
import { codeOf } from '../../test/code-of.js'
import { verifyEvidenceBundle } from './bundle-verify.js'
import { createEvidenceBundle, readEvidenceBundle } from './evidence-bundle.js'
import { createTrustList, verifyTrustList } from './trust-list.js'
import { makePki, trustListInput } from './vectors.js'

interface Vectors {
  now: number
  governanceKeys: { kty: string; crv: string; x: string }[]
  trustList: string
  letter: { id: string; digest: string }
  valid: {
    name: string
    hex: string
    revocation: 'checked' | 'not-checked'
    records: { type: string; issuer: string; time: number; signedAt: number; kid: string }[]
    log?: { record: number; witnesses: string[] }[]
  }[]
  invalid: { name: string; hex?: string; recipe?: BundleRecipe; reason: string }[]
}

const v = readVectors('evidence-bundle') as Vectors
const trustList = fromHex(v.trustList)
const options = { trustList, governanceKeys: v.governanceKeys, now: v.now }
const valid = (name: string) => fromHex(v.valid.find((x) => x.name.startsWith(name))!.hex)
const invalid = (name: string) =>
  bundleVectorBytes(v.valid, v.invalid.find((x) => x.name.startsWith(name))!)

/** The BaridError a verification ends in; fails the test if it resolves or throws another. */
async function refusal(
  bytes: Uint8Array | Parameters<typeof verifyEvidenceBundle>[0],
  o: Partial<Parameters<typeof verifyEvidenceBundle>[1]> = {},
): Promise<BaridError> {
  const e = await verifyEvidenceBundle(bytes, { ...options, ...o }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(e).toBeInstanceOf(BaridError)
  return e as BaridError
}

describe('verifyEvidenceBundle on the valid bundles of the vectors (spec 21.7)', () => {
  it('gives, for every record, what the vectors say was verified', async () => {
    for (const entry of v.valid) {
      const got = await verifyEvidenceBundle(fromHex(entry.hex), options)
      const records = got.records.map((r) => ({
        type: r.type,
        issuer: r.issuer,
        time: r.time,
        signedAt: r.signedAt,
        kid: toHex(r.kid),
        ...(r.recipient === undefined ? {} : { recipient: r.recipient }),
      }))
      expect(records, entry.name).toEqual(entry.records)
      expect(got.revocation, entry.name).toBe(entry.revocation)
      expect(got.letter.id).toBe(v.letter.id)
      expect(toHex(got.letter.digest)).toBe(v.letter.digest)
      const bundle = readEvidenceBundle(fromHex(entry.hex))
      for (const r of got.records) {
        expect(r.digest).toEqual(await sha256(bundle.records[r.index]!))
        expect(r.certificate.operatorId).toBe(r.issuer)
      }
    }
  })

  it('says which records a log proof covers and which witnesses cosigned it', async () => {
    const got = await verifyEvidenceBundle(valid('with the accepted record proved'), options)
    expect(got.records.map((r) => r.log?.witnesses)).toEqual([
      ['digitalpost.dk'],
      undefined,
      undefined,
    ])
    expect(got.log).toMatchObject([{ record: 0, logId: 'post.eg', index: 2 }])
  })

  it('reports the trust list used and its age at the verification time', async () => {
    const later = v.now + 400 * 86_400
    const got = await verifyEvidenceBundle(valid('registered letter'), { ...options, now: later })
    expect(got.verifiedAt).toBe(later)
    expect(got.trustList.list.federation).toBe('barid-vectors')
    expect(got.trustList.digest).toEqual(await sha256(trustList))
    expect(got.trustList.age).toBe(later - got.trustList.list.issued)
    // An old list is reported as such, not refused (spec 21.7 step 2).
    expect(got.trustList.freshness.state).toBe('expired')
  })

  it('takes a trust list the caller verified already', async () => {
    const list = await verifyTrustList(trustList, {
      governanceKeys: v.governanceKeys,
      now: v.now,
    })
    const bytes = valid('registered letter')
    const got = await verifyEvidenceBundle(bytes, { trustList: list, now: v.now })
    expect(got.records).toHaveLength(3)
  })

  it('accepts with requireWitnesses a record whose checkpoint enough witnesses cosigned', async () => {
    const bundle = readEvidenceBundle(valid('with the accepted record proved'))
    const first = createEvidenceBundle({ ...bundle, records: [bundle.records[0]!] })
    const got = await verifyEvidenceBundle(first, { ...options, requireWitnesses: 1 })
    expect(got.witnessesRequired).toBe(1)
  })
})

describe('verifyEvidenceBundle says where a bundle fails', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['record dated at the retirement time', { part: 'record', record: 0 }],
    ['relay-accepted record with one payload byte', { part: 'record', record: 1 }],
    ["certificate of the relay's signer missing", { part: 'record', record: 1 }],
    ['bundle map not in deterministic encoding', { part: 'bundle' }],
    ['unknown top-level field', { part: 'bundle' }],
    ['version 2', { part: 'bundle' }],
    ['the same kid twice in retired-keys', { part: 'bundle' }],
    ['record of post.eg dated at its withdrawal', { part: 'record', record: 0 }],
    ['delivered record dated at the revocation', { part: 'record', record: 2 }],
    ['revocation lists given, but none', { part: 'record', record: 0 }],
    ['inclusion proof with one path hash changed', { part: 'log', record: 0 }],
    ["checkpoint of another operator's log", { part: 'log', record: 0 }],
    ['record dated more than 300 s after the checkpoint', { part: 'log', record: 0 }],
    ['record dated more than 300 s after `now`', { part: 'record', record: 2 }],
    ['two log entries for one record', { part: 'bundle' }],
    ['two cosignatures by one witness', { part: 'log', record: 0 }],
    ["two checkpoints of Digital Post's log of one size", { part: 'log' }],
    ["a later checkpoint of Digital Post's log with a smaller size", { part: 'log' }],
    ['checkpoint signed by a post.eg key whose certificate', { part: 'log' }],
    ['cosignature by a Digital Post key whose certificate', { part: 'log' }],
    ['a revocation list one byte over 4 MiB', { part: 'bundle' }],
  ]
  it('has a case for every must-fail vector', () => {
    expect(v.invalid.map((x) => cases.some(([c]) => x.name.startsWith(c)))).not.toContain(false)
  })
  for (const [name, details] of cases) {
    it(`refuses the vector ${name.replace(/'/g, '')} with its code, at its part`, async () => {
      const e = await refusal(invalid(name))
      expect(e.code).toBe(v.invalid.find((x) => x.name.startsWith(name))!.reason)
      expect(e.details).toMatchObject(details)
    })
  }

  it('names a revocation list that no listed CA signed', async () => {
    const bundle = readEvidenceBundle(valid('registered letter'))
    const lists = bundle.revocationLists.map((l, i) => {
      if (i === 0) return l
      const c = l.slice()
      c[c.length - 40]! ^= 1
      return c
    })
    const e = await refusal(createEvidenceBundle({ ...bundle, revocationLists: lists }))
    expect(e.details).toMatchObject({ part: 'revocation-list', item: 1 })
    expect(e.message).toMatch(/^revocation list 2 of 2/)
  })

  it('names a damaged certificate of the bundle', async () => {
    const bundle = readEvidenceBundle(valid('registered letter'))
    const certs = bundle.certificates.map((c, i) => (i === 1 ? c.slice(0, c.length - 1) : c))
    const e = await refusal(createEvidenceBundle({ ...bundle, certificates: certs }))
    expect(e.code).toBe('ERR_CERT_MALFORMED')
    expect(e.details).toMatchObject({ part: 'certificate', item: 1 })
  })

  it('names the trust list when it does not verify under the governance key', async () => {
    const damaged = trustList.slice()
    damaged[damaged.length - 10]! ^= 1
    const e = await refusal(valid('registered letter'), { trustList: damaged })
    expect(e.code).toBe('ERR_SIGNATURE_INVALID')
    expect(e.details).toMatchObject({ part: 'trust-list' })
    expect(e.message).toMatch(/^the trust list: /)
  })

  it('says that a trust list of another federation appears to be one', async () => {
    const p = await makePki()
    const other = await createTrustList(
      trustListInput(p, { federation: 'elsewhere', operators: [] }),
      p.keys['governance']!,
    )
    const e = await refusal(valid('registered letter'), { trustList: other })
    expect(e.code).toBe('ERR_OPERATOR_UNKNOWN')
    expect(e.message).toMatch(/appears to be for another federation/)
    expect(e.details).toMatchObject({ federation: 'elsewhere', listOperators: [] })
  })

  it('refuses with requireWitnesses a record without a log proof, naming it', async () => {
    const e = await refusal(valid('with the accepted record proved'), { requireWitnesses: 1 })
    expect(e.code).toBe('ERR_WITNESS_INSUFFICIENT')
    expect(e.details).toMatchObject({ part: 'log', record: 1, required: 1 })
  })

  it('refuses wrong options as the caller mistake', async () => {
    const bytes = valid('registered letter')
    for (const o of [
      { now: -1 },
      { now: 1.5 },
      { requireWitnesses: 17 },
      { requireWitnesses: -1 },
      { governanceKeys: [] },
    ]) {
      const e = await refusal(bytes, o)
      expect(e.code, JSON.stringify(o)).toBe('ERR_INVALID_ARGUMENT')
    }
    const none = { records: [], certificates: [], revocationLists: [] }
    expect((await refusal(none)).code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('refuses a valid bundle with any single byte changed, with a typed error and no crash', async () => {
    const bundles = [valid('registered letter'), valid('with the accepted record proved')]
    await fc.assert(
      fc.asyncProperty(
        fc
          .nat(bundles.length - 1)
          .chain((b) =>
            fc.tuple(
              fc.constant(b),
              fc.nat(bundles[b]!.length - 1),
              fc.integer({ min: 1, max: 255 }),
            ),
          ),
        async ([b, at, mask]) => {
          const bytes = bundles[b]!.slice()
          bytes[at]! ^= mask
          expect(await codeOf(verifyEvidenceBundle(bytes, options))).toMatch(/^ERR_/)
        },
      ),
      { numRuns: 150 },
    )
  })
})
