/**
 * @module evidence/core-evidence
 * The {@link EvidencePort} over core's evidence records (spec 07): COSE_Sign1 records signed
 * with the node's evidence key, chained by the digest of the previous record.
 */
import {
  BaridError,
  createEvidence,
  fromHex,
  sha256,
  toBase64Url,
  toHex,
  verifyEvidence,
  type EvidenceRecordCore,
  type KeyPair,
} from '../core.js'
import type { EvidencePort, EvidenceView } from './evidence-port.js'

function view(r: EvidenceRecordCore, digest: Uint8Array, kid: Uint8Array): EvidenceView {
  return {
    type: r.type,
    letterId: r.letterId,
    letterDigest: toHex(r.letterDigest),
    recipient: r.recipient ?? null,
    issuer: r.issuer,
    kid: toBase64Url(kid),
    time: r.time,
    reason: r.reason ?? null,
    prev: r.prev === null ? null : toHex(r.prev),
    id: toHex(digest),
  }
}

/**
 * @example
 * ```ts
 * const evidence = createCoreEvidence({ operator: 'post.eg', key: nodeKeys.evidence })
 * const { record } = await evidence.create({ type: 'submission-accepted', letterId, letterDigest, recipient: null, time: Date.now() })
 * ```
 */
export function createCoreEvidence(o: { operator: string; key: KeyPair }): EvidencePort {
  return {
    async create(input) {
      const e = await createEvidence({
        type: input.type,
        letterId: input.letterId,
        letterDigest: fromHex(input.letterDigest),
        issuer: o.operator,
        ...(input.recipient === null ? {} : { recipient: input.recipient }),
        ...(input.reason === undefined ? {} : { reason: input.reason as never }),
        prev: input.prev === undefined ? null : await sha256(input.prev),
        time: input.time,
        key: { privateKey: o.key.privateKey, kid: o.key.kid },
      })
      return { record: e.bytes, view: view(e.record, e.digest, o.key.kid) }
    },
    async verify(record, resolveKey) {
      let retiredAt: number | null = null
      const v = await verifyEvidence(record, {
        resolveKey: async (kid) => {
          const k = await resolveKey(toBase64Url(kid))
          if (!k)
            throw new BaridError(
              'ERR_KEY_NOT_FOUND',
              'no federation member holds that evidence key',
            )
          retiredAt = k.retiredAt
          return { key: k.key, issuer: k.issuer }
        },
      })
      if (retiredAt !== null && v.record.time >= retiredAt) {
        throw new BaridError('ERR_KEY_RETIRED', 'the record is dated after its key was retired')
      }
      return view(v.record, v.digest, v.kid)
    },
  }
}
