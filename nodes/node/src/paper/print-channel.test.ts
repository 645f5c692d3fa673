/**
 * The print channel between two real nodes (spec 17.6): a letter beyond the print limits fails
 * its print job for good, and the sender of registered mail gets `not-delivered` with the
 * limit's error code, instead of a job retried forever.
 */
import { readdir } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { evidenceChain } from '../letters/submit.js'
import { clientFetch, eventually, makeAgency, startPair } from '../../test/harness.js'
import { sealFor } from '../../test/clients.js'
import { PRINT_LIMITS } from './render-letter.js'

describe('the print channel', () => {
  it('gives up a letter too large to print, with not-delivered evidence for its sender', async () => {
    await using pair = await startPair({ config: { registered: { batchIntervalMs: 20 } } })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const dk = pair.nodes.dk
    const res = await clientFetch(pair, 'dk')(`${dk.url}/v1/admin/exemptions`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${dk.services.keys.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        identifier: 'dk:cpr:0202501234',
        address: 'karen.holm@digitalpost.dk',
        reason: 'no-internet-access',
        name: 'Karen Holm',
        postalAddress: ['Nørregade 1, 2. th.', '1165 København K'],
      }),
    })
    expect(res.ok).toBe(true)
    const to = await eta.client.lookup({ identifier: 'dk:cpr:0202501234' })
    if (to.status !== 'active') throw new Error('lookup')
    const sealed = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: 'registered',
      subject: 'Afgørelse',
      body: 'Lorem ipsum dolor sit amet.\n'.repeat(PRINT_LIMITS.maxBodyBytes / 28 + 1),
      lang: 'da',
    })
    await eta.client.submit(sealed.bytes)
    // The record comes back to the sending node, chained after relay-accepted.
    const eg = pair.nodes.eg.services
    const chain = await eventually(async () => {
      const rows = evidenceChain(await eg.storage.listEvidence(sealed.id), to.address)
      expect(rows.map((r) => r.type)).toEqual([
        'submission-accepted',
        'relay-accepted',
        'not-delivered',
      ])
      return rows
    })
    // Its reason is the limit's error code (the signed payload carries it as text).
    expect(Buffer.from(chain[2]!.record).includes('ERR_INPUT_TOO_LARGE')).toBe(true)
    // Nothing was printed, and the job is not due again.
    const files = await readdir(dk.services.config.registered.printDir).catch(() => [])
    expect(files).toEqual([])
    expect(await dk.services.storage.duePrintJobs(Date.now() + 3600_000, 10)).toEqual([])
  })
})
