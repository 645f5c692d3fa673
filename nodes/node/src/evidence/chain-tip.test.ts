import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BaridError,
  generateKeyPair,
  newLetterId,
  toHex,
  verifyEvidenceChain,
  type KeyPair,
} from '../core.js'
import { evidenceChain } from '../letters/submit.js'
import { createSqliteStorage } from '../storage/sqlite-storage.js'
import { createCoreEvidence } from './core-evidence.js'
import { chainKey, issueNext, TERMINAL, withChainLock } from './chain-tip.js'
import type { EvidenceType } from './evidence-port.js'
import { issueEvidence } from './evidence-records.js'

const eg: KeyPair = await generateKeyPair('Ed25519')
const dk: KeyPair = await generateKeyPair('Ed25519')
const egEvidence = createCoreEvidence({ operator: 'post.eg', key: eg })
const dkEvidence = createCoreEvidence({ operator: 'digitalpost.dk', key: dk })
const resolveKey = async (kid: Uint8Array) => {
  const k = [eg, dk].find((x) => toHex(x.kid) === toHex(kid))
  if (!k) throw new BaridError('ERR_KEY_NOT_FOUND', 'unknown key')
  return { key: k.publicKey, issuer: k === eg ? 'post.eg' : 'digitalpost.dk' }
}
const REASON: Partial<Record<EvidenceType, string>> = {
  'notification-failed': 'channel-failed',
  'deemed-delivered': 'not-retrieved',
  expired: 'not-retrieved',
  'handed-to-paper': 'recipient-exempt',
  'not-delivered': 'ERR_DELIVERY_EXPIRED',
}
const AFTER_DELIVERY: EvidenceType[] = [
  'notification-failed',
  'deemed-delivered',
  'expired',
  'retrieved',
  'handed-to-paper',
  'not-delivered',
]
const recipient = 'lars.jensen@digitalpost.dk'

async function delivered() {
  const storage = createSqliteStorage({ file: ':memory:' })
  const letterId = newLetterId()
  const letterDigest = 'ab'.repeat(32)
  let time = 1_800_000_000_000
  const base = { letterId, letterDigest, time }
  const sub = await issueEvidence(
    { evidence: egEvidence },
    { ...base, type: 'submission-accepted', recipient: null },
  )
  const relay = await issueEvidence(
    { evidence: dkEvidence },
    { ...base, type: 'relay-accepted', recipient, prev: sub.record },
  )
  const dlv = await issueEvidence(
    { evidence: dkEvidence },
    { ...base, type: 'delivered', recipient, prev: relay.record },
  )
  await storage.addEvidence([sub, relay, dlv])
  const svc = { storage, evidence: dkEvidence, now: () => ++time }
  return { storage, svc, letterId, letterDigest }
}

describe('chaining records issued after delivery', () => {
  it('keeps one verifying chain that matches the events, in any order and concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...AFTER_DELIVERY), { maxLength: 6 }),
        fc.boolean(),
        async (events, concurrent) => {
          const { storage, svc, letterId, letterDigest } = await delivered()
          await using _ = storage
          const apply = (type: EvidenceType) =>
            withChainLock(chainKey(letterId, recipient), async () => {
              const row = await issueNext(svc, {
                letterId,
                letterDigest,
                recipient,
                type,
                ...(REASON[type] ? { reason: REASON[type] } : {}),
              })
              if (row) await storage.addEvidence([row])
            })
          if (concurrent) await Promise.all(events.map(apply))
          else for (const e of events) await apply(e)
          // What happened: every event until the first that ends the chain.
          const expected: string[] = ['submission-accepted', 'relay-accepted', 'delivered']
          for (const e of events) {
            if (TERMINAL.has(expected.at(-1)!)) break
            expected.push(e)
          }
          const chain = evidenceChain(await storage.listEvidence(letterId), recipient)
          expect(chain.map((r) => r.type)).toEqual(expected)
          expect((await storage.listEvidence(letterId)).length).toBe(expected.length)
          const verified = await verifyEvidenceChain(
            chain.map((r) => r.record),
            resolveKey,
          )
          expect(verified.map((v) => v.record.type)).toEqual(expected)
        },
      ),
      { numRuns: 25 },
    )
  })

  it('refuses the chain when any byte of any record is altered', async () => {
    const { storage, svc, letterId, letterDigest } = await delivered()
    await using _ = storage
    const row = await issueNext(svc, { letterId, letterDigest, recipient, type: 'retrieved' })
    await storage.addEvidence([row!])
    const records = evidenceChain(await storage.listEvidence(letterId), recipient).map(
      (r) => r.record,
    )
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (r, at, bit) => {
        const changed = records.map((x) => x.slice())
        const target = changed[r % changed.length]!
        target[at % target.length]! ^= 1 << bit
        await expect(verifyEvidenceChain(changed, resolveKey)).rejects.toBeInstanceOf(BaridError)
      }),
      { numRuns: 40 },
    )
  })
})
