/**
 * Per-letter refusals of an inbound transaction that no retry can cure (spec 11.4, 5.9): a
 * letter signed with a key other than the one its sender certificate certifies, and a letter
 * larger than the receiver's advertised `maxLetterBytes`. Each is answered final for its own
 * entry, and the other letters of the transaction are delivered.
 */
import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../core.js'
import { fedRequest } from './federation-client.js'
import type { TransactionResponse } from './transaction-format.js'
import { makeAgency, makeCitizen, startPair, type Pair } from '../../test/harness.js'
import { newPartyKeys, sealFor } from '../../test/clients.js'

/** Entries from an Egyptian agency to a Danish citizen (signed with `sign` if given). */
async function setup(pair: Pair) {
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
  const eg = pair.nodes.eg.services
  const mb = await eg.storage.getMailboxByAddress(eta.address)
  const cert = (await eg.storage.listMailboxKeys(mb!.id)).find((k) => k.use === 'sig')!.certificate
  const keys = await eta.client.lookup({ address: lars.address })
  if (keys.status !== 'active') throw new Error('lookup')
  const entry = async (o: { body?: string; sign?: Awaited<ReturnType<typeof newPartyKeys>> }) => {
    const l = await sealFor({
      from: { address: eta.address, keys: o.sign ? { ...eta.keys, sign: o.sign.sign } : eta.keys },
      to: [{ address: lars.address, keys }],
      subject: 's',
      body: o.body ?? 'b',
      lang: 'en',
    })
    return {
      letter: toBase64Url(l.bytes),
      recipients: [lars.address],
      deliverBefore: new Date(Date.now() + 3600_000).toISOString(),
      senderCertificate: cert,
      evidence: [],
    }
  }
  const send = async (txid: string, letters: unknown[]) => {
    const dk = (await eg.directory.getPeer('digitalpost.dk'))!
    const r = await fedRequest(eg, dk, {
      method: 'PUT',
      path: `/v1/federation/transactions/${txid}`,
      json: { letters },
    })
    const body = r.status === 200 ? r.json<TransactionResponse>() : undefined
    return { status: r.status, code: r.code, body }
  }
  return { entry, send }
}

describe('inbound letter checks', () => {
  it('refuses a letter not signed with the certified key for good (ERR_SENDER_MISMATCH)', async () => {
    await using pair = await startPair()
    const { entry, send } = await setup(pair)
    const other = await newPartyKeys()
    const r = await send('tx-kid-0001', [await entry({ sign: other }), await entry({})])
    expect(r.status).toBe(200)
    const [bad, good] = r.body!.letters
    expect(bad).toMatchObject({ index: 0, id: null, code: 'ERR_SENDER_MISMATCH' })
    expect(bad!.recipients.map((x) => [x.status, x.code])).toEqual([
      ['not-delivered', 'ERR_SENDER_MISMATCH'],
    ])
    expect(good!.recipients.map((x) => x.status)).toEqual(['delivered'])
  })

  it('refuses a letter above the advertised maxLetterBytes for its own entry only', async () => {
    await using pair = await startPair()
    const { entry, send } = await setup(pair)
    const limit = pair.nodes.dk.services.config.limits.maxLetterBytes
    const big = await entry({ body: 'x'.repeat(limit + 1024) })
    const r = await send('tx-big-0001', [big, await entry({})])
    expect(r.status).toBe(200)
    const [bad, good] = r.body!.letters
    expect(bad).toMatchObject({ index: 0, id: null, code: 'ERR_INPUT_TOO_LARGE' })
    expect(bad!.recipients.map((x) => [x.status, x.code])).toEqual([
      ['not-delivered', 'ERR_INPUT_TOO_LARGE'],
    ])
    expect(good!.recipients.map((x) => x.status)).toEqual(['delivered'])
  })
})
