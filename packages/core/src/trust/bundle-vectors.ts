/**
 * @module trust/bundle-vectors
 * Builds spec/vectors/evidence-bundle.json: evidence bundles (spec 21.7) that an offline verifier
 * must accept, with what it must conclude (records, issuers, times, log inclusion), and bundles
 * it must refuse with the given code. Everything comes from the fixed keys and PKI of
 * ./vectors.ts (the trust-list vectors) and is signed with Ed25519, which is deterministic
 * (RFC 8032 section 5.1.6), so every byte is reproducible.
 */
import { concatBytes, sha256, toHex, utf8 } from '../bytes.js'
import { decodeStrict, encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import {
  createEvidence,
  type CreateEvidenceOptions,
  type SignedEvidence,
} from '../evidence/create.js'
import type { KeyPair } from '../keys/index.js'
import { newLetterId } from '../letter/letter-id.js'
import { signCheckpoint } from '../transparency/checkpoint.js'
import { openLog } from '../transparency/log.js'
import { createMemoryLogStore } from '../transparency/store.js'
import { signCosignature } from '../transparency/witness.js'
import { createEvidenceBundle, type EvidenceBundle, type LoggedRecord } from './evidence-bundle.js'
import { createRevocationList, type RevokedEntry } from './revocation-list.js'
import { createTrustList } from './trust-list.js'
import { createCertificate } from '../x509/create.js'
import { fixedKey, makePki, trustListInput, VECTOR_NOW } from './vectors.js'

const DAY = 86_400
/** When the vectors are verified: a day after the letter (the trust list is still fresh). */
const CHECK_AT = VECTOR_NOW + DAY
/** post.eg is withdrawn at this time in the base trust list (./vectors.ts). */
const WITHDRAWN = VECTOR_NOW + 3600
/** digitalpost.dk revokes its node certificate (serial 11) from this time, for key compromise. */
const REVOKED = VECTOR_NOW + 600
const RECIPIENT = 'lars.jensen@digitalpost.dk'
const ms = (seconds: number, extra = 0) => seconds * 1000 + extra
const MALFORMED = 'ERR_EVIDENCE_BUNDLE_MALFORMED'
/** A revocation list's own limit (21.6.1), which a bundle's lists may not pass (21.7). */
const MAX_LIST_BYTES = 4 << 20

type Cbor = Map<CborKey, CborValue>

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const t = bytes.slice()
  t[index] = (t[index] as number) ^ 1
  return t
}

/** A bundle re-encoded canonically after `change`: for contents `createEvidenceBundle` refuses. */
function edited(bundle: EvidenceBundle, change: (m: Cbor) => void): Uint8Array {
  const m = decodeStrict(createEvidenceBundle(bundle)) as Cbor
  change(m)
  return encodeCanonical(m)
}

/** What a verifier concludes about each record of a chain it accepts. */
function expected(chain: readonly SignedEvidence[], kids: Record<string, Uint8Array>) {
  return chain.map(({ record: r }) => ({
    type: r.type,
    issuer: r.issuer,
    time: r.time,
    signedAt: Math.floor(r.time / 1000),
    kid: toHex(kids[r.issuer]!),
    ...(r.recipient === undefined ? {} : { recipient: r.recipient }),
  }))
}

/** A must-fail entry: a bundle encoded by `createEvidenceBundle`, or raw bytes. */
function bad(name: string, reason: string, bundle: EvidenceBundle | Uint8Array) {
  const bytes = bundle instanceof Uint8Array ? bundle : createEvidenceBundle(bundle)
  return { name, hex: toHex(bytes), reason }
}

/**
 * The JSON of spec/vectors/evidence-bundle.json.
 *
 * @example
 * ```ts
 * writeFileSync('evidence-bundle.json', JSON.stringify(await makeVectors(), null, 2) + '\n')
 * ```
 */
