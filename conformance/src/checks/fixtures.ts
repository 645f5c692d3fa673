/**
 * @module checks/fixtures
 * Parties most checks share, made once per world: agencies and citizens at each node, and the
 * harness peer's sending organisation. Checks that change a party's state make their own.
 */
import { toHex, type SealedLetter } from '@barid/core'
import { jsonBytes, type FedCallOptions } from '../peer/client.js'
import {
  letterEntry,
  newTxid,
  peerSender,
  sealFrom,
  submissionRecord,
  type PeerSender,
  type RecipientKey,
} from '../peer/letters.js'
import {
  newAgency,
  newCitizen,
  newKeys,
  recipientOf,
  type Agency,
  type Citizen,
} from '../world/parties.js'
import type { NodeHandle, World } from '../world/world.js'
import { ensure, expectStatus } from './check.js'

export interface Fixtures {
  agencyA: Agency
  agencyA2: Agency
  citizenA: Citizen
  citizenA2: Citizen
  citizenB: Citizen
  peerSender: PeerSender
}

const cache = new WeakMap<World, Promise<Fixtures>>()

/** The shared parties of `world` (made on first use). */
export function fixtures(world: World): Promise<Fixtures> {
  let f = cache.get(world)
  if (!f) {
    f = (async () => {
      const [agencyA, agencyA2, citizenA, citizenA2, citizenB, keys] = await Promise.all([
        newAgency(world, world.a),
        newAgency(world, world.a),
        newCitizen(world, world.a),
        newCitizen(world, world.a),
        newCitizen(world, world.b),
        newKeys(),
      ])
      const sender = await peerSender(
        world.peer.id,
        `agency${Date.now().toString(36)}`,
        keys,
        world.clock.now(),
      )
      return { agencyA, agencyA2, citizenA, citizenA2, citizenB, peerSender: sender }
    })()
    f.catch(() => cache.delete(world))
    cache.set(world, f)
  }
  return f
}

/** Forgets the fixtures (after a node restarted with fresh test-control state). */
export function forgetFixtures(world: World): void {
  cache.delete(world)
}

/** A letter from the harness peer, ready for a transaction. */
export interface PeerLetter {
  letter: SealedLetter
  submission: Uint8Array | undefined
  entry: Record<string, unknown>
}

/**
 * Seals a letter from the peer's sender to `to` and wraps it in a transaction entry.
 *
 * @example
 * ```ts
 * const l = await peerLetter(world, f.peerSender, [recipientOf(f.citizenA)], { kind: 'registered' })
 * ```
 */
export async function peerLetter(
  world: World,
  sender: PeerSender,
  to: readonly RecipientKey[],
  o: {
    kind?: 'letter' | 'registered'
    deliverBeforeMs?: number
    recipients?: string[]
    senderCertificate?: string
    evidence?: Uint8Array[]
    /** The letter's language (default `en`). */
    lang?: string
    /** The entry's `senderDisplay` (11.4), well-formed or not; none when left out. */
    senderDisplay?: unknown
  } = {},
): Promise<PeerLetter> {
  const kind = o.kind ?? 'letter'
  const now = world.clock.now()
  const letter = await sealFrom(sender, to, {
    kind,
    nowMs: now,
    ...(o.lang !== undefined ? { lang: o.lang } : {}),
  })
  const submission =
    kind === 'registered' ? (await submissionRecord(world.peer.id, letter, now)).bytes : undefined
  world.peer.state.sent.set(letter.id, {
    letterId: letter.id,
    digest: toHex(letter.digest),
    recipients: to.map((r) => r.address),
  })
  const entry = letterEntry({
    bytes: letter.bytes,
    recipients: o.recipients ?? to.map((r) => r.address),
    deliverBeforeMs: o.deliverBeforeMs ?? now + 3600_000,
    senderCertificate: o.senderCertificate ?? sender.certificate,
    evidence: o.evidence ?? (submission ? [submission] : []),
    ...('senderDisplay' in o ? { senderDisplay: o.senderDisplay } : {}),
  })
  return { letter, submission, entry }
}

export interface TxAnswer {
  letters: {
    index: number
    id: string | null
    code?: string
    recipients: { address: string; status: string; code?: string; evidence: string[] }[]
  }[]
  evidence: { index: number; status: string; code?: string }[]
}

/** Sends a transaction from the harness peer to `node`. */
export async function sendTx(
  world: World,
  node: NodeHandle,
  body: { letters?: unknown[]; evidence?: unknown[] },
  o: { txid?: string; fed?: FedCallOptions } = {},
) {
  const txid = o.txid ?? newTxid()
  const bytes = jsonBytes(body)
  const r = await world.fed(node, 'PUT', `/v1/federation/transactions/${txid}`, bytes, o.fed)
  return { ...r, txid, bytes, answer: r.body as TxAnswer | undefined }
}

/**
 * Sends `entry` to node A in two identical transactions at once, under one txid: both must be
 * answered 200 with the same answer (11.4-17). Gives the first.
 */
export async function sendConcurrentDuplicates(world: World, entry: unknown) {
  const txid = newTxid()
  const [x, y] = await Promise.all([
    sendTx(world, world.a, { letters: [entry] }, { txid }),
    sendTx(world, world.a, { letters: [entry] }, { txid }),
  ])
  expectStatus(x, 200, '11.4-17', 'the first of two concurrent duplicates')
  expectStatus(y, 200, '11.4-17', 'the second of two concurrent duplicates')
  ensure(
    JSON.stringify(x.body) === JSON.stringify(y.body),
    'concurrent duplicates got different answers',
    '11.4-17',
  )
  return x
}

export { recipientOf }
