/**
 * @module model/commands
 * The commands of the model-based property (fast-check `fc.commands`): send on each route,
 * duplicate, resend, race and reorder transactions, change the harness peer's mode (down,
 * unavailable, ambiguous, up), open letters at each end, and let a deadline pass. Each command
 * checks the answers it gets at once; the end-of-run invariants are in `invariants.ts`.
 */
import {
  createEvidence,
  fromBase64Url,
  toBase64Url,
  verifyEvidenceChain,
  type SealedLetter,
} from '@barid/core'
import fc from 'fast-check'
import { ensure, eventually, expectStatus, fail } from '../checks/check.js'
import { peerLetter, sendConcurrentDuplicates, sendTx, type TxAnswer } from '../checks/fixtures.js'
import { sameRecords } from '../checks/transactions.js'
import type { PeerMode } from '../peer/harness-peer.js'
import { deliveryKey } from '../peer/receive.js'
import {
  citizenCall,
  recipientOf,
  sealAs,
  statusOf,
  submit,
  type LetterStatusBody,
} from '../world/parties.js'
import type { Model, Real } from './model.js'

type Cmd = fc.AsyncCommand<Model, Real, boolean>

/** How far a deadline-passing step moves the clocks: past 7 days' delivery plus 5 min grace. */
export const ADVANCE_SECONDS = 8 * 24 * 3600 + 600
const MAX_ADVANCES = 2

const pick = <T>(list: readonly T[], i: number): T | undefined =>
  list.length === 0 ? undefined : list[i % list.length]

function answerOf(a: TxAnswer | undefined) {
  const l = a?.letters?.[0]
  const r = l?.recipients?.[0]
  if (!l || !r) fail('a transaction answer has no per-recipient result', '11.4-14')
  return r
}

class SendFromA implements Cmd {
  constructor(
    readonly to: 'B' | 'H',
    readonly idx: number,
    readonly kind: 'letter' | 'registered',
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    const box = r.peerBoxes[this.idx % 2]!
    const to =
      this.to === 'B'
        ? recipientOf(r.citizensB[this.idx % 2]!)
        : {
            address: box.address,
            key: { publicKey: box.encryption.publicKey, kid: box.encryption.kid },
          }
    const l = await sealAs(r.world, r.agency, [to], { kind: this.kind })
    const res = await submit(r.world, r.agency, l.bytes)
    expectStatus(res, 202, '12.3-5', `A accepting a letter for ${this.to}`)
    const st = (res.body as LetterStatusBody).recipients[0]
    ensure(
      st && ['pending', 'delivered'].includes(st.state),
      `A answered ${st?.state} ${st?.code ?? ''} for a reachable peer's recipient`,
      '14.1-1',
    )
    r.sealed.set(l.id, l)
    m.letters.push({
      id: l.id,
      route: this.to === 'B' ? 'AB' : 'AH',
      kind: this.kind,
      recipient: to.address,
      epoch: m.advances,
      opened: false,
    })
    r.trace.push(`A→${this.to} ${this.kind} ${l.id}`)
  }
  toString = () => `SendFromA(${this.to}, ${this.idx}, ${this.kind})`
}

