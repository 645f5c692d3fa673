/**
 * @module transparency/vectors-signed
 * The signed part of spec/vectors/transparency.json: checkpoints, cosignatures and fork
 * statements from fixed Ed25519 keys (byte-exact), and ones a verifier must refuse.
 */
import { concatBytes, fromHex, toHex } from '../bytes.js'
import { CborTag, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { decodeSign1, signSign1 } from '../cose/sign1.js'
import type { KeyPair } from '../keys/index.js'
import { signCheckpoint, verifyCheckpoint, type SignedCheckpoint } from './checkpoint.js'
import { classifyCheckpoints, type ForkEvidence } from './consistency.js'
import {
  signEnvelope,
  TRANSPARENCY_TYPE,
  type KeyResolver,
  type KeyRole,
  type TransparencyType,
} from './envelope.js'
import { signForkStatement, verifyForkStatement } from './fork-statement.js'
import type { MerkleLog } from './log.js'
import { CommittedSignatures } from '../cose/vectors-es256.js'
import { highS } from '../letter/vectors-invalid.js'
import { buildLog, mustFail, T0 } from './vectors-merkle.js'
import { signCosignature, verifyCosignature } from './witness.js'

/** A fixed test key and the operator and role it stands for. */
export interface VectorKey {
  /** The operator; for the governance key, the federation. */
  operator: string
  role: KeyRole
  jwk: JsonWebKey
  pair: KeyPair
}

/** The keys of the ES256 and untrusted-key entries, and the committed ES256 signatures. */
export interface MoreKeys {
  /** digitalpost.dk's log key, ES256. */
  es256LogKey: VectorKey
  /** A log key no verifier trusts. */
  unlistedLogKey: VectorKey
  pool: CommittedSignatures
}

/** The `checkpoints`, `cosignatures` and `forkStatements` sections. */
export async function signedVectors(
  log: MerkleLog,
  leaves: readonly Uint8Array[],
  logKey: VectorKey,
  witnessKey: VectorKey,
  resolveKey: KeyResolver,
  more: MoreKeys,
): Promise<Record<string, unknown>> {
  const forkedLeaves = [...leaves]
  forkedLeaves[2] = fromHex('11')
  const forked = await buildLog(forkedLeaves)
  const cp = async (l: MerkleLog, size: number, time: number) =>
    signCheckpoint({ logId: 'post.eg', size, root: await l.root(size), time }, logKey.pair)
  const cps: [string, SignedCheckpoint][] = [
    ['empty log', await cp(log, 0, T0)],
    ['3 leaves', await cp(log, 3, T0 + 60)],
    ['6 leaves', await cp(log, 6, T0 + 90)],
    ['8 leaves', await cp(log, 8, T0 + 120)],
  ]
  // digitalpost.dk's log over the same leaves, signed with ES256.
  const es256Cp = async (size: number, time: number, logId = 'digitalpost.dk') => {
    const c = await signCheckpoint(
      { logId, size, root: await log.root(size), time },
      more.es256LogKey.pair,
    )
    return { ...c, bytes: await more.pool.keep(c.bytes, more.es256LogKey.pair.publicKey) }
  }
  cps.push(['3 leaves, digitalpost.dk log (ES256)', await es256Cp(3, T0 + 70)])
  cps.push(['8 leaves, digitalpost.dk log (ES256)', await es256Cp(8, T0 + 130)])
  const es256Eight = cps[5]![1].bytes
  const cpJson = ([description, c]: [string, SignedCheckpoint]) => ({
    description,
    hex: toHex(c.bytes),
    log: c.logId,
    size: c.size,
    root: toHex(c.root),
    time: c.time,
    digest: toHex(c.digest),
  })
  const rawCheckpoint = async (
    fields: Record<string, CborValue>,
    typ: TransparencyType = TRANSPARENCY_TYPE.checkpoint,
  ) =>
    (await signEnvelope(new Map<CborKey, CborValue>(Object.entries(fields)), typ, logKey.pair))
      .bytes
  const base = { v: 1, log: 'post.eg', size: 3, root: await log.root(3), time: T0 + 60 }
  // "log" before "v": the keys are not in the order RFC 8949 section 4.2.1 requires.
  const rest = encodeCanonical(
    new Map<CborKey, CborValue>([
      ['size', 3],
      ['root', base.root],
      ['time', base.time],
    ]),
  ).slice(1)
  const nonCanonical = concatBytes(
    Uint8Array.of(0xa5),
    ...['log', 'post.eg', 'v', 1].map((x) => encodeCanonical(x)),
    rest,
  )
  const tampered = cps[1]![1].bytes.slice()
  tampered[tampered.length - 1]! ^= 1
  // A valid checkpoint's payload and signature under another protected `alg` (spec 04, 4.2).
  const withAlg = (alg: number): Uint8Array => {
    const d = decodeSign1(cps[1]![1].bytes)
    const header = new Map<CborKey, CborValue>([
      [1, alg],
      [4, logKey.pair.kid],
      [16, TRANSPARENCY_TYPE.checkpoint],
    ])
    return encodeCanonical(
      new CborTag(18, [encodeCanonical(header), new Map(), d.payload, d.signature]),
    )
  }
  const badCheckpoints: [string, string, Uint8Array][] = [
    ['signature changed in its last byte', 'ERR_SIGNATURE_INVALID', tampered],
    ['version 2', 'ERR_UNSUPPORTED_VERSION', await rawCheckpoint({ ...base, v: 2 })],
    ['alg ES384 (-35), outside the profile', 'ERR_UNSUPPORTED_ALGORITHM', withAlg(-35)],
    [
      "alg ES256 (-7) under post.eg's Ed25519 log key: the signed alg was changed",
      'ERR_SIGNATURE_INVALID',
      withAlg(-7),
    ],
    ['an unknown field', 'ERR_CHECKPOINT_INVALID', await rawCheckpoint({ ...base, extra: 0 })],
    [
      'size 0 with a root other than the empty-tree root',
      'ERR_CHECKPOINT_INVALID',
      await rawCheckpoint({ ...base, size: 0 }),
    ],
    [
      'a 31-byte root',
      'ERR_CHECKPOINT_INVALID',
      await rawCheckpoint({ ...base, root: base.root.slice(1) }),
    ],
    [
      'a cosignature typ',
      'ERR_CHECKPOINT_INVALID',
      await rawCheckpoint(base, TRANSPARENCY_TYPE.cosignature),
    ],
    [
      'payload map keys not in canonical order',
      'ERR_CHECKPOINT_INVALID',
      await signSign1({
        payload: nonCanonical,
        key: logKey.pair.privateKey,
        protectedHeader: new Map<CborKey, CborValue>([
          [4, logKey.pair.kid],
          [16, TRANSPARENCY_TYPE.checkpoint],
        ]),
      }),
    ],
    [
      'epoch 0 written out (epoch 0 is left out: one checkpoint, one encoding)',
      'ERR_CHECKPOINT_INVALID',
      await rawCheckpoint({ ...base, epoch: 0 }),
    ],
    [
      'ES256, signature changed in its 5th-last byte',
      'ERR_SIGNATURE_INVALID',
      (() => {
        const t = es256Eight.slice()
        t[t.length - 5]! ^= 1
        return t
      })(),
    ],
    ['ES256, signature with a high S (spec 04, 4.4)', 'ERR_SIGNATURE_INVALID', highS(es256Eight)],
    [
      'signed by a log key no verifier trusts (unlistedKeys)',
      'ERR_KEY_NOT_FOUND',
      (
        await signCheckpoint(
          { logId: 'post.eg', size: 3, root: base.root, time: base.time },
          more.unlistedLogKey.pair,
        )
      ).bytes,
    ],
    [
      "naming post.eg as its log, signed by digitalpost.dk's log key (ES256)",
      'ERR_CHECKPOINT_INVALID',
      (await es256Cp(3, T0 + 60, 'post.eg')).bytes,
    ],
    [
      'signed by the witness key, which is not a log key',
      'ERR_KEY_NOT_FOUND',
      (
        await signCheckpoint(
          { logId: 'post.eg', size: 3, root: base.root, time: base.time },
          witnessKey.pair,
        )
      ).bytes,
    ],
  ]
  const checkpointInvalid: unknown[] = []
  for (const [description, reason, bytes] of badCheckpoints) {
    checkpointInvalid.push({
      description,
      hex: toHex(bytes),
      reason: await mustFail(reason, description, () => verifyCheckpoint(bytes, { resolveKey })),
    })
  }

  // --- cosignatures -----------------------------------------------------------------------------
  const c8 = cps[3]![1]
  const cosig = await signCosignature({
    checkpoint: c8,
    witnessId: 'digitalpost.dk',
    witnessKey: witnessKey.pair,
    time: T0 + 125,
  })
  const cosigWrongWitness = await signCosignature({
    checkpoint: c8,
    witnessId: 'post.eg',
    witnessKey: witnessKey.pair,
    time: T0 + 125,
  })
  const cosigInvalid = [
    {
      description: 'over the 3-leaf checkpoint, presented with the 8-leaf one',
      hex: toHex(
        await signCosignature({
          checkpoint: cps[1]![1],
          witnessId: 'digitalpost.dk',
          witnessKey: witnessKey.pair,
          time: T0 + 125,
        }),
      ),
      checkpoint: toHex(c8.bytes),
    },
    {
      description: "names another witness than its key's owner",
      hex: toHex(cosigWrongWitness),
      checkpoint: toHex(c8.bytes),
    },
  ]
  for (const v of cosigInvalid) {
    Object.assign(v, {
      reason: await mustFail('ERR_WITNESS_STATEMENT_INVALID', v.description, () =>
        verifyCosignature(fromHex(v.hex), { checkpoint: c8, resolveKey }),
      ),
    })
  }

  // --- fork statements --------------------------------------------------------------------------
  const f8 = await cp(forked, 8, T0 + 121)
  const rollback = await cp(log, 3, T0 + 180)
  const proofFork = await classifyCheckpoints(
    cps[2]![1],
    f8,
    (await forked.consistencyProof(6, 8)).path,
  )
  if (proofFork.status !== 'fork') throw new Error('vector: the proof fork is not detected')
  const forks: [string, ForkEvidence][] = [
    ['two roots for 8 leaves (leaf 2 rewritten)', { kind: 'same-size', a: c8, b: f8 }],
    ['8 leaves, then 3 leaves a minute later', { kind: 'rollback', a: c8, b: rollback }],
    [
      '6 leaves, then 8 leaves whose own consistency proof shows another root for the first 6',
      proofFork.evidence,
    ],
  ]
  const forkValid: unknown[] = []
  for (const [description, evidence] of forks) {
    const bytes = await signForkStatement({
      evidence,
      witnessId: 'digitalpost.dk',
      witnessKey: witnessKey.pair,
      time: T0 + 200,
    })
    await verifyForkStatement(bytes, { resolveKey })
    forkValid.push({ description, kind: evidence.kind, hex: toHex(bytes) })
  }
  const notAFork = (
    await signEnvelope(
      new Map<CborKey, CborValue>([
        ['v', 1],
        ['witness', 'digitalpost.dk'],
        ['time', T0 + 200],
        ['kind', 'same-size'],
        ['a', c8.bytes],
        ['b', c8.bytes],
      ]),
      TRANSPARENCY_TYPE.forkStatement,
      witnessKey.pair,
    )
  ).bytes
  const forkInvalid = [
    {
      description: 'the same checkpoint twice, called a same-size fork',
      hex: toHex(notAFork),
      reason: await mustFail('ERR_WITNESS_STATEMENT_INVALID', 'not a fork', () =>
        verifyForkStatement(notAFork, { resolveKey }),
      ),
    },
  ]

  return {
    checkpoints: { valid: cps.map(cpJson), invalid: checkpointInvalid },
    cosignatures: {
      valid: [
        {
          description: 'digitalpost.dk cosigns the 8-leaf checkpoint',
          hex: toHex(cosig),
          checkpoint: toHex(c8.bytes),
          witness: 'digitalpost.dk',
          time: T0 + 125,
        },
      ],
      invalid: cosigInvalid,
    },
    forkStatements: { valid: forkValid, invalid: forkInvalid },
  }
}
