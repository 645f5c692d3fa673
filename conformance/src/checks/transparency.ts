/**
 * @module checks/transparency
 * Each node's transparency log, through its public log API only (spec 16, 17.9): the newest
 * checkpoint is signed by the node's evidence key for its own log; every evidence record the
 * node issued for a letter is covered by a checkpoint within the bound of 16.5 and proven in it;
 * a later checkpoint is proven consistent with an earlier one (leaves are never removed or
 * changed), with the root at the earlier size; requests beyond the log are refused with
 * `ERR_LOG_INDEX_OUT_OF_RANGE`; and the resets the log serves verify with the federation's
 * governance keys (16.12).
 */
import {
  bytesEqual,
  decodeStrict,
  fromBase64Url,
  leafHash,
  readConsistencyProof,
  readInclusionProof,
  sha256,
  toHex,
  verifyCheckpoint,
  verifyConsistency,
  verifyEvidence,
  verifyInclusion,
  verifyLogReset,
  type KeyResolver,
  type SignedCheckpoint,
} from '@barid/core'
import { call } from '../http/http.js'
import { recipientOf, sealAs, statusOf, submit } from '../world/parties.js'
import type { NodeHandle, World } from '../world/world.js'
import { ensure, eventually, expectRefusal, expectStatus, fail, type Check } from './check.js'
import { fixtures } from './fixtures.js'

/** Log keys are the nodes' evidence keys (17.9); governance keys come from the held list. */
function resolverOf(world: World, node: NodeHandle): KeyResolver {
  return async (kid, role) => {
    if (role === 'governance') {
      const list = node.discovery.store?.list
      const k = list?.governanceKeys.find((g) => bytesEqual(g.kid, kid))
      return k && list && { key: k.publicKey, owner: list.federation }
    }
    try {
      const k = await world.resolveEvidenceKey(kid)
      return { key: k.key, owner: k.issuer }
    } catch {
      return undefined
    }
  }
}

interface CheckpointAnswer {
  log?: unknown
  epoch?: unknown
  size?: unknown
  digest?: unknown
  checkpoint?: unknown
}

/** The node's newest checkpoint, verified as 16.4.3 says (freshness against the harness clock). */
async function newestCheckpoint(world: World, node: NodeHandle): Promise<SignedCheckpoint> {
  const r = await call<CheckpointAnswer>(`${node.url}/v1/log/checkpoint`, {}, world.http)
  expectStatus(r, 200, '16.4-1', `node ${node.name}: GET /v1/log/checkpoint`)
  if (typeof r.body?.checkpoint !== 'string')
    fail(`node ${node.name}: the checkpoint answer has no checkpoint`, '16.4-1')
  let cp: SignedCheckpoint
  try {
    cp = await verifyCheckpoint(fromBase64Url(r.body.checkpoint), {
      resolveKey: resolverOf(world, node),
      logId: node.operator,
      now: world.clock.seconds(),
    })
  } catch (e) {
    fail(`node ${node.name}: its checkpoint does not verify: ${String(e)}`, '16.4-1')
  }
  ensure(
    r.body.size === cp.size &&
      r.body.digest === toHex(cp.digest) &&
      r.body.log === cp.logId &&
      r.body.epoch === cp.epoch,
    `node ${node.name}: the answer's log, epoch, size or digest is not the signed checkpoint's`,
    '16.4-1',
  )
  return cp
}

/** Sends a registered letter from node A to node B and returns its settled evidence chain. */
async function registeredChain(world: World): Promise<Uint8Array[]> {
  const f = await fixtures(world)
  const l = await sealAs(world, f.agencyA, [recipientOf(f.citizenB)], { kind: 'registered' })
  expectStatus(await submit(world, f.agencyA, l.bytes), 202, '12.3-5', 'a letter to node B')
  const settled = await eventually(
    async () => {
      const rec = (await statusOf(world, f.agencyA, l.id)).body.recipients?.[0]
      return rec && rec.state === 'delivered' ? rec : undefined
    },
    { what: 'node A to report the letter delivered', clause: '14.4-3' },
  )
  return (settled.chain ?? []).map((c) => fromBase64Url(c))
}

