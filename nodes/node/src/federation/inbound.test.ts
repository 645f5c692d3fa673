/**
 * A federation transaction handled as a whole (spec 11.4, 17.3): many registered letters get
 * their evidence chains at once, each in chain order, and a letter named twice (in one
 * transaction, in one entry, or in concurrent transactions) is delivered and evidenced once.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../core.js'
import { issueEvidence } from '../evidence/evidence-records.js'
import { fedRequest } from './federation-client.js'
import type { TransactionResponse } from './transaction-format.js'
import {
  etaToLars,
  eventually,
  makeAgency,
  makeCitizen,
  startPair,
  type Pair,
} from '../../test/harness.js'
import { sealFor } from '../../test/clients.js'

/** `n` registered letters from an Egyptian agency to `citizens`, as transaction entries. */
async function registeredEntries(pair: Pair, n: number, citizens: number) {
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const people = []
  for (let i = 0; i < citizens; i++)
    people.push(await makeCitizen(pair, 'dk', `p${i}`, `dk:cpr:01019012${i}${i}`))
  const eg = pair.nodes.eg.services
  const mb = await eg.storage.getMailboxByAddress(eta.address)
  const cert = (await eg.storage.listMailboxKeys(mb!.id)).find((k) => k.use === 'sig')!.certificate
  const entries = []
  for (let i = 0; i < n; i++) {
    const to = []
    for (const p of people) {
      const k = await eta.client.lookup({ address: p.address })
      if (k.status !== 'active') throw new Error('lookup')
      to.push({ address: p.address, keys: k })
    }
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to,
      kind: 'registered',
      subject: `s${i}`,
      body: 'b',
      lang: 'en',
    })
    const submission = await issueEvidence(eg, {
      type: 'submission-accepted',
      letterId: l.id,
      letterDigest: createHash('sha256').update(l.bytes).digest('hex'),
      recipient: null,
      time: Date.now(),
    })
    entries.push({
      id: l.id,
      submission,
      entry: {
        letter: toBase64Url(l.bytes),
        recipients: people.map((p) => p.address),
        deliverBefore: new Date(Date.now() + 3600_000).toISOString(),
        senderCertificate: cert,
        evidence: [toBase64Url(submission.record)],
      },
    })
  }
  return { entries, people }
}

describe('federation transaction processing', () => {
  it('issues every recipient of every registered letter one relay-accepted and one delivered record, chained in order', async () => {
    await using pair = await startPair()
    const { entries, people } = await registeredEntries(pair, 6, 2)
    const eg = pair.nodes.eg.services
    const dk = pair.nodes.dk.services
    const dkPeer = (await eg.directory.getPeer('digitalpost.dk'))!
    const r = await fedRequest(eg, dkPeer, {
      method: 'PUT',
      path: '/v1/federation/transactions/tx-many-0001',
      json: { letters: entries.map((x) => x.entry) },
    })
    const answer = r.json<TransactionResponse>()
    for (const [i, { id, submission }] of entries.entries()) {
      const stored = await dk.storage.listEvidence(id)
      for (const p of people) {
        const mine = stored.filter(
          (x) => x.recipient === p.address && x.issuer === 'digitalpost.dk',
        )
        const relay = mine.filter((x) => x.type === 'relay-accepted')
        const delivered = mine.filter((x) => x.type === 'delivered')
        expect([relay.length, delivered.length, mine.length]).toEqual([1, 1, 2])
        expect(relay[0]!.prev).toBe(submission.id)
        expect(delivered[0]!.prev).toBe(relay[0]!.id)
        const res = answer.letters[i]!.recipients.find((x) => x.address === p.address)!
        expect(res.status).toBe('delivered')
        expect(res.evidence.map((e) => fromBase64Url(e))).toEqual(
          [relay[0]!, delivered[0]!].map((x) => x.record),
        )
      }
    }
  })

  it('refuses an evidence item about one of its letters whose letter digest is another, and keeps none of it', async () => {
    await using pair = await startPair({ listen: true })
    const { lars, send } = await etaToLars(pair)
    const id = await send('s')
    const eg = pair.nodes.eg.services
    const dk = pair.nodes.dk.services
    await eventually(async () =>
      expect((await eg.storage.getRecipients(id))[0]?.state).toBe('delivered'),
    )
    const stored = (await eg.storage.getLetter(id))!.digest
    const record = async (letterDigest: string) =>
      toBase64Url(
        (
          await issueEvidence(dk, {
            type: 'retrieved',
            letterId: id,
            letterDigest,
            recipient: lars.address,
            time: Date.now(),
          })
        ).record,
      )
    const other = stored.replace(/^./, (c) => (c === '0' ? '1' : '0'))
    const egPeer = (await dk.directory.getPeer('post.eg'))!
    const before = (await eg.storage.listEvidence(id)).length
    const res = await fedRequest(dk, egPeer, {
      method: 'PUT',
      path: '/v1/federation/transactions/tx-digest-0001',
      json: {
        letters: [],
        evidence: [{ record: await record(other) }, { record: await record(stored) }],
      },
    }).then((r) => r.json<TransactionResponse>())
    expect(res, JSON.stringify(res)).toHaveProperty('evidence')
    expect(res.evidence).toEqual([
      { index: 0, status: 'rejected', code: 'ERR_EVIDENCE_MALFORMED' },
      { index: 1, status: 'accepted' },
    ])
    const after = await eg.storage.listEvidence(id)
    expect(after).toHaveLength(before + 1)
    expect(after.filter((e) => e.type === 'retrieved')).toHaveLength(1)
  })

  it('delivers and evidences a letter once when one transaction names it twice, and concurrent transactions repeat it', async () => {
    await using pair = await startPair()
    const { entries, people } = await registeredEntries(pair, 1, 1)
    const { id, entry } = entries[0]!
    const lars = people[0]!
    const eg = pair.nodes.eg.services
    const dk = pair.nodes.dk.services
    const dkPeer = (await eg.directory.getPeer('digitalpost.dk'))!
    const twice = { ...entry, recipients: [lars.address, lars.address] }
    const answers = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        fedRequest(eg, dkPeer, {
          method: 'PUT',
          path: `/v1/federation/transactions/tx-twice-000${i}`,
          json: { letters: [entry, twice, entry] },
        }).then((r) => r.json<TransactionResponse>()),
      ),
    )
    const mine = (await dk.storage.listEvidence(id)).filter((x) => x.issuer === 'digitalpost.dk')
    expect(mine.map((x) => x.type).sort()).toEqual(['delivered', 'relay-accepted'])
    expect(await dk.storage.findDeliveries(id)).toHaveLength(1)
    const records = mine
      .sort((a, b) => (a.type === 'relay-accepted' ? -1 : b.type === 'relay-accepted' ? 1 : 0))
      .map((x) => toBase64Url(x.record))
    for (const a of answers)
      for (const l of a.letters)
        for (const res of l.recipients) {
          expect(res.status).toBe('delivered')
          expect(res.evidence).toEqual(records)
        }
  })
})
