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
import type { EvidenceBundle, LoggedRecord } from './evidence-bundle.js'
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