export async function makeVectors(): Promise<unknown> {
  const p = await makePki()
  const key = (n: string) => p.keys[n] as KeyPair
  const [gov, eg, dk] = [key('governance'), key('post.eg-node'), key('digitalpost.dk-node')]
  const trustList = await createTrustList(trustListInput(p), gov)
  const crl = (operator: string, revoked: RevokedEntry[]) =>
    createRevocationList(
      { operator, sequence: 1, issued: VECTOR_NOW, nextUpdate: VECTOR_NOW + 7 * DAY, revoked },
      key(`${operator}-ca`),
    )
  const egCrl = await crl('post.eg', [])
  const dkCrl = await crl('digitalpost.dk', [
    { serial: p.dkNode.serialNumber, at: REVOKED, reason: 'key-compromise' },
  ])

  // One registered letter from Egypt Post to Digital Post: accepted, relayed, delivered.
  const letter = {
    letterId: newLetterId(ms(VECTOR_NOW), new Uint8Array(10).fill(0x42)),
    letterDigest: await sha256(utf8('barid evidence bundle vector letter')),
  }
  type Step = Pick<CreateEvidenceOptions, 'type' | 'time' | 'recipient'>
  const sign = (k: KeyPair, step: Step, prev?: SignedEvidence) =>
    createEvidence({
      ...letter,
      ...step,
      issuer: k === eg ? 'post.eg' : 'digitalpost.dk',
      key: k,
      prev: prev?.digest ?? null,
    })
  const accepted = await sign(eg, { type: 'submission-accepted', time: ms(VECTOR_NOW + 60, 250) })
  const relayed = await sign(dk, { type: 'relay-accepted', time: ms(VECTOR_NOW + 120) }, accepted)
  const delivered = await sign(
    dk,
    { type: 'delivered', recipient: RECIPIENT, time: ms(VECTOR_NOW + 180, 999) },
    relayed,
  )
  const chain = [accepted, relayed, delivered]
  const records = chain.map((e) => e.bytes)
  const certificates = [p.egNode.der, p.dkNode.der]
  const kids = { 'post.eg': eg.kid, 'digitalpost.dk': dk.kid }
  const plain: EvidenceBundle = { records, certificates, revocationLists: [egCrl, dkCrl] }

  // post.eg's log: the accepted record is leaf 2 of 5, the other leaves stand for other letters'.
  const log = await openLog({ store: createMemoryLogStore() })
  const leaf = (i: number) => utf8(`barid bundle vector: another leaf ${i}`)
  const { size, root } = await log.append([leaf(0), leaf(1), accepted.bytes, leaf(3), leaf(4)])
  const proof = await log.inclusionProof(2)
  const time = VECTOR_NOW + 90
  const checkpoint = await signCheckpoint({ logId: 'post.eg', size, root, time }, eg)
  const witnessed = { checkpoint, witnessId: 'digitalpost.dk', witnessKey: dk, time: time + 5 }
  const logged: LoggedRecord = {
    record: 0,
    checkpoint: checkpoint.bytes,
    proof,
    cosignatures: [await signCosignature(witnessed)],
  }
  const withLog: EvidenceBundle = { records, certificates, revocationLists: [], log: [logged] }
  // The same tree signed six minutes before the accepted record was made (spec 16.8 rule 2).
  const early = await signCheckpoint({ logId: 'post.eg', size, root, time: VECTOR_NOW - 300 }, eg)
  // A second cosignature by the same witness, a second later (spec 16.8 rule 3).
  const again = await signCosignature({ ...witnessed, time: time + 6 })
  const foreign = await signCheckpoint({ logId: 'digitalpost.dk', size, root, time }, dk)

  // post.eg retires its node key one second after the accepted record; Digital Post's key is
  // set to retire later (spec 21.7: a producer lists future retirements too).
  const retiring: EvidenceBundle = {
    ...plain,
    retiredKeys: [
      { kid: eg.kid, retired: VECTOR_NOW + 61 },
      { kid: dk.kid, retired: VECTOR_NOW + 3600 },
    ],
  }

  const afterWithdrawal = await sign(eg, { type: 'submission-accepted', time: ms(WITHDRAWN) })
  // Dated 301 s after the time the vectors are verified at: beyond the clock skew (spec 21.7).
  const deliveredLater = await sign(
    dk,
    { type: 'delivered', recipient: RECIPIENT, time: ms(CHECK_AT + 301) },
    relayed,
  )
  const deliveredWhenRevoked = await sign(
    dk,
    { type: 'delivered', recipient: RECIPIENT, time: ms(REVOKED) },
    relayed,
  )
  // The same map with "v" last: valid CBOR, not deterministic (RFC 8949 section 4.2.1).
  const plainBytes = createEvidenceBundle(plain)
  const rest = [...(decodeStrict(plainBytes) as Cbor).entries()].filter(([k]) => k !== 'v')
  const nonCanonical = concatBytes(
    plainBytes.subarray(0, 1),
    ...rest.map(([k, v]) => concatBytes(encodeCanonical(k), encodeCanonical(v))),
    encodeCanonical('v'),
    encodeCanonical(1),
  )

  // Digital Post's log shown twice for its two records, with contents that cannot both be true
  // (16.7 rule 2): one tree size with two roots, then a later checkpoint of a smaller tree.
  const dkLogged = async (leaves: Uint8Array[], record: 1 | 2, at: number) => {
    const dkLog = await openLog({ store: createMemoryLogStore() })
    const { size, root } = await dkLog.append(leaves)
    const index = leaves.findIndex((l) => l === records[record])
    const cp = await signCheckpoint({ logId: 'digitalpost.dk', size, root, time: at }, dk)
    return {
      record,
      checkpoint: cp.bytes,
      proof: await dkLog.inclusionProof(index),
      cosignatures: [],
    }
  }
  const dkLeaves = [leaf(10), records[1]!, records[2]!]
  const dkThree = await dkLogged(dkLeaves, 1, VECTOR_NOW + 200)
  const dkForked = await dkLogged([leaf(11), records[1]!, records[2]!], 2, VECTOR_NOW + 200)
  const dkShrunk = await dkLogged([records[1]!, records[2]!], 2, VECTOR_NOW + 250)

  // Step 6 binds a log or witness key whose certificate no record used at the time of its
  // statement: a newer post.eg node key whose certificate expired before the checkpoint it
  // signed, and a second Digital Post node key revoked before the cosignature it made.
  const node2 = async (id: string, serialNumber: string, notAfter: Date) => {
    const k = await fixedKey(`${id}-node-2`)
    const cert = await createCertificate({
      role: 'node',
      subjectName: { commonName: `node-2.${id}` },
      publicKey: k.publicKey,
      issuer: {
        certificate: id === 'post.eg' ? p.egCa : p.dkCa,
        privateKey: key(`${id}-ca`).privateKey,
      },
      serialNumber,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter,
    })
    return { k, cert }
  }
  const eg2 = await node2('post.eg', '20', new Date((VECTOR_NOW + 60) * 1000))
  const dk2 = await node2('digitalpost.dk', '12', new Date('2026-12-31T00:00:00Z'))
  const dkCrl2 = await crl('digitalpost.dk', [
    { serial: p.dkNode.serialNumber, at: REVOKED, reason: 'key-compromise' },
    { serial: dk2.cert.serialNumber, at: VECTOR_NOW, reason: 'key-compromise' },
  ])
  const expiredSigner = await signCheckpoint({ logId: 'post.eg', size, root, time }, eg2.k)
  const revokedWitness = await signCosignature({
    checkpoint,
    witnessId: 'digitalpost.dk',
    witnessKey: dk2.k,
    time: time + 5,
  })

  const invalid = [
    bad('record dated at the retirement time the bundle gives for its key', 'ERR_KEY_RETIRED', {
      ...plain,
      retiredKeys: [{ kid: eg.kid, retired: VECTOR_NOW + 60 }],
    }),
    bad('relay-accepted record with one payload byte changed', 'ERR_SIGNATURE_INVALID', {
      ...plain,
      records: [records[0]!, flip(relayed.bytes, relayed.bytes.length - 80), records[2]!],
    }),
    bad("certificate of the relay's signer missing", 'ERR_KEY_NOT_FOUND', {
      ...plain,
      certificates: [p.egNode.der],
    }),
    bad('bundle map not in deterministic encoding ("v" last)', MALFORMED, nonCanonical),
    bad(
      'unknown top-level field',
      MALFORMED,
      edited(plain, (m) => m.set('note', 'hello')),
    ),
    bad(
      'version 2',
      'ERR_UNSUPPORTED_VERSION',
      edited(plain, (m) => m.set('v', 2)),
    ),
    bad(
      'the same kid twice in retired-keys',
      MALFORMED,
      edited(retiring, (m) => {
        const [first] = m.get('retired-keys') as Cbor[]
        m.set('retired-keys', [first!, new Map(first!).set('retired', VECTOR_NOW + 7200)])
      }),
    ),
    bad('record of post.eg dated at its withdrawal from the federation', 'ERR_OPERATOR_WITHDRAWN', {
      records: [afterWithdrawal.bytes],
      certificates,
      revocationLists: [],
    }),
    bad('delivered record dated at the revocation of its signer certificate', 'ERR_CERT_REVOKED', {
      ...plain,
      records: [records[0]!, records[1]!, deliveredWhenRevoked.bytes],
    }),
    bad("revocation lists given, but none for post.eg's CA", 'ERR_CERT_REVOCATION_UNAVAILABLE', {
      ...plain,
      revocationLists: [dkCrl],
    }),
    bad('inclusion proof with one path hash changed', 'ERR_PROOF_INVALID', {
      ...withLog,
      log: [
        { ...logged, proof: { ...proof, path: [flip(proof.path[0]!, 0), ...proof.path.slice(1)] } },
      ],
    }),
    bad("checkpoint of another operator's log than the record's issuer", 'ERR_CHECKPOINT_INVALID', {
      ...withLog,
      log: [{ ...logged, checkpoint: foreign.bytes, cosignatures: [] }],
    }),
    bad(
      'record dated more than 300 s after the checkpoint that shows it in the log',
      'ERR_EVIDENCE_TIME_INVALID',
      { ...withLog, log: [{ ...logged, checkpoint: early.bytes, cosignatures: [] }] },
    ),
    bad('record dated more than 300 s after `now`', 'ERR_EVIDENCE_TIME_INVALID', {
      ...plain,
      records: [records[0]!, records[1]!, deliveredLater.bytes],
      revocationLists: [],
    }),
    bad(
      'two log entries for one record',
      MALFORMED,
      edited(withLog, (m) => {
        const [entry] = m.get('log') as Cbor[]
        m.set('log', [entry!, entry!])
      }),
    ),
    bad('two cosignatures by one witness of one checkpoint', 'ERR_WITNESS_STATEMENT_INVALID', {
      ...withLog,
      log: [{ ...logged, cosignatures: [...logged.cosignatures, again] }],
    }),
    bad(
      "two checkpoints of Digital Post's log of one size with different roots",
      'ERR_LOG_INCONSISTENT',
      { ...withLog, log: [logged, dkThree, dkForked] },
    ),
    bad(
      "a later checkpoint of Digital Post's log with a smaller size",
      'ERR_LOG_INCONSISTENT',
      { ...withLog, log: [logged, dkThree, dkShrunk] },
    ),
    bad(
      'checkpoint signed by a post.eg key whose certificate, used by no record, expired before it',
      'ERR_CERT_EXPIRED',
      {
        ...withLog,
        certificates: [...certificates, eg2.cert.der],
        log: [{ ...logged, checkpoint: expiredSigner.bytes, cosignatures: [] }],
      },
    ),
    bad(
      'cosignature by a Digital Post key whose certificate, used by no record, was revoked before',
      'ERR_CERT_REVOKED',
      {
        ...withLog,
        certificates: [...certificates, dk2.cert.der],
        revocationLists: [egCrl, dkCrl2],
        log: [{ ...logged, cosignatures: [revokedWitness] }],
      },
    ),
  ]
  // A list over the limit would put 8 MiB of hex in this file: the entry gives a recipe instead.
  const tooLarge = {
    name: 'a revocation list one byte over 4 MiB',
    recipe: {
      base: 'registered letter: three records from two operators, with both revocation lists',
      revocations: [{ bytes: MAX_LIST_BYTES + 1, fill: '00' }],
    },
    reason: 'ERR_INPUT_TOO_LARGE',
  }

  const { kty, crv, x } = gov.publicJwk as { kty: string; crv: string; x: string }
  return {
    description:
      'Barid evidence bundles (spec/21-operator-pki.md section 21.7; evidence-bundle in spec/cddl/trust-list.cddl). ' +
      'Verify each offline at `now` against `trustList`, verified with `governanceKeys` without requiring freshness: ' +
      'decode the bundle; install each revocation list under the listed operator whose CA signed it; verify the records ' +
      'as a chain with keys found by kid among its certificates, each signer for the record issuer at the record time ' +
      '(ms, rounded down to seconds: `signedAt`) and not retired then; verify each log entry (a checkpoint of the ' +
      "issuer's log, the inclusion proof of the record bytes, the record dated at most 300 s after the checkpoint, " +
      'cosignatures, at most one per witness). A record dated more than 300 s after `now` is refused; so is a ' +
      'bundle with two log entries for one record. An invalid entry with a `recipe` instead of `hex` is the valid ' +
      'bundle named `base` with its revocations replaced by byte strings of `bytes` bytes each `fill`, encoded ' +
      'canonically (too large to store). Keys and certificates are those of ' +
      'trust-list.json (public Ed25519 test keys). Times other than record times are Unix seconds.',
    now: CHECK_AT,
    governanceKeys: [{ kty, crv, x }],
    trustList: toHex(trustList),
    certificates: {
      'post.eg-node': toHex(p.egNode.der),
      'digitalpost.dk-node': toHex(p.dkNode.der),
    },
    letter: { id: letter.letterId, digest: toHex(letter.letterDigest) },
    valid: [
      {
        name: 'registered letter: three records from two operators, with both revocation lists',
        hex: toHex(plainBytes),
        revocation: 'checked',
        records: expected(chain, kids),
      },
      {
        name: "with the accepted record proved in post.eg's log and cosigned by digitalpost.dk",
        hex: toHex(createEvidenceBundle(withLog)),
        revocation: 'not-checked',
        records: expected(chain, kids),
        log: [
          {
            record: 0,
            logId: 'post.eg',
            epoch: 0,
            index: 2,
            size,
            time,
            witnesses: ['digitalpost.dk'],
          },
        ],
      },
      {
        name: "with retired-keys: post.eg's key retired one second after the record it signed",
        hex: toHex(createEvidenceBundle(retiring)),
        revocation: 'checked',
        records: expected(chain, kids),
        retiredKeys: retiring.retiredKeys!.map((k) => ({ kid: toHex(k.kid), retired: k.retired })),
      },
    ],
    invalid: [...invalid, tooLarge],
  }
}
