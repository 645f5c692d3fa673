import { beforeAll, describe, expect, it } from 'vitest'
import { fromBase64Url, generateKeyPair, toBase64Url, type KeyPair } from '@barid/core'
import { createEvidence } from '../../../core/src/evidence/index.js'
import { newLetterId } from '../../../core/src/letter/index.js'
import { staticTrust, type KeyTrust } from '../trust/key-trust.js'
import type { LetterStatus } from '../types.js'
import { verifyTrail } from './trail.js'

let eg: KeyPair
let dk: KeyPair
let trust: KeyTrust
let status: LetterStatus
const lars = 'lars.jensen@digitalpost.dk'

beforeAll(async () => {
  ;[eg, dk] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
  trust = staticTrust([
    { kid: eg.kidBase64Url, key: eg.publicKey, operator: 'post.eg', retiredAt: null },
    { kid: dk.kidBase64Url, key: dk.publicKey, operator: 'digitalpost.dk', retiredAt: null },
  ])
  const letterId = newLetterId(Date.now())
  const letterDigest = crypto.getRandomValues(new Uint8Array(32))
  const base = { letterId, letterDigest, time: Date.now() }
  const accepted = await createEvidence({
    ...base,
    type: 'submission-accepted',
    issuer: 'post.eg',
    key: eg,
  })
  const relayed = await createEvidence({
    ...base,
    type: 'relay-accepted',
    issuer: 'digitalpost.dk',
    prev: accepted.digest,
    key: dk,
  })
  const delivered = await createEvidence({
    ...base,
    type: 'delivered',
    issuer: 'digitalpost.dk',
    recipient: lars,
    prev: relayed.digest,
    key: dk,
  })
  const chain = [accepted, relayed, delivered].map((r) => toBase64Url(r.bytes))
  status = {
    letterId,
    digest: 'ab',
    duplicate: false,
    recipients: [{ address: lars, state: 'delivered', code: null, chain }],
    evidence: chain,
  }
})

describe('verifyTrail', () => {
  it("verifies every record and the recipient's chain across two operators", async () => {
    const t = await verifyTrail(status, trust)
    expect(t.verified).toBe(true)
    expect(t.recipients[0]!.chainVerified).toBe(true)
    expect(
      t.recipients[0]!.chain.map((c) => (c.verified ? `${c.record.type}/${c.record.issuer}` : '?')),
    ).toEqual([
      'submission-accepted/post.eg',
      'relay-accepted/digitalpost.dk',
      'delivered/digitalpost.dk',
    ])
  })

  it('leaves records of an untrusted operator unverified instead of failing', async () => {
    const onlyEgypt = staticTrust([
      { kid: eg.kidBase64Url, key: eg.publicKey, operator: 'post.eg', retiredAt: null },
    ])
    const t = await verifyTrail(status, onlyEgypt)
    expect(t.verified).toBe(false)
    expect(t.recipients[0]!.chainVerified).toBe(false)
    expect(t.recipients[0]!.chain.map((c) => c.verified)).toEqual([true, false, false])
    expect(t.recipients[0]!.chain[1]).toMatchObject({
      verified: false,
      reason: 'ERR_KEY_NOT_FOUND',
    })
  })

  it('fails on a record changed in transit, and on a chain with a record dropped', async () => {
    const chain = status.recipients[0]!.chain!
    const bytes = fromBase64Url(chain[2]!)
    bytes[bytes.length - 5]! ^= 1
    const tampered = {
      ...status,
      recipients: [{ ...status.recipients[0]!, chain: [chain[0]!, chain[1]!, toBase64Url(bytes)] }],
      evidence: [],
    }
    await expect(verifyTrail(tampered, trust)).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
    })
    const dropped = {
      ...status,
      recipients: [{ ...status.recipients[0]!, chain: [chain[0]!, chain[2]!] }],
      evidence: [],
    }
    await expect(verifyTrail(dropped, trust)).rejects.toMatchObject({
      code: 'ERR_EVIDENCE_CHAIN_BROKEN',
    })
  })
})