interface InclusionAnswer {
  index?: unknown
  size?: unknown
  proof?: unknown
  checkpoint?: unknown
}

/** Waits until `node` proves `record` in a checkpoint; returns the seconds it took. */
async function proveIncluded(
  world: World,
  node: NodeHandle,
  record: Uint8Array,
  boundMs: number,
  clause: string,
): Promise<number> {
  const id = toHex(await sha256(record))
  const started = Date.now()
  const r = await eventually(
    async () => {
      const a = await call<InclusionAnswer>(
        `${node.url}/v1/log/inclusion?evidence=${id}`,
        {},
        world.http,
      )
      return a.status === 200 ? a : undefined
    },
    {
      what: `node ${node.name} to prove record ${id.slice(0, 12)}… in a checkpoint`,
      clause,
      timeoutMs: boundMs,
      everyMs: 100,
    },
  )
  const took = (Date.now() - started) / 1000
  if (typeof r.body.checkpoint !== 'string' || typeof r.body.proof !== 'string')
    fail(`node ${node.name}: the inclusion answer lacks its checkpoint or proof`, '16.3-2')
  const cp = await verifyCheckpoint(fromBase64Url(r.body.checkpoint), {
    resolveKey: resolverOf(world, node),
    logId: node.operator,
  })
  const proof = readInclusionProof(decodeStrict(fromBase64Url(r.body.proof), { maxItems: 200 }))
  ensure(
    proof.size === cp.size && r.body.index === proof.index,
    `node ${node.name}: the proof is for size ${proof.size}, the checkpoint has ${cp.size}`,
    '16.3-2',
  )
  try {
    await verifyInclusion({
      leafHash: await leafHash(record),
      index: proof.index,
      size: proof.size,
      path: proof.path,
      root: cp.root,
    })
  } catch (e) {
    fail(`node ${node.name}: the inclusion proof of ${id} does not verify: ${String(e)}`, '16.3-2')
  }
  return took
}

/** The records of `chain` each node issued, with the node. */
async function byIssuer(world: World, chain: readonly Uint8Array[]) {
  const out: { node: NodeHandle; record: Uint8Array }[] = []
  for (const record of chain) {
    const { issuer } = (await verifyEvidence(record, { resolveKey: world.resolveEvidenceKey }))
      .record
    const node = [world.a, world.b].find((n) => n.operator === issuer)
    if (node) out.push({ node, record })
  }
  return out
}

