/**
 * Checks shared by the tests of letters the sending node gives up on (spec 14.3-14.5).
 */
import { expect } from 'vitest'
import { verifyEvidenceChain } from '../src/core.js'
import { evidenceChain } from '../src/letters/submit.js'
import type { NodeServices } from '../src/services.js'

/**
 * The chain about `recipient` ends in post.eg's own not-delivered record, which verifies.
 *
 * @example
 * ```ts
 * await endsInOwnRecord(pair.nodes.eg.services, id, lars.address, 'ERR_NOT_FOUND')
 * ```
 */
export async function endsInOwnRecord(
  eg: NodeServices,
  id: string,
  recipient: string,
  reason: string,
): Promise<void> {
  const chain = evidenceChain(await eg.storage.listEvidence(id), recipient)
  expect(chain.map((e) => [e.type, e.issuer])).toEqual([
    ['submission-accepted', 'post.eg'],
    ['not-delivered', 'post.eg'],
  ])
  const verified = await verifyEvidenceChain(
    chain.map((e) => e.record),
    async (kid) => {
      const k = await eg.directory.evidenceKeyByKid(Buffer.from(kid).toString('base64url'))
      return { key: k!.key.key.publicKey, issuer: k!.peer.operator }
    },
  )
  expect(verified.at(-1)!.record).toMatchObject({ type: 'not-delivered', reason, recipient })
}
