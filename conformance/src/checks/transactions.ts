/**
 * @module checks/transactions
 * The harness peer delivers letters to node A in federation transactions (spec 11.4) and checks
 * the answers: delivery with a verifying evidence chain, idempotency by transaction id,
 * duplicates across transactions, deadlines, unknown and exempt recipients, and refusals of
 * misrouted, foreign, uncertified, unsupported or oversized input.
 */
import {
  createCertificate,
  fromBase64Url,
  generateKeyPair,
  toBase64Url,
  verifyEvidence,
  verifyEvidenceChain,
} from '@barid/core'
import { issueMailboxCertificate, newPki } from '../peer/pki.js'
import { certifyKey, newOperator } from '../peer/identity.js'
import { newTxid } from '../peer/letters.js'
import { earlyAnswer } from '../peer/raw.js'
import { signRequest } from '../peer/signatures.js'
import { newCitizen, recipientOf } from '../world/parties.js'
import type { World } from '../world/world.js'
import { ensure, expectRefusal, expectStatus, fail, type Check } from './check.js'
import { attachmentLetter } from './attachments.js'
import { fixtures, peerLetter, sendConcurrentDuplicates, sendTx, type TxAnswer } from './fixtures.js'

type RecipientAnswer = TxAnswer['letters'][number]['recipients'][number]

function only(answer: TxAnswer | undefined, clause: string): RecipientAnswer {
  const r = answer?.letters?.[0]?.recipients?.[0]
  if (!r) fail('the answer has no per-recipient result', clause)
  return r
}

/** Letter ids in a mailbox (test control, 30.4). */
async function inMailbox(world: World, address: string, letterId: string): Promise<number> {
  const node = address.endsWith(`@${world.a.operator}`) ? world.a : world.b
  const s = await node.control.mailbox(address)
  return s.letters.filter((l) => l.letterId === letterId).length
}

/** Verifies a recipient's chain [submission, ...records] and returns the record types. */
export async function chainTypes(world: World, records: Uint8Array[]): Promise<string[]> {
  const v = await verifyEvidenceChain(records, world.resolveEvidenceKey)
  return v.map((x) => x.record.type)
}

const NOT_DELIVERED = new Set(['not-delivered', 'retry'])
const ORIGIN_CODES = ['ERR_FED_ORIGIN_MISMATCH', 'ERR_CERT_OPERATOR_MISMATCH', 'ERR_CERT_UNTRUSTED']

/** A mailbox certificate for a foreign address from a rogue CA under the peer's root. */
async function rogueCertificate(
  world: World,
  address: string,
  publicKey: CryptoKey,
  nowMs: number,
): Promise<string> {
  const pki = world.peer.id.pki!
  const operator = address.slice(address.lastIndexOf('@') + 1)
  const caKeys = await generateKeyPair('Ed25519')
  const ca = await createCertificate({
    role: 'operator-ca',
    subjectName: { commonName: 'rogue CA', country: 'ZZ' },
    publicKey: caKeys.publicKey,
    issuer: { certificate: pki.root.cert, privateKey: pki.root.keyPair.privateKey },
    operatorId: operator,
    notBefore: new Date(nowMs - 86_400_000),
    notAfter: new Date(nowMs + 400 * 86_400_000),
  })
  return issueMailboxCertificate(
    { operator, root: pki.root, ca: { keyPair: caKeys, cert: ca } },
    { address, use: 'sig', publicKey, nowMs },
  )
}

/** The same evidence records, in any order. */
export function sameRecords(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): boolean {
  return JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort())
}

