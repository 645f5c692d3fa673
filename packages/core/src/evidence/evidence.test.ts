import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { decodeStrict, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { signSign1 } from '../cose/sign1.js'
import { newLetterId } from '../letter/letter-id.js'
import { signingKey, type TestKey } from '../../test/keys.js'
import { verifyEvidenceChain } from './chain.js'
import {
  createEvidence,
  EVIDENCE_TYP,
  type CreateEvidenceOptions,
  type SignedEvidence,
} from './create.js'
import { encodeEvidenceRecord, parseEvidenceRecord } from './record.js'
import { EVIDENCE_TYPES, FAILURE_TYPES } from './types.js'
import { evidenceDigest, verifyEvidence, type ResolveEvidenceKey } from './verify.js'
import { codeOf } from '../../test/code-of.js'

const eg = await signingKey('Ed25519')
const dk = await signingKey('P-256')
const rogue = await signingKey('Ed25519')
const nodes = new Map<string, { key: TestKey; issuer: string }>([
  [toHex(eg.kid), { key: eg, issuer: 'post.eg' }],
  [toHex(dk.kid), { key: dk, issuer: 'digitalpost.dk' }],
])
const resolveKey: ResolveEvidenceKey = async (kid) => {
  const n = nodes.get(toHex(kid))
  if (n === undefined) throw new BaridError('ERR_KEY_NOT_FOUND', 'unknown node key')
  return { key: n.key.publicKey, issuer: n.issuer }
}
const letterId = newLetterId(Date.UTC(2025, 5, 1))
const letterDigest = new Uint8Array(32).fill(0xab)
const T0 = Date.UTC(2025, 5, 1, 12)

const egKey = { privateKey: eg.privateKey, kid: eg.kid }
const dkKey = { privateKey: dk.privateKey, kid: dk.kid }

/** The happy path of a registered letter from post.eg to a Danish mailbox. */
async function chain(): Promise<SignedEvidence[]> {
  const base = { letterId, letterDigest }
  const a = await createEvidence({
    ...base,
    type: 'submission-accepted',
    issuer: 'post.eg',
    time: T0,
    key: egKey,
  })
  const b = await createEvidence({
    ...base,
    type: 'relay-accepted',
    issuer: 'digitalpost.dk',
    time: T0 + 800,
    prev: a.digest,
    key: dkKey,
  })
  const c = await createEvidence({
    ...base,
    type: 'delivered',
    issuer: 'digitalpost.dk',
    recipient: 'lars.jensen@digitalpost.dk',
    time: T0 + 900,
    prev: b.digest,
    key: dkKey,
  })
  const d = await createEvidence({
    ...base,
    type: 'retrieved',
    issuer: 'digitalpost.dk',
    recipient: 'lars.jensen@digitalpost.dk',
    time: T0 + 86_400_000,
    prev: c.digest,
    key: dkKey,
  })
  return [a, b, c, d]
}

describe('evidence records', () => {
  it('verifies what it creates, for every type, with Ed25519 and ES256 node keys', async () => {
    for (const type of EVIDENCE_TYPES) {
      for (const [key, issuer] of [
        [egKey, 'post.eg'],
        [dkKey, 'digitalpost.dk'],
      ] as const) {
        const o: CreateEvidenceOptions = {
          type,
          letterId,
          letterDigest,
          issuer,
          time: T0,
          key,
          recipient: 'amina.hassan@post.eg',
          ...(FAILURE_TYPES.includes(type) ? { reason: 'mailbox-unknown' as const } : {}),
        }
        const e = await createEvidence(o)
        const v = await verifyEvidence(e.bytes, { resolveKey })
        expect(v.record).toEqual(e.record)
        expect(toHex(v.digest)).toBe(toHex(await evidenceDigest(e.bytes)))
        expect(toHex(v.kid)).toBe(toHex(key.kid))
      }
    }
  })

  it('re-encodes a decoded record to the same canonical bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EVIDENCE_TYPES),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: null }),
        fc.option(
          fc
            .string({ minLength: 1, maxLength: 40 })
            .filter((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s)),
          { nil: undefined },
        ),
        async (type, time, prev, detail) => {
          const e = await createEvidence({
            type,
            letterId,
            letterDigest,
            issuer: 'post.eg',
            time,
            prev,
            detail,
            key: egKey,
            recipient: 'amina.hassan@post.eg',
            ...(FAILURE_TYPES.includes(type) ? { reason: 'ERR_LETTER_EXPIRED' as const } : {}),
          })
          const payload = (decodeStrict(e.bytes, { tags: new Set([18]) }) as { value: CborValue[] })
            .value[2] as Uint8Array
          const parsed = parseEvidenceRecord(decodeStrict(payload))
          expect(parsed).toEqual(e.record)
          expect(toHex(encodeCanonical(encodeEvidenceRecord(parsed)))).toBe(toHex(payload))
        },
      ),
      { numRuns: 30 },
    )
  })

  it('enforces the fields each type needs', async () => {
    const base = { letterId, letterDigest, issuer: 'post.eg', key: egKey }
    expect(await codeOf(createEvidence({ ...base, type: 'delivered' }))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(await codeOf(createEvidence({ ...base, type: 'relay-rejected' }))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(
      await codeOf(
        createEvidence({ ...base, type: 'delivered', recipient: 'a@post.eg', reason: 'policy' }),
      ),
    ).toBe('ERR_INVALID_ARGUMENT')
    expect(
      await codeOf(
        createEvidence({ ...base, type: 'relay-rejected', reason: 'no-such-reason' as 'policy' }),
      ),
    ).toBe('ERR_INVALID_ARGUMENT')
    expect(
      await codeOf(createEvidence({ ...base, type: 'submission-accepted', detail: 'two\nlines' })),
    ).toBe('ERR_INVALID_ARGUMENT')
    expect(
      await codeOf(createEvidence({ ...base, type: 'submission-accepted', letterId: 'x' })),
    ).toBe('ERR_INVALID_ARGUMENT')
    await createEvidence({ ...base, type: 'relay-rejected', reason: 'ERR_CERT_REVOKED' })
  })

  it('refuses a record signed by a key of another operator than the issuer it names', async () => {
    const e = await createEvidence({
      type: 'submission-accepted',
      letterId,
      letterDigest,
      issuer: 'digitalpost.dk',
      key: egKey,
    })
    expect(await codeOf(verifyEvidence(e.bytes, { resolveKey }))).toBe(
      'ERR_EVIDENCE_ISSUER_MISMATCH',
    )
    const r = await createEvidence({
      type: 'submission-accepted',
      letterId,
      letterDigest,
      issuer: 'post.eg',
      key: { privateKey: rogue.privateKey, kid: rogue.kid },
    })
    expect(await codeOf(verifyEvidence(r.bytes, { resolveKey }))).toBe('ERR_KEY_NOT_FOUND')
  })

  it('answers every single-bit change with a BaridError', async () => {
    const e = await createEvidence({
      type: 'delivered',
      letterId,
      letterDigest,
      issuer: 'post.eg',
      recipient: 'amina.hassan@post.eg',
      time: T0,
      key: egKey,
    })
    const bits = Array.from({ length: e.bytes.length * 8 }, (_, i) => i)
    for (let start = 0; start < bits.length; start += 64) {
      await Promise.all(
        bits.slice(start, start + 64).map(async (i) => {
          const t = e.bytes.slice()
          t[i >> 3]! ^= 1 << (i & 7)
          expect(await codeOf(verifyEvidence(t, { resolveKey })), `bit ${i}`).toMatch(/^ERR_/)
        }),
      )
    }
  })

  it('answers random bytes with BaridErrors only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (b) => {
        expect(await codeOf(verifyEvidence(b, { resolveKey }))).toMatch(/^ERR_/)
        expect(
          await codeOf(verifyEvidence(Uint8Array.of(0xd2, 0x84, ...b), { resolveKey })),
        ).toMatch(/^ERR_/)
      }),
      { numRuns: 300 },
    )
  })

  it('refuses a validly signed payload that breaks the record rules, and a letter passed as evidence', async () => {
    const bad = new Map<CborKey, CborValue>(
      encodeEvidenceRecord(
        (
          await createEvidence({
            type: 'submission-accepted',
            letterId,
            letterDigest,
            issuer: 'post.eg',
            key: egKey,
          })
        ).record,
      ),
    )
    bad.set('type', 'lost')
    const forged = await signSign1({
      payload: encodeCanonical(bad),
      key: eg.privateKey,
      protectedHeader: new Map<CborKey, CborValue>([
        [4, eg.kid],
        [16, EVIDENCE_TYP],
      ]),
    })
    expect(await codeOf(verifyEvidence(forged, { resolveKey }))).toBe('ERR_EVIDENCE_MALFORMED')
    const wrongTyp = await signSign1({
      payload: encodeCanonical(bad),
      key: eg.privateKey,
      protectedHeader: new Map<CborKey, CborValue>([
        [4, eg.kid],
        [16, 'application/barid-letter+cose'],
      ]),
    })
    expect(await codeOf(verifyEvidence(wrongTyp, { resolveKey }))).toBe('ERR_EVIDENCE_MALFORMED')
  })
})

