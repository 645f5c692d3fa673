/**
 * `relay-rejected` between two real nodes (spec 17.3, 11.4): a registered letter the
 * recipient's node refuses for good yields one signed record, chained to the submission, that
 * the sending node verifies, keeps, shows and queues for the sender; a refusal that may pass
 * later, or of a letter no verifying submission record identifies, yields none; and a retry of
 * the same or of another transaction is answered with the same record, never a second one.
 */
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResolveEvidenceKey } from '@barid/core'
import { fromBase64Url, toBase64Url, verifyEvidenceChain } from '../core.js'
import { issueEvidence } from '../evidence/evidence-records.js'
import { rejectRelay } from '../evidence/relay-rejected.js'
import { fedRequest } from '../federation/federation-client.js'
import {
  parseTransaction,
  type TransactionResponse,
  type TxRecipientResult,
} from '../federation/transaction-format.js'
import type { NodeServices } from '../services.js'
import {
  clientFetch,
  eventually,
  makeAgency,
  makeCitizen,
  startPair,
  type Agency,
  type Citizen,
  type Pair,
} from '../../test/harness.js'
import { newPartyKeys, sealFor } from '../../test/clients.js'

const FAST = { registered: { batchIntervalMs: 20 } }

/** Resolves evidence keys as the sending node knows them (its own and its peers'). */
function resolver(svc: NodeServices): ResolveEvidenceKey {
  return async (kid) => {
    const k = await svc.directory.evidenceKeyByKid(toBase64Url(kid))
    if (!k) throw new Error('unknown evidence key')
    return { key: k.key.key.publicKey, issuer: k.peer.operator }
  }
}

const relayRejected = async (svc: NodeServices, letterId: string) =>
  (await svc.storage.listEvidence(letterId)).filter((e) => e.type === 'relay-rejected')

describe('relay-rejected through the delivery engine', () => {
  it('gives the sender exactly one verifiable relay-rejected record, chained to the submission, for a letter the recipient node refuses', async () => {
    await using pair = await startPair({ listen: true, config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error('lookup')
    const sealed = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: lars.address, keys: to }],
      kind: 'registered',
      subject: 'Afgørelse',
      body: 'Du kan klage inden 4 uger.',
      lang: 'da',
    })
    // Digitalpost lowers its letter size limit below this letter while Egypt Post is sending.
    await pair.stop('dk')
    await eta.client.submit(sealed.bytes)
    const dkConfig = pair.configs.dk
    pair.configs.dk = {
      ...dkConfig,
      limits: { ...dkConfig.limits, maxLetterBytes: sealed.bytes.byteLength - 1 },
    }
    await pair.start('dk')
    const status = await eventually(async () => {
      const s = await eta.client.status(sealed.id)
      expect(s.recipients[0]).toMatchObject({ state: 'not-delivered', code: 'ERR_INPUT_TOO_LARGE' })
      return s
    })
    const eg = pair.nodes.eg.services
    const dk = pair.nodes.dk.services
    const chain = await verifyEvidenceChain(
      status.recipients[0]!.chain!.map((c) => fromBase64Url(c)),
      resolver(eg),
    )
    expect(chain.map((c) => c.record)).toMatchObject([
      { type: 'submission-accepted', issuer: 'post.eg' },
      {
        type: 'relay-rejected',
        issuer: 'digitalpost.dk',
        recipient: lars.address,
        reason: 'ERR_INPUT_TOO_LARGE',
        letterId: sealed.id,
      },
    ])
    expect(await relayRejected(eg, sealed.id)).toHaveLength(1)
    expect(await relayRejected(dk, sealed.id)).toHaveLength(1)

    // Logged by the node that issued it, and queued for the sender like every record.
    await dk.registered.runOnce()
    await eg.registered.runOnce()
    const id = (await relayRejected(dk, sealed.id))[0]!.id
    expect(await dk.registered.log.inclusion(id)).toBeDefined()
    const res = await clientFetch(pair, 'eg')(`${pair.nodes.eg.url}/v1/sender/receipts`, {
      headers: { authorization: `Bearer ${eta.apiKey}` },
    })
    const receipts = (await res.json()) as { receipts: { type: string; evidenceId: string }[] }
    expect(receipts.receipts.map((r) => r.type)).toEqual([
      'submission-accepted',
      'relay-rejected',
    ])
    expect(receipts.receipts[1]!.evidenceId).toBe(id)
  })
})

/** How a transaction entry from post.eg goes wrong. */
const KINDS = [
  'signature', // the letter's signature was changed
  'unnamed', // a listed recipient is not named by the letter
  'foreign', // a listed recipient is another operator's
  'sender', // the letter names another sender than the certified one
  'uncertified', // signed with a key the certificate does not certify (final, spec 11.4 step 2)
  'no-submission', // registered, without its submission record
  'other-submission', // with a submission record about other bytes
] as const
type Kind = (typeof KINDS)[number]

/** Kinds whose refusal is final and whose letter a verifying submission record identifies. */
const EVIDENCED: ReadonlySet<Kind> = new Set([
  'signature',
  'unnamed',
  'foreign',
  'sender',
  'uncertified',
])

