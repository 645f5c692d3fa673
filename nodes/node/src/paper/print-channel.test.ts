/**
 * The print channel between two real nodes (spec 17.6): a letter beyond the print limits (the
 * defaults, or those the operator configured) fails its print job for good, and the sender of
 * registered mail gets `not-delivered` with the limit's error code, instead of a job retried
 * forever.
 */
import { readdir } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { evidenceChain } from '../letters/submit.js'
import type { NodeConfigInput } from '../config/config.js'
import { eventually, makeAgency, servedOnPaper, startPair } from '../../test/harness.js'
import { PRINT_LIMITS } from './print-limits.js'

/**
 * Sends a registered letter with body `text` from an Egyptian agency to a Danish resident served
 * on paper, the Danish node configured with `dkConfig`, and checks that it is given up.
 */
async function expectGivenUp(dkConfig: NodeConfigInput, text: string): Promise<void> {
  await using pair = await startPair({
    config: { registered: { batchIntervalMs: 20 } },
    configFor: { dk: dkConfig },
  })
  const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
  const dk = pair.nodes.dk
  const { to, seal } = await servedOnPaper(pair, eta)
  const sealed = await seal(text)
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
}

describe('the print channel', () => {
  it('gives up a letter too large to print, with not-delivered evidence for its sender', async () => {
    const text = 'Lorem ipsum dolor sit amet.\n'.repeat(PRINT_LIMITS.maxBodyBytes / 28 + 1)
    await expectGivenUp({}, text)
  })

  it("gives up a letter beyond the operator's print limits, though within the defaults", async () => {
    const text = 'Lorem ipsum dolor sit amet.\n'.repeat(100) // 2,800 bytes
    await expectGivenUp({ registered: { printLimits: { maxBodyBytes: 2048 } } }, text)
  })
})
