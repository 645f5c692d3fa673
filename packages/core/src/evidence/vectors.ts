/**
 * @module evidence/vectors
 * Builds spec/vectors/evidence.json: evidence records and chains from fixed Ed25519 node keys
 * (byte-exact) and fixed ES256 node keys (every byte but the randomised signature, which is kept
 * from the committed file, cose/vectors-es256), and records and chains a verifier must refuse,
 * each with its reason code.
 */
import { sha256, toHex } from '../bytes.js'
import { fixedKey, type FixedKey, type FixedKeyCurve } from '../letter/fixed-keys.js'
import { CborTag, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { signSign1 } from '../cose/sign1.js'
import { CommittedSignatures } from '../cose/vectors-es256.js'
import { newLetterId } from '../letter/letter-id.js'
import { highS } from '../letter/vectors-invalid.js'
import {
  createEvidence,
  EVIDENCE_TYP,
  type CreateEvidenceOptions,
  type SignedEvidence,
} from './create.js'
import { encodeEvidenceRecord } from './record.js'
import type { EvidenceRecord } from './types.js'

type EvidenceFields = Omit<CreateEvidenceOptions, 'issuer' | 'key'>

interface NodeKey extends FixedKey {
  issuer: string
  alg: 'EdDSA' | 'ES256'
}

async function nodeKey(
  name: string,
  issuer: string,
  seed: number,
  curve: FixedKeyCurve = 'Ed25519',
): Promise<NodeKey> {
  const alg = curve === 'P-256' ? 'ES256' : 'EdDSA'
  return { ...(await fixedKey(name, curve, 'sign', seed)), issuer, alg }
}

function recordJson(r: EvidenceRecord): Record<string, unknown> {
  return { ...r, letterDigest: toHex(r.letterDigest), prev: r.prev === null ? null : toHex(r.prev) }
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const t = bytes.slice()
  t[bit >> 3]! ^= 1 << (bit & 7)
  return t
}

/**
 * The file's content. `committed` is the file as it stands, whose ES256 signatures are reused
 * where nothing else changed.
 *
 * @example
 * ```ts
 * const file = await makeVectors(JSON.parse(readFileSync('spec/vectors/evidence.json', 'utf8')))
 * ```
 */
export async function makeVectors(committed?: unknown): Promise<unknown> {
  const pool = CommittedSignatures.of(committed)
  const eg = await nodeKey('post.eg-node-1', 'post.eg', 0x51)
  const dk = await nodeKey('digitalpost.dk-node-1', 'digitalpost.dk', 0x52)
  const unknown = await nodeKey('unlisted-node', 'post.eg', 0x53)
  const eg2 = await nodeKey('post.eg-node-2-es256', 'post.eg', 0x54, 'P-256')
  const dk2 = await nodeKey('digitalpost.dk-node-2-es256', 'digitalpost.dk', 0x55, 'P-256')
  const listed = [eg, dk, eg2, dk2]
  const t0 = Date.UTC(2025, 5, 1, 9, 0, 0)
  const letter = {
    letterId: newLetterId(t0, new Uint8Array(10).fill(1)),
    letterDigest: new Uint8Array(32).fill(0x5d),
  }
  const as = (k: NodeKey) => ({ issuer: k.issuer, key: { privateKey: k.privateKey, kid: k.kid } })

  const steps: Omit<CreateEvidenceOptions, 'letterId' | 'letterDigest' | 'issuer' | 'key'>[] = [
    { type: 'submission-accepted', time: t0 + 120 },
    { type: 'relay-accepted', time: t0 + 950 },
    { type: 'delivered', recipient: 'lars.jensen@digitalpost.dk', time: t0 + 990 },
    { type: 'retrieved', recipient: 'lars.jensen@digitalpost.dk', time: t0 + 26 * 3_600_000 + 17 },
  ]
  const chain: SignedEvidence[] = []
  for (const [i, s] of steps.entries()) {
    chain.push(
      await createEvidence({
        ...letter,
        ...s,
        ...as(i === 0 ? eg : dk),
        prev: chain[i - 1]?.digest ?? null,
      }),
    )
  }
  const failed: SignedEvidence[] = [chain[0]!]
  failed.push(
    await createEvidence({
      ...letter,
      ...as(dk),
      type: 'relay-accepted',
      time: t0 + 950,
      prev: chain[0]!.digest,
    }),
  )
  failed.push(
    await createEvidence({
      ...letter,
      ...as(dk),
      type: 'not-delivered',
      recipient: 'mette.holm@digitalpost.dk',
      reason: 'mailbox-closed',
      detail: 'mailbox closed on request of its holder',
      time: t0 + 1000,
      prev: failed[1]!.digest,
    }),
  )

  // ES256 records: one opening a chain, one continuing an Ed25519 one (nothing depends on
  // their randomised signatures but their own digests).
  const es256 = async (k: NodeKey, o: EvidenceFields): Promise<SignedEvidence> => {
    const e = await createEvidence({ ...o, ...as(k) })
    const bytes = await pool.keep(e.bytes, k.publicKey)
    return { ...e, bytes, digest: await sha256(bytes) }
  }
  const es256Submission = await es256(eg2, {
    ...letter,
    type: 'submission-accepted',
    time: t0 + 130,
  })
  const es256Relay = await es256(dk2, {
    ...letter,
    type: 'relay-accepted',
    time: t0 + 960,
    prev: chain[0]!.digest,
  })
  // Each record with the key that signed it.
  const signed: [SignedEvidence, NodeKey][] = [
    ...chain.map((e, i): [SignedEvidence, NodeKey] => [e, i === 0 ? eg : dk]),
    [failed[1]!, dk],
    [failed[2]!, dk],
    [es256Submission, eg2],
    [es256Relay, dk2],
  ]
  // chain[0] with its protected header replaced and its payload and signature kept.
  const withProtected = (header: [CborKey, CborValue][]): Uint8Array => {
    const e = chain[0]!
    return encodeCanonical(
      new CborTag(18, [
        encodeCanonical(new Map(header)),
        new Map(),
        encodeCanonical(encodeEvidenceRecord(e.record)),
        e.bytes.slice(-64),
      ]),
    )
  }

  const resignPayload = async (
    change: (m: Map<CborKey, CborValue>) => void,
    typ = EVIDENCE_TYP,
  ): Promise<Uint8Array> => {
    const m = encodeEvidenceRecord(chain[0]!.record)
    change(m)
    return signSign1({
      payload: encodeCanonical(m),
      key: eg.privateKey,
      protectedHeader: new Map<CborKey, CborValue>([
        [4, eg.kid],
        [16, typ],
      ]),
    })
  }
  const otherLetter = await createEvidence({
    ...letter,
    letterId: newLetterId(t0, new Uint8Array(10).fill(2)),
    ...as(dk),
    type: 'relay-accepted',
    time: t0 + 950,
    prev: chain[0]!.digest,
  })
  const b = chain.map((e) => toHex(e.bytes))

  return {
    description:
      'Barid evidence records (spec/07-evidence.md). Node keys are Ed25519 or P-256 (ES256) private JWKs; kid = RFC 7638 SHA-256 thumbprint. ' +
      'Ed25519 records are reproducible byte for byte; ES256 signatures are randomised, so an ES256 record is reproduced in every byte but its last 64 (the signature) and its signature verified. ' +
      'The trust list maps a kid to the operator it belongs to; an unlisted kid is ERR_KEY_NOT_FOUND. digest = SHA-256 of the record bytes. ' +
      '"record" names two fields as the reference API does: letterId is the wire key "letter" and letterDigest is "digest" (spec 7.2); ' +
      '"payload" is the canonical payload the record signs (its COSE_Sign1 payload).',
    keys: [...listed, unknown].map((k) => ({
      name: k.name,
      alg: k.alg,
      kid: toHex(k.kid),
      jwk: k.jwk,
    })),
    trustList: listed.map((k) => ({ kid: toHex(k.kid), issuer: k.issuer })),
    records: signed.map(([e, k]) => ({
      alg: k.alg,
      kid: toHex(k.kid),
      record: recordJson(e.record),
      payload: toHex(encodeCanonical(encodeEvidenceRecord(e.record))),
      bytes: toHex(e.bytes),
      digest: toHex(e.digest),
    })),
    chains: [
      { name: 'delivered-and-retrieved', records: b },
      { name: 'not-delivered', records: failed.map((e) => toHex(e.bytes)) },
      { name: 'es256-relay-after-ed25519-submission', records: [b[0], toHex(es256Relay.bytes)] },
    ],
    invalidRecords: [
      {
        name: 'bit-flip-in-signature',
        bytes: toHex(flipBit(chain[2]!.bytes, (chain[2]!.bytes.length - 5) * 8)),
        reason: 'ERR_SIGNATURE_INVALID',
      },
      {
        name: 'bit-flip-in-payload',
        bytes: toHex(flipBit(chain[2]!.bytes, (chain[2]!.bytes.length - 80) * 8 + 1)),
        reason: 'ERR_SIGNATURE_INVALID',
      },
      {
        name: 'issuer-not-the-keys-operator',
        bytes: toHex(
          (
            await createEvidence({
              ...letter,
              ...as(eg),
              issuer: 'digitalpost.dk',
              type: 'submission-accepted',
              time: t0,
            })
          ).bytes,
        ),
        reason: 'ERR_EVIDENCE_ISSUER_MISMATCH',
      },
      {
        name: 'unlisted-node-key',
        bytes: toHex(
          (
            await createEvidence({
              ...letter,
              ...as(unknown),
              type: 'submission-accepted',
              time: t0,
            })
          ).bytes,
        ),
        reason: 'ERR_KEY_NOT_FOUND',
      },
      {
        name: 'unknown-type',
        bytes: toHex(await resignPayload((m) => m.set('type', 'lost'))),
        reason: 'ERR_EVIDENCE_MALFORMED',
      },
      {
        name: 'delivered-without-recipient',
        bytes: toHex(await resignPayload((m) => m.set('type', 'delivered'))),
        reason: 'ERR_EVIDENCE_MALFORMED',
      },
      {
        name: 'unknown-field',
        bytes: toHex(await resignPayload((m) => m.set('note', 'x'))),
        reason: 'ERR_EVIDENCE_MALFORMED',
      },
      {
        name: 'version-2',
        bytes: toHex(await resignPayload((m) => m.set('v', 2))),
        reason: 'ERR_UNSUPPORTED_VERSION',
      },
      {
        name: 'es256-bit-flip-in-signature',
        bytes: toHex(flipBit(es256Submission.bytes, (es256Submission.bytes.length - 5) * 8)),
        reason: 'ERR_SIGNATURE_INVALID',
      },
      {
        name: 'es256-high-s-signature',
        bytes: toHex(highS(es256Submission.bytes)),
        reason: 'ERR_SIGNATURE_INVALID',
      },
      {
        name: 'kid-of-another-listed-key',
        bytes: toHex(
          await signSign1({
            payload: encodeCanonical(encodeEvidenceRecord(chain[0]!.record)),
            key: eg.privateKey,
            protectedHeader: new Map<CborKey, CborValue>([
              [4, dk.kid],
              [16, EVIDENCE_TYP],
            ]),
          }),
        ),
        reason: 'ERR_SIGNATURE_INVALID',
      },
      {
        name: 'kid-not-32-bytes',
        bytes: toHex(
          await signSign1({
            payload: encodeCanonical(encodeEvidenceRecord(chain[0]!.record)),
            key: eg.privateKey,
            protectedHeader: new Map<CborKey, CborValue>([
              [4, eg.kid.slice(0, 16)],
              [16, EVIDENCE_TYP],
            ]),
          }),
        ),
        reason: 'ERR_EVIDENCE_MALFORMED',
      },
      {
        name: 'unknown-algorithm',
        bytes: toHex(
          withProtected([
            [1, -35],
            [4, eg.kid],
            [16, EVIDENCE_TYP],
          ]),
        ),
        reason: 'ERR_UNSUPPORTED_ALGORITHM',
      },
      {
        name: 'alg-does-not-fit-key',
        bytes: toHex(
          withProtected([
            [1, -7],
            [4, eg.kid],
            [16, EVIDENCE_TYP],
          ]),
        ),
        reason: 'ERR_SIGNATURE_INVALID',
      },
      {
        name: 'type-not-a-string',
        bytes: toHex(await resignPayload((m) => m.set('type', 3))),
        reason: 'ERR_EVIDENCE_MALFORMED',
      },
      {
        name: 'unlisted-es256-node-key',
        bytes: toHex(
          (
            await es256(await nodeKey('unlisted-node-es256', 'post.eg', 0x56, 'P-256'), {
              ...letter,
              type: 'submission-accepted',
              time: t0,
            })
          ).bytes,
        ),
        reason: 'ERR_KEY_NOT_FOUND',
      },
      {
        name: 'letter-typ-instead-of-evidence-typ',
        bytes: toHex(await resignPayload(() => {}, 'application/barid-letter+cose')),
        reason: 'ERR_EVIDENCE_MALFORMED',
      },
    ],
    invalidChains: [
      { name: 'reordered', records: [b[0], b[2], b[1], b[3]], reason: 'ERR_EVIDENCE_CHAIN_BROKEN' },
      {
        name: 'middle-record-dropped',
        records: [b[0], b[1], b[3]],
        reason: 'ERR_EVIDENCE_CHAIN_BROKEN',
      },
      {
        name: 'first-record-dropped',
        records: [b[1], b[2], b[3]],
        reason: 'ERR_EVIDENCE_CHAIN_BROKEN',
      },
      {
        name: 'record-about-another-letter',
        records: [b[0], toHex(otherLetter.bytes)],
        reason: 'ERR_EVIDENCE_CHAIN_BROKEN',
      },
      {
        name: 'record-after-a-terminal-one',
        records: [...b, toHex(failed[2]!.bytes)],
        reason: 'ERR_EVIDENCE_CHAIN_BROKEN',
      },
    ],
  }
}
