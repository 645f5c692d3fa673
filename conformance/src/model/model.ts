/**
 * @module model/model
 * The model of the federation that the model-based property runs against the real nodes
 * (spec 14.4, 30.5): which letters were sent on which route, what each should end as, which
 * mailboxes should hold what, and the harness peer's mode and the clock. Each run gets fresh
 * parties, so runs never see each other's letters.
 */
import type { SealedLetter } from '@barid/core'
import type { PeerMode, PeerMailbox } from '../peer/harness-peer.js'
import type { PeerSender } from '../peer/letters.js'
import { newAgency, newCitizen, newKeys, type Agency, type Citizen } from '../world/parties.js'
import type { World } from '../world/world.js'
import { peerSender } from '../peer/letters.js'

/** A → B (real nodes), A → H (node to harness peer), H → A (harness peer to node). */
export type Route = 'AB' | 'AH' | 'HA'

export interface ModelLetter {
  id: string
  route: Route
  kind: 'letter' | 'registered'
  recipient: string
  /** How many clock advances had happened when the letter was accepted. */
  epoch: number
  opened: boolean
  /** H → A: what the first answer said. */
  firstStatus?: string
  firstCode?: string
}

export interface Model {
  letters: ModelLetter[]
  mode: PeerMode
  advances: number
}

/** One H → A letter as sent, for duplicates and resends. */
export interface SentTx {
  id: string
  txid: string
  entry: Record<string, unknown>
  body: string
  answer: unknown
  submission: Uint8Array | undefined
  evidence: string[]
}

export interface Real {
  world: World
  agency: Agency
  citizensA: Citizen[]
  exemptA: Citizen
  citizensB: Citizen[]
  peerBoxes: PeerMailbox[]
  sender: PeerSender
  sealed: Map<string, SealedLetter>
  txs: SentTx[]
  /** Lines describing what each command did (the report of a failed run). */
  trace: string[]
}

/** Fresh parties for one run. */
export async function setupReal(world: World): Promise<Real> {
  // Each run starts at the real time: deadlines passed in earlier runs do not add up.
  await world.rewind()
  const tag = Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36)
  const [agency, a0, a1, exemptA, b0, b1, k0, k1, ks] = await Promise.all([
    newAgency(world, world.a),
    newCitizen(world, world.a),
    newCitizen(world, world.a),
    newCitizen(world, world.a, { status: 'exempt' }),
    newCitizen(world, world.b),
    newCitizen(world, world.b),
    newKeys(),
    newKeys(),
    newKeys(),
  ])
  const peerBoxes = [
    await world.peer.addMailbox(`m0${tag}`, k0),
    await world.peer.addMailbox(`m1${tag}`, k1),
  ]
  const sender = await peerSender(world.peer.id, `s${tag}`, ks, world.clock.now())
  await world.peer.setMode('up')
  return {
    world,
    agency,
    citizensA: [a0, a1],
    exemptA,
    citizensB: [b0, b1],
    peerBoxes,
    sender,
    sealed: new Map(),
    txs: [],
    trace: [],
  }
}

export function initialModel(): Model {
  return { letters: [], mode: 'up', advances: 0 }
}
