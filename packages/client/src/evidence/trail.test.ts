import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDiscoveryDocument, fromBase64Url, toBase64Url, toHex } from '@barid/core'
import { createEvidence, newLetterId, type EvidenceReason, type EvidenceType } from '@barid/core'
import {
  DAY,
  T0,
  cose,
  fakeFetch,
  federation,
  operatorEntry,
  signedList,
  type TestFederation,
} from '../../../core/test/trust-fixtures.js'
import { trustFromTrustList, type KeyTrust } from '../trust/key-trust.js'
import type { LetterStatus, RecipientState } from '../types.js'
import { verifyTrail } from './trail.js'

const NOW = (T0 + 3600) * 1000
let f: TestFederation
let trust: KeyTrust
let status: LetterStatus
const lars = 'lars.jensen@digitalpost.dk'

async function discoveryDoc(op: TestFederation['eg']) {
  return createDiscoveryDocument(
    { operator: op.id, issued: T0, expires: T0 + DAY, keys: [{ certificate: op.node.der }] },
    { keyPair: op.nodeKeys, certificate: op.node.der },
  )
}

/** A trust over `list` whose operators' discovery documents are served by a fake transport. */
async function trustOver(list: Uint8Array) {
  const docs = { eg: await discoveryDoc(f.eg), dk: await discoveryDoc(f.dk) }
  const { fetch, calls } = fakeFetch({
    'https://barid.post.eg/.well-known/barid-node': () => cose(docs.eg),
    'https://barid.digitalpost.dk/.well-known/barid-node': () => cose(docs.dk),
  })
  const t = await trustFromTrustList(list, {
    governanceKeys: [f.governance.publicJwk],
    fetch: fetch as never,
    now: () => NOW,
    revocation: false,
  })
  return { trust: t, calls }
}

async function chainAt(time: number): Promise<LetterStatus> {
  const letterId = newLetterId(time)
  const letterDigest = crypto.getRandomValues(new Uint8Array(32))
  const base = { letterId, letterDigest, time }
  const accepted = await createEvidence({
    ...base,
    type: 'submission-accepted',
    issuer: 'post.eg',
    key: f.eg.nodeKeys,
  })
  const relayed = await createEvidence({
    ...base,
    type: 'relay-accepted',
    issuer: 'digitalpost.dk',
    prev: accepted.digest,
    key: f.dk.nodeKeys,
  })
  const delivered = await createEvidence({
    ...base,
    type: 'delivered',
    issuer: 'digitalpost.dk',
    recipient: lars,
    prev: relayed.digest,
    key: f.dk.nodeKeys,
  })
  const chain = [accepted, relayed, delivered].map((r) => toBase64Url(r.bytes))
  return {
    letterId,
    digest: toHex(letterDigest),
    duplicate: false,
    recipients: [{ address: lars, state: 'delivered', code: null, chain }],
    evidence: chain,
  }
}

/** One record after the submission: its type, issuer, and whether it names the recipient. */
type Step = [EvidenceType, 'post.eg' | 'digitalpost.dk', EvidenceReason?]

/**
 * A valid chain for `lars` (after `submission-accepted` by post.eg), and the state and code each
 * of its prefixes proves, written out by hand from spec 17.5.
 */
const CHAINS: { steps: Step[]; proves: [RecipientState, string | null][] }[] = [
  {
    steps: [
      ['relay-accepted', 'digitalpost.dk'],
      ['delivered', 'digitalpost.dk'],
      ['retrieved', 'digitalpost.dk'],
    ],
    proves: [
      ['pending', null],
      ['delivered', null],
      ['delivered', null],
      ['delivered', null],
    ],
  },
  {
    steps: [
      ['relay-accepted', 'digitalpost.dk'],
      ['delivered', 'digitalpost.dk'],
      ['not-delivered', 'digitalpost.dk', 'channel-failed'],
    ],
    proves: [
      ['pending', null],
      ['delivered', null],
      ['delivered', null],
      ['not-delivered', 'ERR_FORBIDDEN'],
    ],
  },
  {
    steps: [['relay-rejected', 'digitalpost.dk', 'recipient-exempt']],
    proves: [
      ['pending', null],
      ['not-delivered', 'ERR_RECIPIENT_EXEMPT'],
    ],
  },
  {
    steps: [
      ['relay-accepted', 'digitalpost.dk'],
      ['not-delivered', 'digitalpost.dk', 'mailbox-closed'],
    ],
    proves: [
      ['pending', null],
      ['delivered', null],
      ['not-delivered', 'ERR_RECIPIENT_UNKNOWN'],
    ],
  },
]