export const transparencyChecks: Check[] = [
  {
    id: 'log.checkpoint',
    title: "each node's newest checkpoint is signed by its evidence key, for its own log",
    group: 'transparency',
    clauses: ['16.4-1', '16.4-2'],
    kind: 'example',
    async run({ world }) {
      for (const n of [world.a, world.b]) await newestCheckpoint(world, n)
    },
  },
  {
    id: 'log.inclusion',
    title: 'every record a node issued for a letter is proven in one of its checkpoints',
    group: 'transparency',
    clauses: ['16.5-1', '16.3-2'],
    kind: 'example',
    async run({ world }) {
      const issued = await byIssuer(world, await registeredChain(world))
      ensure(issued.length >= 2, 'the chain has no record of node A or node B', '16.3-2')
      // 1 s plus the batches ahead (16.5 rule 2): a black box cannot see those; 10 s is ample.
      for (const { node, record } of issued)
        await proveIncluded(world, node, record, 10_000, '16.5-1')
    },
  },
  {
    id: 'log.inclusion-latency',
    title: 'a record is proven in a checkpoint within 2 seconds of the letter settling',
    group: 'transparency',
    clauses: ['16.5-2'],
    kind: 'example',
    level: 'SHOULD',
    async run({ world }) {
      const issued = await byIssuer(world, await registeredChain(world))
      for (const { node, record } of issued) {
        // Counted from when the sender could see the record, later than when it was queued.
        const took = await proveIncluded(world, node, record, 10_000, '16.5-2')
        ensure(took <= 2, `node ${node.name} took ${took.toFixed(1)} s`, '16.5-2')
      }
    },
  },
  {
    id: 'log.consistency',
    title: 'a later checkpoint is proven consistent with an earlier one, with the earlier root',
    group: 'transparency',
    clauses: ['16.2-1', '16.3-2'],
    kind: 'example',
    async run({ world }) {
      const before = await newestCheckpoint(world, world.a)
      await registeredChain(world)
      const after = await eventually(
        async () => {
          const cp = await newestCheckpoint(world, world.a)
          return cp.size > before.size ? cp : undefined
        },
        { what: 'node A to sign a larger checkpoint', clause: '16.5-1', timeoutMs: 10_000 },
      )
      const c = await call<{ proof?: unknown }>(
        `${world.a.url}/v1/log/consistency?first=${before.size}&second=${after.size}`,
        {},
        world.http,
      )
      expectStatus(c, 200, '16.3-2', 'node A: a consistency proof between two signed sizes')
      if (typeof c.body.proof !== 'string') fail('node A: the answer has no proof', '16.3-2')
      const p = readConsistencyProof(decodeStrict(fromBase64Url(c.body.proof), { maxItems: 200 }))
      try {
        await verifyConsistency({
          first: before.size,
          second: after.size,
          firstRoot: before.root,
          secondRoot: after.root,
          path: p.path,
        })
      } catch (e) {
        fail(`node A: its log is not consistent with what it signed: ${String(e)}`, '16.2-1')
      }
      const root = await call<{ root?: unknown }>(
        `${world.a.url}/v1/log/root?size=${before.size}`,
        {},
        world.http,
      )
      expectStatus(root, 200, '16.3-2', 'node A: the root at a signed size')
      ensure(
        typeof root.body.root === 'string' &&
          bytesEqual(fromBase64Url(root.body.root), before.root),
        'node A: the root at the earlier size is not the one it signed',
        '16.2-1',
      )
    },
  },
  {
    id: 'log.out-of-range',
    title: 'proofs and roots beyond the log are refused with ERR_LOG_INDEX_OUT_OF_RANGE',
    group: 'transparency',
    clauses: ['16.3-1'],
    kind: 'example',
    async run({ world }) {
      for (const n of [world.a, world.b]) {
        const { size } = await newestCheckpoint(world, n)
        const beyond = size + 1000
        for (const path of [
          `/v1/log/consistency?first=0&second=${beyond}`,
          `/v1/log/root?size=${beyond}`,
        ]) {
          expectRefusal(
            await call(`${n.url}${path}`, {}, world.http),
            'ERR_LOG_INDEX_OUT_OF_RANGE',
            '16.3-1',
            `node ${n.name}: GET ${path}`,
          )
        }
      }
    },
  },
  {
    id: 'log.resets',
    title: 'the resets a log serves verify for it, and its checkpoints are of the newest epoch',
    group: 'transparency',
    clauses: ['16.12-1'],
    kind: 'example',
    level: 'SHOULD',
    async run({ world }) {
      for (const n of [world.a, world.b]) {
        const r = await call<{ resets?: unknown }>(`${n.url}/v1/log/resets`, {}, world.http)
        expectStatus(r, 200, '16.12-1', `node ${n.name}: GET /v1/log/resets`)
        const list = r.body?.resets
        if (!Array.isArray(list)) fail(`node ${n.name}: no resets list`, '16.12-1')
        let epoch = 0
        for (const e of list as { epoch?: unknown; reset?: unknown }[]) {
          if (typeof e?.reset !== 'string') fail(`node ${n.name}: a reset entry`, '16.12-1')
          const reset = await verifyLogReset(fromBase64Url(e.reset), {
            resolveKey: resolverOf(world, n),
            logId: n.operator,
          }).catch((x: unknown) =>
            fail(`node ${n.name}: a reset does not verify: ${String(x)}`, '16.12-1'),
          )
          ensure(
            reset.epoch === e.epoch && reset.epoch > epoch,
            `node ${n.name}: resets out of order`,
            '16.12-1',
          )
          epoch = reset.epoch
        }
        const cp = await newestCheckpoint(world, n)
        ensure(
          cp.epoch === epoch,
          `node ${n.name}: its checkpoint is of epoch ${cp.epoch}, its newest reset ${epoch}`,
          '16.12-1',
        )
      }
    },
  },
]