describe('relay-rejected in transaction answers', () => {
  let pair: Pair
  let eta: Agency
  let lars: Citizen
  let karen: Citizen
  let certificate: string
  let to: Awaited<ReturnType<Agency['client']['lookup']>> & { status: 'active' }
  beforeAll(async () => {
    pair = await startPair({ listen: true })
    eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
    karen = await makeCitizen(pair, 'dk', 'karen', 'dk:cpr:0202501234')
    const found = await eta.client.lookup({ address: lars.address })
    if (found.status !== 'active') throw new Error('lookup')
    to = found
    const eg = pair.nodes.eg.services
    const mb = await eg.storage.getMailboxByAddress(eta.address)
    certificate = (await eg.storage.listMailboxKeys(mb!.id)).find((k) => k.use === 'sig')!
      .certificate
  })
  afterAll(() => pair.close())

  /** A transaction entry of `kind`, as post.eg would relay it, with its submission record. */
  async function entry(kind: Kind) {
    const eg = pair.nodes.eg.services
    const keys = kind === 'uncertified' ? await newPartyKeys() : eta.keys
    const address = kind === 'sender' ? `other.${eta.address}` : eta.address
    const l = await sealFor({
      from: { address, keys },
      to: [{ address: lars.address, keys: to }],
      kind: 'registered',
      subject: 's',
      body: kind,
      lang: 'en',
    })
    const bytes = l.bytes.slice()
    if (kind === 'signature') bytes[bytes.length - 1]! ^= 1
    const about = kind === 'other-submission' ? l.bytes.slice(0, -1) : bytes
    const submission = await issueEvidence(eg, {
      type: 'submission-accepted',
      letterId: l.id,
      letterDigest: createHash('sha256').update(about).digest('hex'),
      recipient: null,
      time: Date.now(),
    })
    const recipients =
      kind === 'unnamed'
        ? [karen.address]
        : kind === 'foreign'
          ? [lars.address, 'amina@post.eg']
          : [lars.address]
    return {
      kind,
      id: l.id,
      submission: submission.record,
      recipients,
      json: {
        letter: toBase64Url(bytes),
        recipients,
        deliverBefore: new Date(Date.now() + 3600_000).toISOString(),
        senderCertificate: certificate,
        evidence: kind === 'no-submission' ? [] : [toBase64Url(submission.record)],
      },
    }
  }

  let txCount = 0
  async function send(txid: string, letters: unknown[]) {
    const eg = pair.nodes.eg.services
    const peer = (await eg.directory.getPeer('digitalpost.dk'))!
    const r = await fedRequest(eg, peer, {
      method: 'PUT',
      path: `/v1/federation/transactions/${txid}`,
      json: { letters },
    })
    expect(r.status).toBe(200)
    return r.json<TransactionResponse>()
  }

  it('issues one verifying record per served recipient exactly for final refusals of identified letters, and the same one on every retry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 3 }),
        async (kinds) => {
          const entries = await Promise.all(kinds.map(entry))
          const txid = `tx-relay-rejected-${++txCount}`
          const first = await send(
            txid,
            entries.map((e) => e.json),
          )
          const dk = pair.nodes.dk.services
          for (const [i, e] of entries.entries()) {
            const result = first.letters[i]!
            const served = e.recipients.filter((r) => r.endsWith('@digitalpost.dk'))
            for (const r of result.recipients) {
              const want = EVIDENCED.has(e.kind) && served.includes(r.address)
              expect(r.status).toBe('not-delivered')
              expect(r.evidence, `${e.kind} ${r.address}`).toHaveLength(want ? 1 : 0)
              if (!want) continue
              const chain = await verifyEvidenceChain(
                [e.submission, fromBase64Url(r.evidence[0]!)],
                resolver(pair.nodes.eg.services),
              )
              expect(chain[1]!.record).toMatchObject({
                type: 'relay-rejected',
                issuer: 'digitalpost.dk',
                letterId: e.id,
                recipient: r.address,
                reason: r.code,
              })
            }
            const stored = await relayRejected(dk, e.id)
            expect(stored).toHaveLength(EVIDENCED.has(e.kind) ? served.length : 0)
          }
          // The same transaction again: the stored answer; in another transaction: the same
          // records, none issued again.
          expect(
            await send(
              txid,
              entries.map((e) => e.json),
            ),
          ).toEqual(first)
          const again = await send(
            `${txid}-resent`,
            entries.map((e) => e.json),
          )
          const records = (x: TransactionResponse) =>
            x.letters.map((l) => l.recipients.map((r: TxRecipientResult) => r.evidence))
          expect(records(again)).toEqual(records(first))
          for (const e of entries) {
            const served = e.recipients.filter((r) => r.endsWith('@digitalpost.dk'))
            expect(await relayRejected(dk, e.id)).toHaveLength(
              EVIDENCED.has(e.kind) ? served.length : 0,
            )
          }
        },
      ),
      { numRuns: 6 },
    )
  })

  it('issues one record when refusals of the same letter race', async () => {
    const e = await entry('signature')
    const dk = pair.nodes.dk.services
    const tx = parseTransaction({ letters: [e.json] }, dk.config.limits)
    const raced = await Promise.all(
      [1, 2, 3, 4].map(() => rejectRelay(dk, 'post.eg', tx.letters[0]!, 'ERR_LETTER_TAMPERED')),
    )
    const ids = raced.map((m) => m.get(lars.address)?.id)
    expect(new Set(ids).size).toBe(1)
    expect(ids[0]).toBeDefined()
    expect(await relayRejected(dk, e.id)).toHaveLength(1)
    // And a transaction refusing it afterwards answers that record.
    const answer = await send('tx-relay-after-race', [e.json])
    expect(answer.letters[0]!.recipients[0]!.evidence).toEqual([
      toBase64Url((await relayRejected(dk, e.id))[0]!.record),
    ])
  })
})
