/**
 * @module evidence/core-evidence
 * The {@link EvidencePort} over core's evidence records (spec 07): COSE_Sign1 records signed
 * with the node's evidence key, chained by the digest of the previous record.
 */
import { hash } from 'node:crypto'
import {
  BaridError,
  createEvidence,
  toBase64Url,
  verifyEvidence,
  type EvidenceRecordCore,
  type KeyPair,
} from '../core.js'
import type { EvidencePort, EvidenceView } from './evidence-port.js'

/**
 * SHA-256 and hex from node:crypto and Buffer: synchronous and native, where core's WebCrypto
 * digest is a thread-pool round trip per call (two per record: the record, and `prev`).
 */
function nodeSha256(d: Uint8Array): Uint8Array {
  const b = hash('sha256', d, 'buffer') as Buffer
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
const fromHex = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'hex')
  // Buffer stops at the first non-hex pair; the inputs are digests this node computed.
  if (b.byteLength * 2 !== s.length)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'letterDigest is not hex')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function view(r: EvidenceRecordCore, digest: Uint8Array, kid: string): EvidenceView {
  return {
    type: r.type,
    letterId: r.letterId,
    letterDigest: hex(r.letterDigest),
    recipient: r.recipient ?? null,
    issuer: r.issuer,
    kid,
    time: r.time,
    reason: r.reason ?? null,
    prev: r.prev === null ? null : hex(r.prev),
    id: hex(digest),
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
      // Read once: a rotating node key (spec 21.4) must not change between kid and signature.
      const key = o.key
      const e = await createEvidence({
        type: input.type,
        letterId: input.letterId,
        letterDigest: fromHex(input.letterDigest),
        issuer: o.operator,
        ...(input.recipient === null ? {} : { recipient: input.recipient }),
        ...(input.reason === undefined ? {} : { reason: input.reason as never }),
        prev: input.prev === undefined ? null : nodeSha256(input.prev),
        time: input.time,
        key: { privateKey: key.privateKey, kid: key.kid },
        sha256: nodeSha256,
      })
      return { record: e.bytes, view: view(e.record, e.digest, key.kidBase64Url) }
    },
    async verify(record, resolveKey) {
      let retiredAt: number | null = null
      const v = await verifyEvidence(record, {
        sha256: nodeSha256,
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
      return view(v.record, v.digest, toBase64Url(v.kid))
    },
  }
}