describe('evidence chains', () => {
  it('verifies an intact chain, oldest first', async () => {
    const c = await chain()
    const v = await verifyEvidenceChain(
      c.map((e) => e.bytes),
      resolveKey,
    )
    expect(v.map((x) => x.record.type)).toEqual([
      'submission-accepted',
      'relay-accepted',
      'delivered',
      'retrieved',
    ])
  })

  it('detects a reordered, dropped, duplicated or substituted record', async () => {
    const c = (await chain()).map((e) => e.bytes)
    const broken = (list: Uint8Array[]) => codeOf(verifyEvidenceChain(list, resolveKey))
    expect(await broken([c[1]!, c[0]!, c[2]!, c[3]!])).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
    expect(await broken([c[0]!, c[2]!, c[1]!, c[3]!])).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
    expect(await broken([c[0]!, c[2]!, c[3]!])).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
    expect(await broken([c[1]!, c[2]!, c[3]!])).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
    expect(await broken([c[0]!, c[1]!, c[1]!, c[2]!])).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
    // A re-issued record with other content but a valid signature still breaks the links after it.
    const a = await createEvidence({
      type: 'submission-accepted',
      letterId,
      letterDigest,
      issuer: 'post.eg',
      time: T0 + 1,
      key: egKey,
    })
    expect(await broken([a.bytes, c[1]!, c[2]!, c[3]!])).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
  })

  it('detects a record about another letter, another recipient, or after a terminal record', async () => {
    const [a, b, c, d] = await chain()
    const other = await createEvidence({
      type: 'relay-accepted',
      letterId: newLetterId(),
      letterDigest,
      issuer: 'digitalpost.dk',
      prev: a!.digest,
      key: dkKey,
    })
    expect(await codeOf(verifyEvidenceChain([a!.bytes, other.bytes], resolveKey))).toBe(
      'ERR_EVIDENCE_CHAIN_BROKEN',
    )
    const mette = await createEvidence({
      type: 'retrieved',
      letterId,
      letterDigest,
      issuer: 'digitalpost.dk',
      recipient: 'mette.holm@digitalpost.dk',
      prev: c!.digest,
      key: dkKey,
    })
    expect(
      await codeOf(verifyEvidenceChain([a!.bytes, b!.bytes, c!.bytes, mette.bytes], resolveKey)),
    ).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
    const after = await createEvidence({
      type: 'expired',
      letterId,
      letterDigest,
      issuer: 'digitalpost.dk',
      recipient: 'lars.jensen@digitalpost.dk',
      prev: d!.digest,
      key: dkKey,
    })
    expect(
      await codeOf(
        verifyEvidenceChain([a!.bytes, b!.bytes, c!.bytes, d!.bytes, after.bytes], resolveKey),
      ),
    ).toBe('ERR_EVIDENCE_CHAIN_BROKEN')
  })

  it('reports a changed record inside a chain as a signature failure', async () => {
    const c = (await chain()).map((e) => e.bytes)
    const t = c[2]!.slice()
    t[t.length - 1]! ^= 1
    expect(await codeOf(verifyEvidenceChain([c[0]!, c[1]!, t, c[3]!], resolveKey))).toBe(
      'ERR_SIGNATURE_INVALID',
    )
  })
})
