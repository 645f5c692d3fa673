/**
 * @module evidence/trail
 * A letter's evidence as its sender gets it (spec 12.3, 12.8) and verifies it (spec 07, 21.5):
 * every record whose key an operator in the trust list publishes is verified with core's
 * `verifyEvidence`, its key checked against the list at the record's time, and each recipient's
 * chain with `verifyEvidenceChain`. A record whose key no operator publishes stays unverified
 * (and unparsed); a record that fails with a known key is an error, never "unverified".
 * Beside a verified chain the trail shows the state the chain proves (spec 17.5), not the one
 * the node claims: the claim is kept apart, and a difference is flagged.
 */
import {
  BaridError,
  fromBase64Url,
  isBaridError,
  parseMailboxAddress,
  recipientStateOf,
  toHex,
  verifyEvidence,
  verifyEvidenceChain,
  type BaridErrorCode,
  type EvidenceRecord,
} from '../core.js'
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import type { KeyTrust } from '../trust/key-trust.js'
import type { LetterStatus, RecipientState } from '../types.js'

/** One evidence record. */
export type EvidenceItem =
  | {
      readonly verified: true
      readonly bytes: Uint8Array
      readonly record: EvidenceRecord
      readonly digest: Uint8Array
    }
  | { readonly verified: false; readonly bytes: Uint8Array; readonly reason: BaridErrorCode }

/** One recipient's part of the trail. */
export interface RecipientTrail {
  readonly address: string
  /**
   * With `chainVerified`, the state the chain's records prove (spec 17.5: `pending` until a
   * record says the recipient's node took the letter); otherwise the node's claim, unverified.
   */
  readonly state: RecipientState
  /** The code of a `not-delivered` `state`, from the same source as `state`. */
  readonly code: string | null
  /** The state the node claims for the recipient (its `status` answer), whatever is proven. */
  readonly claimedState: RecipientState
  readonly claimedCode: string | null
  /**
   * True when the chain verified and proves another state than the node claims. The chain
   * cannot prove `unconfirmed`, nor a refusal the sending node decided without a record: such a
   * claim is flagged too, as one only the node vouches for.
   */
  readonly stateMismatch: boolean
  /** Oldest first. */
  readonly chain: readonly EvidenceItem[]
  /** True when every record verified and they form one chain (spec 7.5). */
  readonly chainVerified: boolean
}

/** A letter's verified evidence. */
export interface EvidenceTrail {
  readonly letterId: string
  readonly recipients: readonly RecipientTrail[]
  /** Every record the node holds about the letter, oldest first. */
  readonly records: readonly EvidenceItem[]
  /** True when every record and every chain verified. */
  readonly verified: boolean
}

/** Most records read from one status answer. */
const MAX_RECORDS = 256

function resolver(trust: KeyTrust) {
  return async (kid: Uint8Array) => {
    const k = await trust.nodeKey(kid)
    if (!k)
      throw new BaridError('ERR_KEY_NOT_FOUND', 'no operator in the trust list holds that key')
    return { key: k.key.publicKey, issuer: k.operator, node: k.key }
  }
}

async function verifyOne(bytes: Uint8Array, trust: KeyTrust): Promise<EvidenceItem> {
  const resolve = resolver(trust)
  let node: Awaited<ReturnType<ReturnType<typeof resolver>>>['node'] | undefined
  try {
    const v = await verifyEvidence(bytes, {
      resolveKey: async (kid) => {
        const k = await resolve(kid)
        node = k.node
        return k
      },
    })
    // Only now is the signing time known: the key must not be retired then, and its certificate
    // must speak for the record's issuer then (spec 21.5), whatever happened to it since.
    const at = Math.floor(v.record.time / 1000)
    if (node!.retired !== undefined && at >= node!.retired)
      throw new BaridError('ERR_KEY_RETIRED', 'the record is dated after its key was retired')
    await (
      await trust.store()
    ).validatePeerChain(node!.certificate, {
      operator: v.record.issuer,
      at,
      role: 'node',
    })
    return { verified: true, bytes, record: v.record, digest: v.digest }
  } catch (e) {
    if (isBaridError(e, 'ERR_KEY_NOT_FOUND'))
      return { verified: false, bytes, reason: 'ERR_KEY_NOT_FOUND' }
    throw e
  }
}

/**
 * The state a verified chain proves for `address` (spec 17.5). A record counts when it is about
 * this letter (id and digest), names this recipient or none, and was issued by the sending node
 * (the chain's first issuer) or by the recipient's operator: a peer attests only for its own
 * mailboxes (spec 11.4).
 */
function provenState(
  chain: readonly EvidenceItem[],
  status: LetterStatus,
  address: string,
): { state: RecipientState; code: string | null } {
  const records = chain.flatMap((c) => (c.verified ? [c] : []))
  const sender = records[0]?.record.issuer
  let operator: string | undefined
  try {
    operator = parseMailboxAddress(address).operator
  } catch {
    operator = undefined
  }
  const counted = records
    .filter(
      ({ record: r }) =>
        r.letterId === status.letterId &&
        toHex(r.letterDigest) === status.digest &&
        (r.recipient === undefined || r.recipient === address) &&
        (r.issuer === sender || r.issuer === operator),
    )
    .map(({ record: r, digest }) => ({
      type: r.type,
      time: r.time,
      id: toHex(digest),
      reason: r.reason,
    }))
  return recipientStateOf(counted)
}

function decode(list: unknown, what: string): Uint8Array[] {
  if (list === undefined) return []
  if (
    !Array.isArray(list) ||
    list.length > MAX_RECORDS ||
    list.some((r) => typeof r !== 'string')
  ) {
    throw new BaridError('ERR_INTERNAL', `the node answered with malformed ${what}`)
  }
  return list.map((r: string) => fromBase64Url(r))
}

/**
 * Verifies the evidence in a letter's status.
 *
 * @example
 * ```ts
 * const trail = await verifyTrail(await client.status(id), trust)
 * for (const r of trail.recipients) console.log(r.address, r.chainVerified, r.chain.length)
 * ```
 */
export async function verifyTrail(status: LetterStatus, trust: KeyTrust): Promise<EvidenceTrail> {
  check(status, shape.letterStatus, 'status')
  check(trust, shape.keyTrust, 'trust')
  const records = await Promise.all(
    decode(status.evidence, 'evidence').map((b) => verifyOne(b, trust)),
  )
  const recipients: RecipientTrail[] = []
  for (const r of status.recipients) {
    const bytes = decode(r.chain, 'an evidence chain')
    const chain = await Promise.all(bytes.map((b) => verifyOne(b, trust)))
    let chainVerified = false
    if (chain.length > 0 && chain.every((c) => c.verified)) {
      // Throws when the records verify one by one but do not form a chain: that is tampering.
      await verifyEvidenceChain(bytes, async (kid) => {
        const k = await resolver(trust)(kid)
        return { key: k.key, issuer: k.issuer }
      })
      chainVerified = true
    }
    const claim = { claimedState: r.state, claimedCode: r.code }
    if (chainVerified) {
      const proven = provenState(chain, status, r.address)
      recipients.push({
        address: r.address,
        ...proven,
        ...claim,
        stateMismatch: proven.state !== r.state,
        chain,
        chainVerified,
      })
    } else {
      recipients.push({
        address: r.address,
        state: r.state,
        code: r.code,
        ...claim,
        stateMismatch: false,
        chain,
        chainVerified,
      })
    }
  }
  const verified =
    records.every((r) => r.verified) &&
    recipients.every((r) => r.chain.length === 0 || r.chainVerified)
  return { letterId: status.letterId, recipients, records, verified }
}
