import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseMailboxAddress, parseOperatorId } from '../address/index.js'
import { bytesEqual } from '../bytes.js'
import { encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { signSign1, verifySign1 } from '../cose/sign1.js'
import { letterIdFromBytes } from '../letter/letter-id.js'
import { signingKey } from '../../test/keys.js'
import { createEvidence, EVIDENCE_TYP } from './create.js'
import { encodeEvidencePayload, encodeEvidenceRecord } from './record.js'
import { EVIDENCE_REASONS, EVIDENCE_TYPES, type EvidenceRecord } from './types.js'
import { verifyEvidence } from './verify.js'

const ed = await signingKey('Ed25519')
const p256 = await signingKey('P-256')

/** A UUIDv7 from 16 random bytes (version and variant bits set). */
const letterIdArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  b[6] = (b[6]! & 0x0f) | 0x70
  b[8] = (b[8]! & 0x3f) | 0x80
  return letterIdFromBytes(b)
})
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

/** Records of every shape: each optional member present or not, times at every head size. */
const recordArb: fc.Arbitrary<EvidenceRecord> = fc.record(
  {
    type: fc.constantFrom(...EVIDENCE_TYPES),
    letterId: letterIdArb,
    letterDigest: bytes32,
    issuer: fc.constantFrom('post.eg', 'digitalpost.dk', 'a.example'),
    time: fc.oneof(
      fc.constantFrom(0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    ),
    prev: fc.option(bytes32, { nil: null }),
    recipient: fc.constantFrom('lars.jensen@digitalpost.dk', 'amina@post.eg'),
    reason: fc.constantFrom(...EVIDENCE_REASONS, 'ERR_MISROUTED' as const),
    detail: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\u0000-\u001f]/.test(s)),
  },
  { requiredKeys: ['type', 'letterId', 'letterDigest', 'issuer', 'time', 'prev'] },
).map(
  ({ issuer, recipient, ...r }): EvidenceRecord => ({
    v: 1,
    ...r,
    issuer: parseOperatorId(issuer),
    ...(recipient === undefined ? {} : { recipient: parseMailboxAddress(recipient).address }),
  }),
)

const nodeSha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest())

describe('evidence record bytes', () => {
  it('writes every payload exactly as the generic canonical encoder does', () => {
    fc.assert(
      fc.property(recordArb, (r) => {
        expect(encodeEvidencePayload(r)).toEqual(encodeCanonical(encodeEvidenceRecord(r)))
      }),
      { numRuns: 300 },
    )
  })

  it('signs exactly the COSE_Sign1 that signSign1 builds over the canonical record', async () => {
    const failure: readonly string[] = [
      'submission-rejected',
      'relay-rejected',
      'not-delivered',
      'notification-failed',
    ]
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EVIDENCE_TYPES),
        letterIdArb,
        bytes32,
        async (type, letterId, prev) => {
          const o = {
            type,
            letterId,
            letterDigest: prev.slice().reverse(),
            issuer: 'digitalpost.dk',
            recipient: 'lars.jensen@digitalpost.dk',
            ...(failure.includes(type) ? { reason: 'ERR_MISROUTED' as const } : {}),
            prev,
            time: 1_800_000_000_000,
          }
          for (const key of [ed, p256]) {
            const e = await createEvidence({
              ...o,
              key: { privateKey: key.privateKey, kid: key.kid },
            })
            const reference = await signSign1({
              payload: encodeCanonical(encodeEvidenceRecord(e.record)),
              key: key.privateKey,
              protectedHeader: new Map<CborKey, CborValue>([
                [4, key.kid],
                [16, EVIDENCE_TYP],
              ]),
            })
            // Ed25519 is deterministic: identical bytes. ES256 is not: identical up to the
            // signature, which verifies.
            if (key === ed) expect(e.bytes).toEqual(reference)
            else {
              expect(e.bytes.subarray(0, -64)).toEqual(reference.subarray(0, -64))
              await verifySign1(e.bytes, { key: key.publicKey })
            }
          }
        },
      ),
      { numRuns: 20 },
    )
  })

  it('names the kid given with each record, also when one key signs under two kids', async () => {
    const other = new Uint8Array(32).fill(5)
    const base = {
      type: 'submission-accepted' as const,
      letterId: '01920000-0000-7000-8000-000000000001',
      letterDigest: new Uint8Array(32),
      issuer: 'post.eg',
      time: 1,
    }
    const resolveKey = async () => ({ key: ed.publicKey, issuer: 'post.eg' })
    for (const kid of [ed.kid, other, ed.kid]) {
      const e = await createEvidence({ ...base, key: { privateKey: ed.privateKey, kid } })
      expect(bytesEqual((await verifyEvidence(e.bytes, { resolveKey })).kid, kid)).toBe(true)
    }
  })

  it('gives the same digest with an injected SHA-256 as with WebCrypto', async () => {
    const o = {
      type: 'delivered' as const,
      letterId: '01920000-0000-7000-8000-000000000001',
      letterDigest: new Uint8Array(32),
      issuer: 'digitalpost.dk',
      recipient: 'lars.jensen@digitalpost.dk',
      time: 2,
      key: { privateKey: ed.privateKey, kid: ed.kid },
    }
    const a = await createEvidence(o)
    const b = await createEvidence({ ...o, sha256: nodeSha256 })
    expect(b.digest).toEqual(a.digest)
    const resolveKey = async () => ({ key: ed.publicKey, issuer: 'digitalpost.dk' })
    const v = await verifyEvidence(a.bytes, { resolveKey, sha256: nodeSha256 })
    expect(v.digest).toEqual(a.digest)
  })
})