export const transactionChecks: Check[] = [
  {
    id: 'tx.deliver.registered',
    title:
      'a registered letter is delivered once, with relay-accepted and delivered records chained to the submission',
    group: 'transactions',
    clauses: ['11.4-10', '11.4-14', '14.5-1', '14.4-3', '10.5-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
      })
      const r = await sendTx(world, world.a, { letters: [l.entry] })
      expectStatus(r, 200, '11.4-14', 'a transaction of one letter')
      const rec = only(r.answer, '11.4-14')
      ensure(
        rec.status === 'delivered',
        `recipient status ${rec.status} ${rec.code ?? ''}`,
        '11.4-10',
      )
      ensure(
        r.answer!.letters[0]!.id === l.letter.id,
        'the answer names another letter id',
        '11.4-14',
      )
      const types = await chainTypes(world, [
        l.submission!,
        ...rec.evidence.map((e) => fromBase64Url(e)),
      ])
      ensure(
        types.join(' ') === 'submission-accepted relay-accepted delivered',
        `the evidence chain is ${types.join(' → ')}`,
        '14.5-1',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 1,
        'the mailbox does not hold the letter once',
        '14.4-3',
      )
    },
  },
  {
    id: 'tx.idempotent.same-txid',
    title: 'a transaction sent again with the same id and content gets the stored answer',
    group: 'transactions',
    clauses: ['11.4-15', '14.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
      })
      const first = await sendTx(world, world.a, { letters: [l.entry] })
      expectStatus(first, 200, '11.4-15', 'the first transaction')
      const again = await sendTx(world, world.a, { letters: [l.entry] }, { txid: first.txid })
      expectStatus(again, 200, '11.4-15', 'the repeated transaction')
      ensure(
        JSON.stringify(again.body) === JSON.stringify(first.body),
        'the repeated transaction got another answer',
        '11.4-15',
      )
      ensure(
        again.headers.get('barid-replayed') === 'true',
        'the stored answer lacks Barid-Replayed: true',
        '11.4-15',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 1,
        'the mailbox holds the letter more than once',
        '14.4-3',
      )
    },
  },
  {
    id: 'tx.idempotent.conflict',
    title: 'a transaction id reused with other content is refused',
    group: 'transactions',
    clauses: ['11.4-16'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l1 = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)])
      const l2 = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)])
      const first = await sendTx(world, world.a, { letters: [l1.entry] })
      expectStatus(first, 200, '11.4-16', 'the first transaction')
      const other = await sendTx(world, world.a, { letters: [l2.entry] }, { txid: first.txid })
      expectRefusal(
        other,
        'ERR_FED_TRANSACTION_CONFLICT',
        '11.4-16',
        'the same id with other content',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l2.letter.id)) === 0,
        'the conflicting letter was delivered',
        '11.4-16',
      )
    },
  },
  {
    id: 'tx.duplicate.new-txid',
    title: 'a letter resent in another transaction is answered delivered with the same evidence',
    group: 'transactions',
    clauses: ['11.4-18', '11.4-10', '14.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
      })
      const first = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      const second = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        second.status === 'delivered',
        `the resent letter is ${second.status} ${second.code ?? ''}`,
        '11.4-18',
      )
      ensure(
        sameRecords(second.evidence, first.evidence),
        'the resent letter got other evidence than the first time',
        '11.4-18',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 1,
        'the mailbox does not hold the letter once',
        '14.4-3',
      )
    },
  },
  {
    id: 'tx.duplicate.concurrent',
    title: 'the same transaction sent twice at once is processed once and both get its answer',
    group: 'transactions',
    clauses: ['11.4-17', '14.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
      })
      await sendConcurrentDuplicates(world, l.entry)
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 1,
        'the mailbox does not hold the letter once',
        '14.4-3',
      )
    },
  },
  {
    id: 'tx.deadline',
    title: 'a letter past its deliverBefore is not delivered',
    group: 'transactions',
    clauses: ['11.4-2', '14.4-1', '11.4-10'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
        deliverBeforeMs: world.clock.now() - 60_000,
      })
      const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        rec.status === 'not-delivered' && rec.code === 'ERR_DELIVERY_EXPIRED',
        `a late letter is ${rec.status} ${rec.code ?? ''}`,
        '11.4-2',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 0,
        'a late letter is in the mailbox',
        '14.4-1',
      )
    },
  },
  {
    id: 'tx.recipient.unknown',
    title: 'a letter to a mailbox the node does not have is not delivered (ERR_RECIPIENT_UNKNOWN)',
    group: 'transactions',
    clauses: ['11.4-10'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const ghost = {
        ...recipientOf(f.citizenA),
        address: `nobody${Date.now()}@${world.a.operator}`,
      }
      const l = await peerLetter(world, f.peerSender, [ghost])
      const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        rec.status === 'not-delivered' && rec.code === 'ERR_RECIPIENT_UNKNOWN',
        `got ${rec.status} ${rec.code ?? ''}`,
        '11.4-10',
      )
    },
  },
  {
    id: 'tx.recipient.exempt',
    title: 'a letter to a person exempt from digital post is not delivered (ERR_RECIPIENT_EXEMPT)',
    group: 'transactions',
    clauses: ['11.4-10'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const exempt = await newCitizen(world, world.a, { status: 'exempt' })
      const l = await peerLetter(world, f.peerSender, [recipientOf(exempt)], { kind: 'registered' })
      const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        rec.status === 'not-delivered' && rec.code === 'ERR_RECIPIENT_EXEMPT',
        `got ${rec.status} ${rec.code ?? ''}`,
        '11.4-10',
      )
      ensure(
        (await inMailbox(world, exempt.address, l.letter.id)) === 0,
        'the exempt mailbox holds the letter',
        '11.4-10',
      )
    },
  },
  {
    id: 'tx.misrouted',
    title:
      'a letter for a recipient the node does not serve, or that the letter does not name, is refused (ERR_MISROUTED)',
    group: 'transactions',
    clauses: ['11.4-7', '11.4-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenB)])
      const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        rec.status === 'not-delivered' && rec.code === 'ERR_MISROUTED',
        `a letter for node B sent to node A: ${rec.status} ${rec.code ?? ''}`,
        '11.4-7',
      )
      const unnamed = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        recipients: [f.citizenA2.address],
      })
      const rec2 = only(
        (await sendTx(world, world.a, { letters: [unnamed.entry] })).answer,
        '11.4-14',
      )
      ensure(
        rec2.status === 'not-delivered' && rec2.code === 'ERR_MISROUTED',
        `a recipient the letter does not name: ${rec2.status} ${rec2.code ?? ''}`,
        '11.4-1',
      )
      ensure(
        (await inMailbox(world, f.citizenA2.address, unnamed.letter.id)) === 0,
        'the unnamed recipient got the letter',
        '11.4-1',
      )
    },
  },
  {
    id: 'tx.origin',
    title:
      "a peer relaying a letter of another operator's sender is refused (ERR_FED_ORIGIN_MISMATCH)",
    group: 'transactions',
    clauses: ['11.4-7'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const address = `impostor@${world.b.operator}`
      const now = world.clock.now()
      // X.509: no CA of the peer can name another operator's mailbox, so the impostor's CA is a
      // rogue one under the peer's root; JWS: the peer certifies the foreign address itself.
      const certificate = world.peer.id.pki
        ? await rogueCertificate(world, address, f.peerSender.signing.publicKey, now)
        : await certifyKey(world.peer.id, {
            sub: address,
            use: 'sig',
            key: f.peerSender.signing,
            nowMs: now,
          })
      const l = await peerLetter(world, { ...f.peerSender, address, certificate }, [
        recipientOf(f.citizenA),
      ])
      const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        rec.status === 'not-delivered' && ORIGIN_CODES.includes(rec.code ?? ''),
        `got ${rec.status} ${rec.code ?? ''}`,
        '11.4-7',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 0,
        'the forged letter was delivered',
        '11.4-7',
      )
    },
  },
  {
    id: 'tx.sender-mismatch',
    title: "a peer's letter naming a sender other than the certified key holder is refused",
    group: 'transactions',
    clauses: ['11.4-6', '10.5-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      // Certified for the peer's agency; the letter names another mailbox of the same operator.
      const other = {
        ...f.peerSender,
        address: `other${Date.now().toString(36)}@${world.peer.id.operator}`,
      }
      const l = await peerLetter(world, other, [recipientOf(f.citizenA)])
      const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        NOT_DELIVERED.has(rec.status) &&
          ['ERR_SENDER_MISMATCH', 'ERR_KEY_NOT_FOUND'].includes(rec.code ?? ''),
        `got ${rec.status} ${rec.code ?? ''}`,
        '11.4-6',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 0,
        'the letter was delivered',
        '10.5-1',
      )
    },
  },
  {
    id: 'tx.certificate',
    title:
      'letters whose sender certification is forged, for another key, or for encryption are not delivered',
    group: 'transactions',
    clauses: ['11.4-5', '11.4-6', '10.5-1'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const s = f.peerSender
      const stranger = await newOperator('stranger.test', {
        pki: world.mode === 'x509',
        nowMs: world.clock.now(),
      })
      const base = { sub: s.address, key: s.signing, nowMs: world.clock.now() }
      const cases: [string, string][] = [
        [
          "issued by a key or CA that is not the operator's",
          world.peer.id.pki
            ? await issueMailboxCertificate(
                await newPki(world.peer.id.operator, 'ZZ', base.nowMs),
                {
                  address: s.address,
                  use: 'sig',
                  publicKey: s.signing.publicKey,
                  nowMs: base.nowMs,
                },
              )
            : await certifyKey(world.peer.id, { ...base, use: 'sig', signWith: stranger }),
        ],
        [
          'certifying an encryption key',
          await certifyKey(world.peer.id, {
            ...base,
            use: 'enc',
            key: world.mode === 'x509' ? s.encryption : s.signing,
          }),
        ],
        [
          'certifying another signing key',
          await certifyKey(world.peer.id, { ...base, use: 'sig', key: stranger.request }),
        ],
      ]
      if (world.mode === 'jws')
        cases.push([
          'issued in the name of node A',
          await certifyKey(world.peer.id, { ...base, use: 'sig', iss: world.a.operator }),
        ])
      for (const [what, cert] of cases) {
        const l = await peerLetter(world, s, [recipientOf(f.citizenA)], { senderCertificate: cert })
        const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
        ensure(
          NOT_DELIVERED.has(rec.status),
          `a letter with a certification ${what} was ${rec.status}`,
          '11.4-5',
        )
        ensure(
          (await inMailbox(world, f.citizenA.address, l.letter.id)) === 0,
          `a letter with a certification ${what} is in the mailbox`,
          '11.4-5',
        )
      }
    },
  },
  {
    id: 'tx.registered.submission',
    title: 'registered mail without the sending operator submission record is not delivered',
    group: 'transactions',
    clauses: ['11.4-9'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
        evidence: [],
      })
      const rec = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        NOT_DELIVERED.has(rec.status),
        `registered mail without a submission record was ${rec.status}`,
        '11.4-9',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 0,
        'it is in the mailbox',
        '11.4-9',
      )
    },
  },
  {
    id: 'tx.relay-rejected',
    title:
      'a registered letter refused for good is answered with one relay-rejected record, chained to the submission, the same when resent',
    group: 'transactions',
    clauses: ['17.3-1', '17.3-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      // Listed for a mailbox of node A that the letter does not name: refused (ERR_MISROUTED).
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
        recipients: [f.citizenA2.address],
      })
      const first = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        first.status === 'not-delivered' && first.code === 'ERR_MISROUTED',
        `got ${first.status} ${first.code ?? ''}`,
        '11.4-1',
      )
      ensure(
        first.evidence.length === 1,
        `the refusal carries ${first.evidence.length} evidence records, not one relay-rejected`,
        '17.3-1',
      )
      const records = [l.submission!, fromBase64Url(first.evidence[0]!)]
      const types = await chainTypes(world, records)
      ensure(
        types.join(' ') === 'submission-accepted relay-rejected',
        `the evidence chain is ${types.join(' → ')}`,
        '17.3-1',
      )
      const rejected = await verifyEvidence(records[1]!, { resolveKey: world.resolveEvidenceKey })
      ensure(
        rejected.record.reason === 'ERR_MISROUTED' &&
          rejected.record.recipient === f.citizenA2.address &&
          rejected.record.letterId === l.letter.id,
        `the record names ${rejected.record.recipient ?? 'no recipient'} and reason ${rejected.record.reason ?? 'none'}`,
        '17.3-1',
      )
      const again = only((await sendTx(world, world.a, { letters: [l.entry] })).answer, '11.4-14')
      ensure(
        sameRecords(again.evidence, first.evidence),
        'the letter refused again in another transaction got another record',
        '17.3-2',
      )
    },
  },
  {
    id: 'tx.evidence.foreign',
    title: 'returned evidence about a letter the receiving node never sent is rejected',
    group: 'transactions',
    clauses: ['11.4-13'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], {
        kind: 'registered',
      })
      const r = await sendTx(world, world.a, { evidence: [{ record: toBase64Url(l.submission!) }] })
      expectStatus(r, 200, '11.4-13', 'a transaction of one evidence item')
      const e = r.answer?.evidence?.[0]
      ensure(
        e?.status === 'rejected',
        `evidence about a letter node A never sent was ${e?.status ?? 'not answered'}`,
        '11.4-13',
      )
    },
  },
  {
    id: 'tx.oversized',
    title: 'a transaction of more than 100 items is refused (ERR_INPUT_TOO_LARGE)',
    group: 'transactions',
    clauses: ['11.4-3', '10.3-2'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)])
      const r = await sendTx(world, world.a, {
        letters: Array.from({ length: 101 }, () => l.entry),
      })
      expectRefusal(r, 'ERR_INPUT_TOO_LARGE', '11.4-3', 'a transaction of 101 letters')
      ensure(
        (await inMailbox(world, f.citizenA.address, l.letter.id)) === 0,
        'a letter of the refused transaction was delivered',
        '11.4-3',
      )
    },
  },
  {
    id: 'tx.nested',
    title: 'deeply nested JSON and CBOR are refused with a typed error, and the node stays up',
    group: 'transactions',
    clauses: ['10.3-2', '10.3-4', '11.4-6'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const depth = 100_000
      const json = new TextEncoder().encode(`{"letters":${'['.repeat(depth)}${']'.repeat(depth)}}`)
      const r = await world.fed(world.a, 'PUT', `/v1/federation/transactions/${newTxid()}`, json)
      ensure(
        r.status >= 400 && r.status < 500 && r.code !== undefined,
        `deeply nested JSON got ${r.status} ${r.code ?? ''}`,
        '10.3-2',
      )
      const deep = new Uint8Array(20_001).fill(0x81)
      deep[deep.length - 1] = 0x00
      const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)])
      const entry = { ...l.entry, letter: toBase64Url(deep) }
      const t = await sendTx(world, world.a, { letters: [entry] })
      if (t.status === 200) {
        const rec = only(t.answer, '11.4-14')
        ensure(
          rec.status === 'not-delivered' && rec.code !== undefined,
          `a deeply nested letter got ${rec.status} ${rec.code ?? ''}`,
          '11.4-6',
        )
      } else
        ensure(
          t.status >= 400 && t.status < 500 && t.code !== undefined,
          `a deeply nested letter got ${t.status}`,
          '10.3-2',
        )
      const again = await sendTx(world, world.a, { letters: [l.entry] })
      expectStatus(again, 200, '10.3-2', 'a normal transaction after hostile input')
    },
  },
  {
    id: 'tx.attachments',
    title:
      'a letter whose attachment has not arrived is retried and not stored, and blobs are kept only when their digest matches',
    group: 'transactions',
    clauses: ['11.4-8', '11.5-4', '11.5-6', '15.4-3'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const a = await attachmentLetter(world, f.peerSender, recipientOf(f.citizenA))
      const first = only((await sendTx(world, world.a, { letters: [a.entry] })).answer, '11.4-14')
      ensure(
        first.status === 'retry' && first.code === 'ERR_ATTACHMENT_MISSING',
        `without its attachment: ${first.status} ${first.code ?? ''}`,
        '11.4-8',
      )
      ensure(
        (await inMailbox(world, f.citizenA.address, a.letter.id)) === 0,
        'the mailbox holds a letter whose attachment is missing',
        '15.4-3',
      )
      const wrong = new Uint8Array(a.blob)
      wrong[wrong.length - 1]! ^= 1
      const bad = await world.fed(world.a, 'PUT', `/v1/federation/blobs/${a.digest}`, wrong, {
        contentDigest: null,
        headers: { 'content-type': 'application/octet-stream' },
      })
      expectRefusal(
        bad,
        'ERR_ATTACHMENT_MISMATCH',
        '11.5-4',
        'a blob whose bytes do not match its digest',
      )
      const head = await world.fed(world.a, 'HEAD', `/v1/federation/blobs/${a.digest}`)
      expectStatus(head, 404, '11.5-4', 'HEAD of a blob that was refused')
      const put = await world.fed(world.a, 'PUT', `/v1/federation/blobs/${a.digest}`, a.blob, {
        contentDigest: null,
        headers: { 'content-type': 'application/octet-stream' },
      })
      expectStatus(put, 201, '11.5-4', 'a blob whose bytes match')
      const again = await world.fed(world.a, 'PUT', `/v1/federation/blobs/${a.digest}`, a.blob, {
        contentDigest: null,
        headers: { 'content-type': 'application/octet-stream' },
      })
      expectStatus(again, 200, '11.5-6', 'a blob uploaded a second time')
      ensure(
        JSON.stringify(again.body) === JSON.stringify(put.body),
        `the second upload answered ${again.text.slice(0, 100)}, the first ${put.text.slice(0, 100)}`,
        '11.5-6',
      )
      const second = only((await sendTx(world, world.a, { letters: [a.entry] })).answer, '11.4-14')
      ensure(
        second.status === 'delivered',
        `with its attachment: ${second.status} ${second.code ?? ''}`,
        '11.4-8',
      )
    },
  },
  {
    id: 'tx.blob.declared-too-large',
    title: 'a blob declared larger than maxAttachmentBytes is refused before its content is read',
    group: 'transactions',
    clauses: ['11.5-3', '10.3-2'],
    kind: 'example',
    async run({ world }) {
      const max = world.a.discovery.payload.limits.maxAttachmentBytes
      const declared = { 'content-length': String(max + 1) }
      const r = await unfinishedBlobPut(world, 'ab'.repeat(32), declared)
      ensure(r !== undefined, 'no answer before the content was sent', '11.5-3')
      ensure(
        r.status === 413 && r.code === 'ERR_INPUT_TOO_LARGE',
        `got ${r.status} ${r.code ?? r.body.slice(0, 100)}`,
        '11.5-3',
      )
    },
  },
  {
    id: 'tx.blob.chunked',
    title: 'a blob upload without Content-Length (chunked) is refused before its content is read',
    group: 'transactions',
    clauses: ['11.5-5'],
    kind: 'example',
    async run({ world }) {
      // No Content-Length: node:http sends the body chunked, and the upload never ends.
      const r = await unfinishedBlobPut(world, 'cd'.repeat(32), {})
      ensure(r !== undefined, 'no answer to a chunked upload that never ends', '11.5-5')
      ensure(
        r.status === 400 && r.code === 'ERR_INVALID_ARGUMENT',
        `got ${r.status} ${r.code ?? r.body.slice(0, 100)}`,
        '11.5-5',
      )
    },
  },
]

/**
 * A signed blob PUT to node A that sends its headers and 1 KiB and never finishes: the answer a
 * node gives before reading the content (spec 11.5), with its error code, or undefined.
 */
async function unfinishedBlobPut(
  world: World,
  digest: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; code: string | undefined } | undefined> {
  const url = `${world.a.url}/v1/federation/blobs/${digest}`
  const sig = await signRequest(
    { method: 'PUT', url },
    {
      privateKey: world.peer.id.request.privateKey,
      keyid: world.peer.id.request.kidBase64Url,
      created: world.clock.seconds(),
    },
  )
  const r = await earlyAnswer(
    url,
    'PUT',
    { ...sig, 'content-type': 'application/octet-stream', ...headers },
    new Uint8Array(1024),
  )
  if (r === undefined) return undefined
  let code: string | undefined
  try {
    code = (JSON.parse(r.body) as { error?: { code?: string } }).error?.code
  } catch {
    code = undefined
  }
  return { ...r, code }
}