const PER_RECIPIENT: readonly EvidenceType[] = ['delivered', 'retrieved', 'not-delivered']

/** The records of `steps` after a submission, signed by the operators' node keys. */
async function signedChain(steps: Step[], time: number) {
  const letterId = newLetterId(time)
  const letterDigest = crypto.getRandomValues(new Uint8Array(32))
  const base = { letterId, letterDigest, time }
  const records = [
    await createEvidence({
      ...base,
      type: 'submission-accepted',
      issuer: 'post.eg',
      key: f.eg.nodeKeys,
    }),
  ]
  for (const [type, issuer, reason] of steps)
    records.push(
      await createEvidence({
        ...base,
        type,
        issuer,
        prev: records.at(-1)!.digest,
        key: issuer === 'post.eg' ? f.eg.nodeKeys : f.dk.nodeKeys,
        ...(PER_RECIPIENT.includes(type) ? { recipient: lars } : {}),
        ...(reason === undefined ? {} : { reason }),
      }),
    )
  return { letterId, digest: toHex(letterDigest), chain: records.map((r) => toBase64Url(r.bytes)) }
}

beforeAll(async () => {
  f = await federation()
  trust = (await trustOver(await signedList(f))).trust
  status = await chainAt(NOW - 60_000)
})

describe('verifyTrail', () => {
  it("verifies every record and the recipient's chain across two operators, with keys found by discovery", async () => {
    const { trust: t0, calls } = await trustOver(await signedList(f))
    const t = await verifyTrail(status, t0)
    expect(t.verified).toBe(true)
    expect(t.recipients[0]!.chainVerified).toBe(true)
    expect(
      t.recipients[0]!.chain.map((c) => (c.verified ? `${c.record.type}/${c.record.issuer}` : '?')),
    ).toEqual([
      'submission-accepted/post.eg',
      'relay-accepted/digitalpost.dk',
      'delivered/digitalpost.dk',
    ])
    expect([...new Set(calls)].sort()).toEqual([
      'https://barid.digitalpost.dk/.well-known/barid-node',
      'https://barid.post.eg/.well-known/barid-node',
    ])
  })

  it('verifies offline with node certificates held, without any fetch', async () => {
    const { fetch, calls } = fakeFetch({})
    const offline = await trustFromTrustList(await signedList(f), {
      governanceKeys: [f.governance.publicJwk],
      fetch: fetch as never,
      now: () => NOW,
      revocation: false,
      certificates: [f.eg.node.der, f.dk.node.der],
    })
    expect((await verifyTrail(status, offline)).verified).toBe(true)
    expect(calls).toEqual([])
  })

  it('leaves records of an operator outside the trust list unverified instead of failing', async () => {
    const onlyEgypt = (
      await trustOver(await signedList(f, f.governance, { operators: [operatorEntry(f.eg)] }))
    ).trust
    const t = await verifyTrail(status, onlyEgypt)
    expect(t.verified).toBe(false)
    expect(t.recipients[0]!.chainVerified).toBe(false)
    expect(t.recipients[0]!.chain.map((c) => c.verified)).toEqual([true, false, false])
    expect(t.recipients[0]!.chain[1]).toMatchObject({
      verified: false,
      reason: 'ERR_KEY_NOT_FOUND',
    })
  })

  it('accepts evidence an operator signed before its withdrawal and refuses what it signed after', async () => {
    const withdrawnAt = Math.floor(NOW / 1000) - 30
    const { trust: t } = await trustOver(
      await signedList(f, f.governance, {
        operators: [
          operatorEntry(f.eg),
          operatorEntry(f.dk, {
            status: [
              { state: 'active', from: T0 - DAY },
              { state: 'withdrawn', from: withdrawnAt },
            ],
          }),
        ],
      }),
    )
    // Keys of the withdrawn operator come from a bundle: its documents no longer verify.
    const bundled = await trustFromTrustList((await t.store()).list.bytes, {
      governanceKeys: [f.governance.publicJwk],
      now: () => NOW,
      revocation: false,
      certificates: [f.eg.node.der, f.dk.node.der],
    })
    expect((await verifyTrail(status, bundled)).verified).toBe(true)
    await expect(verifyTrail(await chainAt(NOW - 10_000), bundled)).rejects.toMatchObject({
      code: 'ERR_OPERATOR_WITHDRAWN',
    })
  })

  it('shows the state a chain cut to one record proves, beside the state claimed', async () => {
    const cut: LetterStatus = {
      ...status,
      recipients: [{ ...status.recipients[0]!, chain: status.recipients[0]!.chain!.slice(0, 1) }],
    }
    const r = (await verifyTrail(cut, trust)).recipients[0]!
    expect(r.chainVerified).toBe(true)
    expect(r.chain.map((c) => (c.verified ? c.record.type : '?'))).toEqual(['submission-accepted'])
    expect(r).toMatchObject({
      state: 'pending',
      code: null,
      claimedState: 'delivered',
      claimedCode: null,
      stateMismatch: true,
    })
    const whole = (await verifyTrail(status, trust)).recipients[0]!
    expect(whole).toMatchObject({
      state: 'delivered',
      claimedState: 'delivered',
      stateMismatch: false,
    })
  })

  it('shows for any prefix of a valid chain the state it proves, whatever is claimed', async () => {
    const chains = await Promise.all(CHAINS.map((c) => signedChain(c.steps, NOW - 60_000)))
    await fc.assert(
      fc.asyncProperty(
        fc.nat(CHAINS.length - 1).chain((i) =>
          fc.tuple(fc.constant(i), fc.integer({ min: 1, max: CHAINS[i]!.steps.length + 1 })),
        ),
        fc.constantFrom<RecipientState>('pending', 'unconfirmed', 'delivered', 'not-delivered'),
        fc.constantFrom(null, 'ERR_RECIPIENT_UNKNOWN'),
        async ([i, length], claimedState, claimedCode) => {
          const c = chains[i]!
          const chain = c.chain.slice(0, length)
          const r = (
            await verifyTrail(
              {
                letterId: c.letterId,
                digest: c.digest,
                duplicate: false,
                recipients: [{ address: lars, state: claimedState, code: claimedCode, chain }],
                evidence: chain,
              },
              trust,
            )
          ).recipients[0]!
          const [state, code] = CHAINS[i]!.proves[length - 1]!
          expect(r.chainVerified).toBe(true)
          expect(r).toMatchObject({ state, code, claimedState, claimedCode })
          expect(r.stateMismatch).toBe(state !== claimedState)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('proves nothing with records about another letter, and flags the claim', async () => {
    const other = { ...status, digest: '00'.repeat(32) }
    const r = (await verifyTrail(other, trust)).recipients[0]!
    expect(r).toMatchObject({ chainVerified: true, state: 'pending', stateMismatch: true })
  })

  it('keeps the node claim as the state of a chain that did not verify', async () => {
    const onlyEgypt = (
      await trustOver(await signedList(f, f.governance, { operators: [operatorEntry(f.eg)] }))
    ).trust
    const r = (await verifyTrail(status, onlyEgypt)).recipients[0]!
    expect(r).toMatchObject({
      chainVerified: false,
      state: 'delivered',
      claimedState: 'delivered',
      stateMismatch: false,
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
