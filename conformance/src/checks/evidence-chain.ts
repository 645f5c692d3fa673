/**
 * @module checks/evidence-chain
 * The assertion many checks end with: a letter's evidence chain, as a node reports it (base64url
 * COSE_Sign1 records), verifies record by record with the issuers' keys and has exactly the
 * expected record types in order (spec 07, 14.5).
 */
import { fromBase64Url, verifyEvidenceChain } from '@barid/core'
import type { World } from '../world/world.js'
import { ensure } from './check.js'

/**
 * Verifies `chain` and fails the check, under `clause`, unless its record types are `types`.
 *
 * @example
 * ```ts
 * await expectChain(world, status.chain, ['submission-accepted', 'delivered'], '14.5-1')
 * ```
 */
export async function expectChain(
  world: Pick<World, 'resolveEvidenceKey'>,
  chain: readonly string[] | undefined,
  types: readonly string[],
  clause: string,
): Promise<void> {
  const got = (
    await verifyEvidenceChain(
      (chain ?? []).map((c) => fromBase64Url(c)),
      world.resolveEvidenceKey,
    )
  ).map((v) => v.record.type)
  ensure(got.join(' ') === types.join(' '), `chain ${got.join(' → ')}`, clause)
}
