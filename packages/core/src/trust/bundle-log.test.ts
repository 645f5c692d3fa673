import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256, utf8 } from '../bytes.js'
import { createEvidence, type SignedEvidence } from '../evidence/create.js'
import type { KeyPair } from '../keys/index.js'
import { newLetterId } from '../letter/letter-id.js'
import { signCheckpoint } from '../transparency/checkpoint.js'
import { openLog } from '../transparency/log.js'
import { createMemoryLogStore } from '../transparency/store.js'
import { parseCertificate } from '../x509/index.js'
import { codeOf } from '../../test/code-of.js'
import { verifyBundleLog } from './bundle-log.js'
import { signCosignature } from '../transparency/witness.js'
import {
  createEvidenceBundle,
  readEvidenceBundle,
  type EvidenceBundle,
  type LoggedRecord,
} from './evidence-bundle.js'
import { verifyEvidenceWithTrust } from './evidence-trust.js'
import { createTrustList, verifyTrustList } from './trust-list.js'
import { TrustStore } from './trust-store.js'
import { makePki, trustListInput, VECTOR_NOW } from './vectors.js'

const p = await makePki()
const key = (n: string) => p.keys[n] as KeyPair
const [gov, eg, dk] = [key('governance'), key('post.eg-node'), key('digitalpost.dk-node')]
const list = await verifyTrustList(await createTrustList(trustListInput(p), gov), {
  governanceKeys: [gov.publicJwk],
  now: VECTOR_NOW,
})
const store = await TrustStore.open(list, { now: () => VECTOR_NOW })
const letter = {
  letterId: newLetterId(VECTOR_NOW * 1000, new Uint8Array(10).fill(7)),
  letterDigest: await sha256(utf8('a letter')),
}
type Step = 'submission-accepted' | 'relay-accepted' | 'delivered'
const sign = (k: KeyPair, type: Step, at: number, prev?: SignedEvidence) =>
  createEvidence({
    ...letter,
    type,
    time: (VECTOR_NOW + at) * 1000,
    issuer: k === eg ? 'post.eg' : 'digitalpost.dk',
    key: k,
    prev: prev?.digest ?? null,
    ...(type === 'delivered' ? { recipient: 'lars.jensen@digitalpost.dk' } : {}),
  })
const accepted = await sign(eg, 'submission-accepted', 60)
const relayed = await sign(dk, 'relay-accepted', 120, accepted)
const delivered = await sign(dk, 'delivered', 180, relayed)
const records = [accepted.bytes, relayed.bytes, delivered.bytes]

/** digitalpost.dk's log holding `leaves`, signed at `time`: the proof of the leaf at `index`. */
async function logged(record: number, leaves: Uint8Array[], index: number, time: number) {
  const log = await openLog({ store: createMemoryLogStore() })
  const { size, root } = await log.append(leaves)
  const checkpoint = await signCheckpoint(
    { logId: 'digitalpost.dk', size, root, time: VECTOR_NOW + time },
    dk,
  )
  return {
    record,
    checkpoint: checkpoint.bytes,
    proof: await log.inclusionProof(index),
    cosignatures: [],
  } satisfies LoggedRecord
}

async function verifyLog(log: LoggedRecord[]) {
  const bundle: EvidenceBundle = {
    records,
    certificates: [p.egNode.der, p.dkNode.der],
    revocationLists: [],
    log,
  }
  const keys = { certificates: bundle.certificates }
  const trail = await verifyEvidenceWithTrust(records, { store, keys, offline: true })
  return verifyBundleLog(bundle, {
    issuers: trail.map((t) => t.record.issuer),
    signedAt: trail.map((t) => t.signedAt),
    trusted: trail.map((t) => t.peer.certificate),
    certificates: await Promise.all(bundle.certificates.map((c) => parseCertificate(c))),
    store,
  })
}

const other = (i: number) => utf8(`another letter's record ${i}`)