class SendFromH implements Cmd {
  constructor(
    readonly target: 'c0' | 'c1' | 'exempt' | 'unknown',
    readonly kind: 'letter' | 'registered',
    readonly late: boolean,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    const w = r.world
    const c = this.target === 'exempt' ? r.exemptA : r.citizensA[this.target === 'c1' ? 1 : 0]!
    const to =
      this.target === 'unknown'
        ? { ...recipientOf(c), address: `nobody${Date.now().toString(36)}@${w.a.operator}` }
        : recipientOf(c)
    const l = await peerLetter(w, r.sender, [to], {
      kind: this.kind,
      deliverBeforeMs: w.clock.now() + (this.late ? -60_000 : 3600_000),
    })
    const res = await sendTx(w, w.a, { letters: [l.entry] })
    expectStatus(res, 200, '11.4-14', 'A answering a transaction')
    const a = answerOf(res.answer)
    const expected: [string, string | undefined] = this.late
      ? ['not-delivered', 'ERR_DELIVERY_EXPIRED']
      : this.target === 'exempt'
        ? ['not-delivered', 'ERR_RECIPIENT_EXEMPT']
        : this.target === 'unknown'
          ? ['not-delivered', 'ERR_RECIPIENT_UNKNOWN']
          : ['delivered', undefined]
    ensure(
      a.status === expected[0] && (expected[1] === undefined || a.code === expected[1]),
      `H→A ${this.target}${this.late ? ' (late)' : ''}: ${a.status} ${a.code ?? ''}, expected ${expected.join(' ')}`,
      this.late ? '11.4-2' : '11.4-10',
    )
    if (a.status === 'delivered' && l.submission) {
      const types = (
        await verifyEvidenceChain(
          [l.submission, ...a.evidence.map((e) => fromBase64Url(e))],
          w.resolveEvidenceKey,
        )
      ).map((v) => v.record.type)
      ensure(
        types.join(' ') === 'submission-accepted relay-accepted delivered',
        `H→A registered: chain ${types.join(' → ')}`,
        '14.5-1',
      )
    }
    r.sealed.set(l.letter.id, l.letter)
    r.txs.push({
      id: l.letter.id,
      txid: res.txid,
      entry: l.entry,
      body: res.text,
      answer: res.body,
      submission: l.submission,
      evidence: a.evidence,
    })
    m.letters.push({
      id: l.letter.id,
      route: 'HA',
      kind: this.kind,
      recipient: to.address,
      epoch: m.advances,
      opened: false,
      firstStatus: a.status,
      ...(a.code ? { firstCode: a.code } : {}),
    })
    r.trace.push(
      `H→A ${this.target} ${this.kind}${this.late ? ' late' : ''} ${l.letter.id}: ${a.status} ${a.code ?? ''}`,
    )
  }
  toString = () => `SendFromH(${this.target}, ${this.kind}, late=${this.late})`
}

class DuplicateTx implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.letters.some((l) => l.route === 'HA')
  async run(_m: Model, r: Real) {
    const t = pick(r.txs, this.i)
    if (!t) return
    const res = await sendTx(r.world, r.world.a, { letters: [t.entry] }, { txid: t.txid })
    expectStatus(res, 200, '11.4-15', 'A answering a repeated transaction')
    ensure(
      res.text === t.body || JSON.stringify(res.body) === JSON.stringify(t.answer),
      'a repeated transaction got another answer',
      '11.4-15',
    )
    ensure(
      res.headers.get('barid-replayed') === 'true',
      'a repeated transaction lacks Barid-Replayed: true',
      '11.4-15',
    )
    r.trace.push(`duplicate tx of ${t.id}`)
  }
  toString = () => `DuplicateTx(${this.i})`
}

class ResendNewTx implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.letters.some((l) => l.route === 'HA')
  async run(m: Model, r: Real) {
    const t = pick(r.txs, this.i)
    if (!t) return
    const first = answerOf(t.answer as TxAnswer)
    const res = await sendTx(r.world, r.world.a, { letters: [t.entry] })
    expectStatus(res, 200, '11.4-18', 'A answering a resent letter')
    const a = answerOf(res.answer)
    // A letter not delivered the first time meets the deadline check first once its
    // deliverBefore (an hour after sending) has passed (11.4 step 6).
    const letter = m.letters.find((l) => l.id === t.id)
    const late = first.status !== 'delivered' && letter !== undefined && m.advances > letter.epoch
    const want = late ? { status: 'not-delivered', code: 'ERR_DELIVERY_EXPIRED' } : first
    ensure(
      a.status === want.status && (a.code ?? null) === (want.code ?? null),
      `a resent letter: ${a.status} ${a.code ?? ''}, expected ${want.status} ${want.code ?? ''} (first ${first.status} ${first.code ?? ''})`,
      late ? '11.4-10' : '11.4-18',
    )
    if (first.status === 'delivered')
      ensure(
        sameRecords(a.evidence, first.evidence),
        'a resent letter got other evidence than the first time',
        '11.4-18',
      )
    r.trace.push(
      `resend ${t.id} in a new transaction (${m.advances} advances): ${a.status} ${a.code ?? ''}`,
    )
  }
  toString = () => `ResendNewTx(${this.i})`
}

