import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { readVectors } from '../../test/vectors-file.js'
import { importTestKey } from '../../test/keys.js'
import { verifyEvidenceChain } from './chain.js'
import { verifyEvidence, type ResolveEvidenceKey } from './verify.js'
import { makeVectors } from './vectors.js'
import { codeOf } from '../../test/code-of.js'
import { decodeStrict, type CborKey, type CborValue } from '../cbor/index.js'

interface EvidenceVectors {
  keys: { name: string; kid: string; jwk: JsonWebKey }[]
  trustList: { kid: string; issuer: string }[]
  records: { record: Record<string, unknown>; payload?: string; bytes: string; digest: string }[]
  chains: { name: string; records: string[] }[]
  invalidRecords: { name: string; bytes: string; reason: string }[]
  invalidChains: { name: string; records: string[]; reason: string }[]
}

const file = readVectors('evidence') as EvidenceVectors

async function resolver(): Promise<ResolveEvidenceKey> {
  const keys = new Map<string, CryptoKey>()
  for (const k of file.keys) {
    const key = await importTestKey(k.jwk, 'sign')
    expect(toHex(key.kid)).toBe(k.kid)
    keys.set(k.kid, key.publicKey)
  }
  return async (kid) => {
    const entry = file.trustList.find((t) => t.kid === toHex(kid))
    if (entry === undefined) throw new BaridError('ERR_KEY_NOT_FOUND', 'kid not in the trust list')
    return { key: keys.get(entry.kid)!, issuer: entry.issuer }
  }
}

describe('spec/vectors/evidence.json', () => {
  it('is exactly what the generator makes today', async () => {
    expect(JSON.parse(JSON.stringify(await makeVectors(file)))).toEqual(file)
  })

  it('has every record verify to its stated content and digest', async () => {
    const resolveKey = await resolver()
    for (const r of file.records) {
      const v = await verifyEvidence(fromHex(r.bytes), { resolveKey })
      expect(toHex(v.digest)).toBe(r.digest)
      expect({
        ...v.record,
        letterDigest: toHex(v.record.letterDigest),
        prev: v.record.prev && toHex(v.record.prev),
      }).toEqual(r.record)
    }
  })

  it('gives the signed payload of every record, which decodes to the record it states', () => {
    for (const v of file.records) {
      expect(v.payload, v.digest).toBeDefined()
      expect(v.bytes).toContain(v.payload!)
      const m = decodeStrict(fromHex(v.payload!)) as Map<CborKey, CborValue>
      expect(m.get('type')).toBe(v.record.type)
      expect(toHex(m.get('digest') as Uint8Array)).toBe(v.record.letterDigest)
    }
  })

  it('has every chain verify, and every invalid record and chain refused with its reason code', async () => {
    const resolveKey = await resolver()
    for (const c of file.chains) await verifyEvidenceChain(c.records.map(fromHex), resolveKey)
    for (const r of file.invalidRecords)
      expect(await codeOf(verifyEvidence(fromHex(r.bytes), { resolveKey })), r.name).toBe(r.reason)
    for (const c of file.invalidChains)
      expect(await codeOf(verifyEvidenceChain(c.records.map(fromHex), resolveKey)), c.name).toBe(
        c.reason,
      )
  })
})
