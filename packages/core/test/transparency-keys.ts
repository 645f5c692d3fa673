/**
 * Test-only keys for the transparency tests: a log (post.eg), two witnesses, and a key
 * resolver over them, plus a log with a fork built in (two branches sharing a prefix).
 */
import { toHex } from '../src/bytes.js'
import { generateKeyPair, type KeyPair } from '../src/keys/index.js'
import { signCheckpoint, type SignedCheckpoint } from '../src/transparency/checkpoint.js'
import type { KeyResolver, KeyRole } from '../src/transparency/envelope.js'
import type { WitnessCheckpointOptions } from '../src/transparency/witness.js'
import { openLog, type MerkleLog } from '../src/transparency/log.js'
import { createMemoryLogStore } from '../src/transparency/store.js'
import { makeLeaves, nodeSha256 } from './transparency-reference.js'

export const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z

export interface Party {
  readonly id: string
  readonly keys: KeyPair
  readonly roles: readonly KeyRole[]
}

export interface Parties {
  log: Party
  witness: Party
  witness2: Party
  /** The federation's governance key (resolved for role `governance` only). */
  governance: Party
  resolve: KeyResolver
}

export async function makeParties(): Promise<Parties> {
  const log = { id: 'post.eg', keys: await generateKeyPair('Ed25519'), roles: ['log'] as const }
  const witness = {
    id: 'digitalpost.dk',
    keys: await generateKeyPair('Ed25519'),
    roles: ['witness'] as const,
  }
  const witness2 = {
    id: 'witness.example',
    keys: await generateKeyPair('ES256'),
    roles: ['witness'] as const,
  }
  const governance = {
    id: 'barid-federation',
    keys: await generateKeyPair('Ed25519'),
    roles: ['governance'] as const,
  }
  return {
    log,
    witness,
    witness2,
    governance,
    resolve: resolverFor([log, witness, witness2, governance]),
  }
}

export function resolverFor(parties: readonly Party[]): KeyResolver {
  const byKid = new Map(parties.map((p) => [toHex(p.keys.kid), p]))
  return (kid, role) => {
    const p = byKid.get(toHex(kid))
    return p !== undefined && p.roles.includes(role)
      ? { key: p.keys.publicKey, owner: p.id }
      : undefined
  }
}

/** A log of `n` leaves tagged `tag`, with leaf `rewrite` (if any) replaced: a rewritten history. */
export async function buildLog(
  n: number,
  options: { tag?: number; rewrite?: number } = {},
): Promise<MerkleLog> {
  const leaves = makeLeaves(n, options.tag ?? 0)
  if (options.rewrite !== undefined)
    leaves[options.rewrite] = Uint8Array.of(0xff, ...leaves[options.rewrite]!)
  const log = await openLog({ store: createMemoryLogStore(), sha256: nodeSha256, maxBatch: 10_000 })
  if (n > 0) await log.append(leaves)
  return log
}

export async function checkpointOf(
  log: MerkleLog,
  party: Party,
  size: number,
  time: number,
  epoch = 0,
): Promise<SignedCheckpoint> {
  return signCheckpoint(
    { logId: party.id, size, root: await log.root(size), time, epoch },
    party.keys,
  )
}

/** Options for `witnessCheckpoint` as `parties`' first witness, at T0 + 1000, with `over`. */
export function witnessOptionsOf(
  parties: Parties,
  over: Partial<WitnessCheckpointOptions> & Pick<WitnessCheckpointOptions, 'next'>,
): WitnessCheckpointOptions {
  return {
    proof: [],
    witnessId: parties.witness.id,
    witnessKey: parties.witness.keys,
    resolveKey: parties.resolve,
    now: T0 + 1000,
    sha256: nodeSha256,
    ...over,
  }
}