class RaceTx implements Cmd {
  constructor(readonly idx: number) {}
  check = () => true
  async run(m: Model, r: Real) {
    const w = r.world
    const c = r.citizensA[this.idx % 2]!
    const l = await peerLetter(w, r.sender, [recipientOf(c)], { kind: 'registered' })
    const x = await sendConcurrentDuplicates(w, l.entry)
    const txid = x.txid
    const a = answerOf(x.answer)
    ensure(a.status === 'delivered', `a raced letter: ${a.status} ${a.code ?? ''}`, '11.4-10')
    r.sealed.set(l.letter.id, l.letter)
    r.txs.push({
      id: l.letter.id,
      txid,
      entry: l.entry,
      body: x.text,
      answer: x.body,
      submission: l.submission,
      evidence: a.evidence,
    })
    m.letters.push({
      id: l.letter.id,
      route: 'HA',
      kind: 'registered',
      recipient: c.address,
      epoch: m.advances,
      opened: false,
      firstStatus: a.status,
    })
    r.trace.push(`race ${l.letter.id}`)
  }
  toString = () => `RaceTx(${this.idx})`
}

class Reorder implements Cmd {
  constructor(readonly idx: number) {}
  check = () => true
  async run(m: Model, r: Real) {
    const w = r.world
    const c = r.citizensA[this.idx % 2]!
    const first = await peerLetter(w, r.sender, [recipientOf(c)])
    const second = await peerLetter(w, r.sender, [recipientOf(c)])
    for (const l of [second, first]) {
      const res = await sendTx(w, w.a, { letters: [l.entry] })
      expectStatus(res, 200, '11.4-14', 'A answering a transaction')
      const a = answerOf(res.answer)
      ensure(
        a.status === 'delivered',
        `a letter sent out of order: ${a.status} ${a.code ?? ''}`,
        '11.4-10',
      )
      r.sealed.set(l.letter.id, l.letter)
      r.txs.push({
        id: l.letter.id,
        txid: res.txid,
        entry: l.entry,
        body: res.text,
        answer: res.body,
        submission: undefined,
        evidence: [],
      })
      m.letters.push({
        id: l.letter.id,
        route: 'HA',
        kind: 'letter',
        recipient: c.address,
        epoch: m.advances,
        opened: false,
        firstStatus: a.status,
      })
    }
    r.trace.push(`reorder ${second.letter.id} before ${first.letter.id}`)
  }
  toString = () => `Reorder(${this.idx})`
}

class SetPeerMode implements Cmd {
  constructor(readonly mode: PeerMode) {}
  check = (m: Readonly<Model>) => m.mode !== this.mode
  async run(m: Model, r: Real) {
    await r.world.peer.setMode(this.mode)
    m.mode = this.mode
    r.trace.push(`peer ${this.mode}`)
  }
  toString = () => `SetPeerMode(${this.mode})`
}

class OpenAtA implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) =>
    m.letters.some((l) => l.route === 'HA' && l.firstStatus === 'delivered')
  async run(m: Model, r: Real) {
    const l = pick(
      m.letters.filter((x) => x.route === 'HA' && x.firstStatus === 'delivered'),
      this.i,
    )
    if (!l) return
    const c = r.citizensA.find((x) => x.address === l.recipient)!
    const res = await citizenCall(r.world, c, 'POST', `/v1/citizen/letters/${l.id}/opened`)
    expectStatus(res, 200, '13.5-1', 'a citizen opening a letter')
    const first = (res.body as { first: boolean }).first
    ensure(first === !l.opened, `opening ${l.opened ? 'again' : 'first'}: first=${first}`, '13.5-1')
    l.opened = true
    r.trace.push(`open at A ${l.id}`)
  }
  toString = () => `OpenAtA(${this.i})`
}

class OpenAtB implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.letters.some((l) => l.route === 'AB')
  async run(m: Model, r: Real) {
    const l = pick(
      m.letters.filter((x) => x.route === 'AB'),
      this.i,
    )
    if (!l) return
    const c = r.citizensB.find((x) => x.address === l.recipient)!
    // B is always up: the letter arrives promptly (14.2).
    await eventually(
      async () =>
        (await r.world.b.control.mailbox(c.address)).letters.some((x) => x.letterId === l.id)
          ? true
          : undefined,
      { what: `letter ${l.id} to reach node B`, clause: '14.4-3' },
    )
    const res = await citizenCall(r.world, c, 'POST', `/v1/citizen/letters/${l.id}/opened`)
    expectStatus(res, 200, '13.5-1', 'a citizen opening a letter')
    ensure(
      (res.body as { first: boolean }).first === !l.opened,
      'first-opening flag is wrong',
      '13.5-1',
    )
    l.opened = true
    r.trace.push(`open at B ${l.id}`)
  }
  toString = () => `OpenAtB(${this.i})`
}