describe('a bundle whose checkpoints of one log cannot both be true (spec 16.8 rule 4)', () => {
  it('accepts two checkpoints of one log at growing sizes and times', async () => {
    const a = await logged(1, [relayed.bytes, other(0)], 0, 130)
    const b = await logged(2, [relayed.bytes, other(0), delivered.bytes], 2, 190)
    expect((await verifyLog([a, b])).map((l) => l.size)).toEqual([2, 3])
  })

  it('refuses two checkpoints of one size with different roots as ERR_LOG_INCONSISTENT', async () => {
    const a = await logged(1, [relayed.bytes, other(0), other(1)], 0, 190)
    const b = await logged(2, [other(0), other(1), delivered.bytes], 2, 190)
    await expect(verifyLog([a, b])).rejects.toMatchObject({
      code: 'ERR_LOG_INCONSISTENT',
      details: { log: 'digitalpost.dk', kind: 'same-size', record: 2, other: 1 },
    })
  })

  it('refuses a later checkpoint of a smaller tree as ERR_LOG_INCONSISTENT', async () => {
    const a = await logged(1, [relayed.bytes, other(0), other(1)], 0, 130)
    const b = await logged(2, [delivered.bytes, other(2)], 0, 190)
    expect(await codeOf(verifyLog([a, b]))).toBe('ERR_LOG_INCONSISTENT')
    expect(await codeOf(verifyLog([b, a]))).toBe('ERR_LOG_INCONSISTENT')
  })

  it('names the record whose log entry failed in the details', async () => {
    const a = await logged(1, [relayed.bytes, other(0)], 0, 130)
    const b = await logged(2, [relayed.bytes, other(0), delivered.bytes], 1, 190)
    await expect(verifyLog([a, b])).rejects.toMatchObject({
      code: 'ERR_PROOF_INVALID',
      details: { record: 2 },
    })
  })
})

describe('a record dated after the checkpoint that shows it in the log (spec 16.8 rule 2)', () => {
  it('accepts a record dated up to the clock skew after its checkpoint, and refuses one dated later as ERR_EVIDENCE_TIME_INVALID', async () => {
    // The delivered record is dated VECTOR_NOW + 180; its checkpoint is signed `offset` seconds
    // before that. A log cannot hold a record before it was made, beyond the 300 s of 16.4.3.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -400, max: 900 }), async (offset) => {
        const entry = await logged(2, [other(0), delivered.bytes], 1, 180 - offset)
        const got = await codeOf(verifyLog([entry]))
        expect(got).toBe(offset > 300 ? 'ERR_EVIDENCE_TIME_INVALID' : 'accepted')
      }),
      { numRuns: 20, examples: [[300], [301]] },
    )
  })

  it('names the record and both times in the details', async () => {
    const entry = await logged(2, [other(0), delivered.bytes], 1, 180 - 301)
    await expect(verifyLog([entry])).rejects.toMatchObject({
      code: 'ERR_EVIDENCE_TIME_INVALID',
      details: { record: 2, time: VECTOR_NOW + 180, checkpoint: VECTOR_NOW - 121 },
    })
  })
})

describe('cosignatures and log entries given twice (spec 16.8 rule 3, 21.7)', () => {
  it('refuses two cosignatures by one witness on one checkpoint as ERR_WITNESS_STATEMENT_INVALID', async () => {
    // post.eg's log shows the accepted record; digitalpost.dk witnesses it.
    const log = await openLog({ store: createMemoryLogStore() })
    const { size, root } = await log.append([accepted.bytes, other(0)])
    const checkpoint = await signCheckpoint(
      { logId: 'post.eg', size, root, time: VECTOR_NOW + 90 },
      eg,
    )
    const cosign = (time: number) =>
      signCosignature({
        checkpoint,
        witnessId: 'digitalpost.dk',
        witnessKey: dk,
        time: VECTOR_NOW + time,
      })
    const base: LoggedRecord = {
      record: 0,
      checkpoint: checkpoint.bytes,
      proof: await log.inclusionProof(0),
      cosignatures: [],
    }
    const [once, again] = [await cosign(95), await cosign(96)]
    const witnessed = await verifyLog([{ ...base, cosignatures: [once] }])
    expect(witnessed.map((l) => l.witnesses)).toEqual([['digitalpost.dk']])
    for (const cosignatures of [
      [once, once],
      [once, again],
    ]) {
      await expect(verifyLog([{ ...base, cosignatures }])).rejects.toMatchObject({
        code: 'ERR_WITNESS_STATEMENT_INVALID',
        details: { record: 0, witness: 'digitalpost.dk' },
      })
    }
  })

  it('refuses a bundle with two log entries for one record as ERR_EVIDENCE_BUNDLE_MALFORMED', async () => {
    const entry = await logged(1, [relayed.bytes, other(0)], 0, 130)
    const bundle: EvidenceBundle = {
      records,
      certificates: [p.egNode.der, p.dkNode.der],
      revocationLists: [],
      log: [entry],
    }
    expect(readEvidenceBundle(createEvidenceBundle(bundle)).log).toHaveLength(1)
    expect(await codeOf(() => createEvidenceBundle({ ...bundle, log: [entry, entry] }))).toBe(
      'ERR_EVIDENCE_BUNDLE_MALFORMED',
    )
  })
})
