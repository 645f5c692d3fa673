import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { parseCertificate } from '../x509/index.js'
import { bundleVectorBytes, type BundleRecipe } from '../../test/bundle-vector-bytes.js'
import { readVectors } from '../../test/vectors-file.js'
import { makeVectors } from './bundle-vectors.js'
import {
  RevocationCache,
  TrustStore,
  createEvidenceBundle,
  readEvidenceBundle,
  verifyBundleLog,
  verifyEvidenceWithTrust,
  verifyTrustList,
} from './index.js'
import { codeOf } from '../../test/code-of.js'

interface Expected {
  type: string
  issuer: string
  time: number
  signedAt: number
  kid: string
  recipient?: string
}
interface Logged {
  record: number
  logId: string
  epoch: number
  index: number
  size: number
  time: number
  witnesses: string[]
}
interface Vectors {
  now: number
  governanceKeys: { kty: string; crv: string; x: string }[]
  trustList: string
  certificates: Record<string, string>
  letter: { id: string; digest: string }
  valid: {
    name: string
    hex: string
    revocation: 'checked' | 'not-checked'
    records: Expected[]
    log?: Logged[]
    retiredKeys?: { kid: string; retired: number }[]
  }[]
  invalid: { name: string; hex?: string; recipe?: BundleRecipe; reason: string }[]
}

const expand = (entry: Vectors['invalid'][number]) => bundleVectorBytes(v.valid, entry)

const v = readVectors('evidence-bundle') as Vectors

/** The offline verification of spec 21.7, steps 1 to 6, with the public functions of core. */
async function verifyBundle(bytes: Uint8Array) {
  const bundle = readEvidenceBundle(bytes)
  const list = await verifyTrustList(fromHex(v.trustList), {
    governanceKeys: v.governanceKeys,
    now: v.now,
  })
  let revocation: RevocationCache | undefined
  if (bundle.revocationLists.length > 0) {
    revocation = new RevocationCache({ now: () => v.now, maxStaleness: Number.MAX_SAFE_INTEGER })
    const probe = await TrustStore.open(list, { now: () => v.now })
    for (const crl of bundle.revocationLists) {
      // A list names its operator in its signed payload; it installs only under that one.
      const tries = list.operators.map((o) =>
        codeOf(revocation!.install(crl, { operator: o.id, cas: probe.casOf(o.id) })),
      )
      if (!(await Promise.all(tries)).includes('accepted'))
        throw new BaridError('ERR_REVOCATION_LIST_UNTRUSTED', 'no listed CA signed a list')
    }
  }
  const store = await TrustStore.open(list, {
    now: () => v.now,
    ...(revocation ? { revocation } : {}),
  })
  const trail = await verifyEvidenceWithTrust(bundle.records, {
    store,
    keys: { certificates: bundle.certificates, retiredKeys: bundle.retiredKeys ?? [] },
    offline: true,
  })
  const log = await verifyBundleLog(bundle, {
    issuers: trail.map((t) => t.record.issuer),
    signedAt: trail.map((t) => t.signedAt),
    trusted: trail.map((t) => t.peer.certificate),
    certificates: await Promise.all(bundle.certificates.map((c) => parseCertificate(c))),
    store,
  })
  const records: Expected[] = trail.map((t) => ({
    type: t.record.type,
    issuer: t.record.issuer,
    time: t.record.time,
    signedAt: t.signedAt,
    kid: toHex(t.kid),
    ...(t.record.recipient === undefined ? {} : { recipient: t.record.recipient }),
  }))
  return { bundle, trail, records, log, revocation: revocation ? 'checked' : 'not-checked' }
}

describe('spec/vectors/evidence-bundle.json', () => {
  it('is exactly what the generator makes today', async () => {
    expect(await makeVectors()).toEqual(v)
  })

  it('has every valid bundle read, re-encode to the same bytes, and verify offline as the vectors say', async () => {
    for (const entry of v.valid) {
      const bytes = fromHex(entry.hex)
      const got = await verifyBundle(bytes)
      expect(createEvidenceBundle(got.bundle), entry.name).toEqual(bytes)
      expect(got.records, entry.name).toEqual(entry.records)
      for (const r of got.trail) {
        expect(r.record.letterId).toBe(v.letter.id)
        expect(toHex(r.record.letterDigest)).toBe(v.letter.digest)
      }
      expect(got.revocation, entry.name).toBe(entry.revocation)
      expect(got.log, entry.name).toEqual(entry.log ?? [])
      const retired = (got.bundle.retiredKeys ?? []).map((k) => ({
        kid: toHex(k.kid),
        retired: k.retired,
      }))
      expect(retired, entry.name).toEqual(entry.retiredKeys ?? [])
    }
  })

  it('has every must-fail bundle refused with its reason code', async () => {
    for (const entry of v.invalid) {
      expect(await codeOf(verifyBundle(expand(entry))), entry.name).toBe(entry.reason)
    }
  })

  it('has a valid bundle refused, with a typed error, whenever one byte of a record is changed', async () => {
    const bundle = readEvidenceBundle(fromHex(v.valid[0]!.hex))
    const sizes = bundle.records.map((r) => r.length)
    await fc.assert(
      fc.asyncProperty(
        fc.nat(sizes.length - 1).chain((i) => fc.tuple(fc.constant(i), fc.nat(sizes[i]! - 1))),
        fc.integer({ min: 1, max: 255 }),
        async ([i, at], mask) => {
          const records = bundle.records.map((r, j) => {
            const t = r.slice()
            if (j === i) t[at] = (t[at] as number) ^ mask
            return t
          })
          const code = await codeOf(verifyBundle(createEvidenceBundle({ ...bundle, records })))
          expect(code).toMatch(/^ERR_/)
        },
      ),
      { numRuns: 25 },
    )
  })
})