class OpenAtH implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) =>
    m.letters.some((l) => l.route === 'AH' && l.kind === 'registered' && !l.opened)
  async run(m: Model, r: Real) {
    const l = pick(
      m.letters.filter((x) => x.route === 'AH' && x.kind === 'registered' && !x.opened),
      this.i,
    )
    if (!l) return
    const d = r.world.peer.state.deliveries.get(deliveryKey(l.id, l.recipient))
    if (!d || d.evidence.length < 2) return // not (yet) at the peer: nothing to open
    const delivered = fromBase64Url(d.evidence[1]!) // the peer's own answer: [relay-accepted, delivered]
    const sealed = r.sealed.get(l.id) as SealedLetter
    const rec = await createEvidence({
      type: 'retrieved',
      letterId: l.id,
      letterDigest: sealed.digest,
      issuer: r.world.peer.id.operator,
      recipient: l.recipient,
      prev: new Uint8Array(
        await crypto.subtle.digest('SHA-256', delivered as Uint8Array<ArrayBuffer>),
      ),
      time: r.world.clock.now(),
      key: { privateKey: r.world.peer.id.evidence.privateKey, kid: r.world.peer.id.evidence.kid },
    })
    const res = await sendTx(r.world, r.world.a, { evidence: [{ record: toBase64Url(rec.bytes) }] })
    expectStatus(res, 200, '11.4-13', 'A answering returned evidence')
    ensure(
      res.answer?.evidence?.[0]?.status === 'accepted',
      `A ${res.answer?.evidence?.[0]?.status ?? 'did not answer'} a valid retrieved record (${res.answer?.evidence?.[0]?.code ?? ''})`,
      '11.4-13',
    )
    l.opened = true
    r.trace.push(`open at H ${l.id}`)
  }
  toString = () => `OpenAtH(${this.i})`
}

class AdvanceClock implements Cmd {
  check = (m: Readonly<Model>) => m.advances < MAX_ADVANCES
  async run(m: Model, r: Real) {
    // Letters to node B (always up) must have arrived before time jumps (14.2 liveness).
    for (const l of m.letters.filter((x) => x.route === 'AB')) {
      await eventually(
        async () => {
          const s = (await statusOf(r.world, r.agency, l.id)).body.recipients?.[0]
          return s && s.state !== 'pending' ? s : undefined
        },
        { what: `node A to deliver ${l.id} to node B (up)`, clause: '14.4-3' },
      )
    }
    await r.world.advance(ADVANCE_SECONDS)
    m.advances++
    r.trace.push(`clock +${ADVANCE_SECONDS} s`)
  }
  toString = () => 'AdvanceClock()'
}

const kind = fc.constantFrom<'letter' | 'registered'>('letter', 'registered')

/** The command arbitraries. */
export function commandArbitraries() {
  const sendFromA = fc
    .tuple(fc.constantFrom<'B' | 'H'>('B', 'H'), fc.nat(1), kind)
    .map(([t, i, k]) => new SendFromA(t, i, k))
  const sendFromH = fc
    .tuple(
      fc.constantFrom<'c0' | 'c1' | 'exempt' | 'unknown'>(
        'c0',
        'c1',
        'c0',
        'c1',
        'exempt',
        'unknown',
      ),
      kind,
      fc.boolean(),
    )
    .map(([t, k, late]) => new SendFromH(t, k, late))
  // Sends are listed more than once: fc.commands picks uniformly among the arbitraries.
  return [
    sendFromA,
    sendFromA,
    sendFromA,
    sendFromH,
    sendFromH,
    fc.nat(20).map((i) => new DuplicateTx(i)),
    fc.nat(20).map((i) => new ResendNewTx(i)),
    fc.nat(1).map((i) => new RaceTx(i)),
    fc.nat(1).map((i) => new Reorder(i)),
    fc
      .constantFrom<PeerMode>('up', 'down', 'unavailable', 'ambiguous')
      .map((mode) => new SetPeerMode(mode)),
    fc.nat(20).map((i) => new OpenAtA(i)),
    fc.nat(20).map((i) => new OpenAtB(i)),
    fc.nat(20).map((i) => new OpenAtH(i)),
    fc.constant(new AdvanceClock()),
  ]
}
