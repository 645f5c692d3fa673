import { beforeAll, describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { decodeStrict } from '../cbor/index.js'
import { importPublicJwk } from '../keys/index.js'
import { readVectors } from '../../test/vectors-file.js'
import { verifyCheckpoint } from './checkpoint.js'
import type { KeyResolver } from './envelope.js'
import { verifyForkStatement } from './fork-statement.js'
import { verifyLogReset } from './log-reset.js'
import { EMPTY_ROOT, leafHash } from './hash.js'
import { readConsistencyProof, readInclusionProof } from './proof-codec.js'
import { verifyConsistency, verifyInclusion } from './verify-proof.js'
import { makeVectors } from './vectors.js'
import { verifyCosignature } from './witness.js'
import { codeOf } from '../../test/code-of.js'

interface Vectors {
  keys: {
    operator: string
    role: 'log' | 'witness' | 'governance'
    kid: string
    jwk: Record<string, string>
  }[]
  merkle: {
    leaves: string[]
    emptyRoot: string
    roots: { size: number; root: string }[]
    inclusion: { index: number; size: number; path: string[] }[]
    consistency: { first: number; second: number; path: string[] }[]
    invalid: (
      | {
          kind: 'inclusion'
          leafHash: string
          index: number
          size: number
          root: string
          path: string[]
          reason: string
        }
      | {
          kind: 'consistency'
          first: number
          second: number
          firstRoot: string
          secondRoot: string
          path: string[]
          reason: string
        }
    )[]
    wire: { inclusionProof: string; consistencyProof: string }
  }
  checkpoints: {
    valid: { hex: string; log: string; size: number; root: string; time: number; digest: string }[]
    invalid: { hex: string; reason: string }[]
  }
  cosignatures: {
    valid: { hex: string; checkpoint: string; witness: string; time: number }[]
    invalid: { hex: string; checkpoint: string; reason: string }[]
  }
  forkStatements: {
    valid: { hex: string; kind: string }[]
    invalid: { hex: string; reason: string }[]
  }
  resets: {
    valid: {
      hex: string
      log: string
      epoch: number
      time: number
      restored: { size: number; root: string }
      reason: string
      held: string
      next: string
      nextDigest: string
      proof: string[]
    }[]
    invalid: { hex: string; reason: string }[]
  }
}

const v = readVectors('transparency') as Vectors
let resolveKey: KeyResolver


beforeAll(async () => {
  const keys = await Promise.all(
    v.keys.map(async (k) => ({
      ...k,
      handle: await importPublicJwk({
        kty: k.jwk.kty,
        crv: k.jwk.crv,
        x: k.jwk.x,
        ...(k.jwk.y === undefined ? {} : { y: k.jwk.y }),
      }, { use: 'sign' }),
    })),
  )
  for (const k of keys) expect(toHex(k.handle.kid)).toBe(k.kid)
  resolveKey = (kid, role) => {
    const k = keys.find((x) => x.role === role && x.kid === toHex(kid))
    return k === undefined ? undefined : { key: k.handle.publicKey, owner: k.operator }
  }
})

describe('spec/vectors/transparency.json', () => {
  it('is exactly what the generator makes today', async () => {
    expect(await makeVectors(v)).toEqual(v)
  })

  it('has every inclusion and consistency proof verify against the listed roots', async () => {
    const root = (s: number) => fromHex(v.merkle.roots[s]!.root)
    expect(v.merkle.emptyRoot).toBe(toHex(EMPTY_ROOT))
    for (const p of v.merkle.inclusion) {
      await verifyInclusion({
        leafHash: await leafHash(fromHex(v.merkle.leaves[p.index]!)),
        index: p.index,
        size: p.size,
        path: p.path.map(fromHex),
        root: root(p.size),
      })
    }
    for (const p of v.merkle.consistency) {
      await verifyConsistency({
        first: p.first,
        second: p.second,
        firstRoot: root(p.first),
        secondRoot: root(p.second),
        path: p.path.map(fromHex),
      })
    }
  })

  it('has every must-fail proof refused with its reason code', async () => {
    for (const c of v.merkle.invalid) {
      const code =
        c.kind === 'inclusion'
          ? await codeOf(() =>
              verifyInclusion({
                leafHash: fromHex(c.leafHash),
                index: c.index,
                size: c.size,
                root: fromHex(c.root),
                path: c.path.map(fromHex),
              }),
            )
          : await codeOf(() =>
              verifyConsistency({
                first: c.first,
                second: c.second,
                firstRoot: fromHex(c.firstRoot),
                secondRoot: fromHex(c.secondRoot),
                path: c.path.map(fromHex),
              }),
            )
      expect(code).toBe(c.reason)
    }
  })

  it('has proofs on the wire decode to the listed proofs', () => {
    const inc = readInclusionProof(decodeStrict(fromHex(v.merkle.wire.inclusionProof)))
    expect({ ...inc, path: inc.path.map(toHex) }).toEqual(
      v.merkle.inclusion.find((p) => p.index === 5 && p.size === 8),
    )
    const con = readConsistencyProof(decodeStrict(fromHex(v.merkle.wire.consistencyProof)))
    expect({ ...con, path: con.path.map(toHex) }).toEqual(
      v.merkle.consistency.find((p) => p.first === 6 && p.second === 8),
    )
  })

  it('has every valid checkpoint, cosignature and fork statement verify, and every invalid one refused with its reason', async () => {
    for (const c of v.checkpoints.valid) {
      const cp = await verifyCheckpoint(fromHex(c.hex), { resolveKey })
      expect({
        log: cp.logId,
        size: cp.size,
        root: toHex(cp.root),
        time: cp.time,
        digest: toHex(cp.digest),
      }).toEqual({ log: c.log, size: c.size, root: c.root, time: c.time, digest: c.digest })
      expect(cp.root).toEqual(fromHex(v.merkle.roots[cp.size]!.root))
    }
    for (const c of v.checkpoints.invalid)
      expect(await codeOf(() => verifyCheckpoint(fromHex(c.hex), { resolveKey }))).toBe(c.reason)
    for (const c of v.cosignatures.valid) {
      const checkpoint = await verifyCheckpoint(fromHex(c.checkpoint), { resolveKey })
      expect(await verifyCosignature(fromHex(c.hex), { checkpoint, resolveKey })).toMatchObject({
        witnessId: c.witness,
        time: c.time,
      })
    }
    for (const c of v.cosignatures.invalid) {
      const checkpoint = await verifyCheckpoint(fromHex(c.checkpoint), { resolveKey })
      expect(
        await codeOf(() => verifyCosignature(fromHex(c.hex), { checkpoint, resolveKey })),
      ).toBe(c.reason)
    }
    for (const f of v.forkStatements.valid)
      expect((await verifyForkStatement(fromHex(f.hex), { resolveKey })).kind).toBe(f.kind)
    for (const f of v.forkStatements.invalid)
      expect(await codeOf(() => verifyForkStatement(fromHex(f.hex), { resolveKey }))).toBe(f.reason)
  })

  it('has each log reset verify and its new epoch extend the restored tree, and every invalid reset refused with its reason', async () => {
    for (const r of v.resets.valid) {
      const reset = await verifyLogReset(fromHex(r.hex), { resolveKey })
      expect({
        log: reset.logId,
        epoch: reset.epoch,
        time: reset.time,
        restored: { size: reset.restored.size, root: toHex(reset.restored.root) },
        reason: reset.reason,
      }).toEqual({ log: r.log, epoch: r.epoch, time: r.time, restored: r.restored, reason: r.reason })
      const held = await verifyCheckpoint(fromHex(r.held), { resolveKey })
      const next = await verifyCheckpoint(fromHex(r.next), { resolveKey })
      expect([held.epoch, next.epoch, toHex(next.digest)]).toEqual([0, r.epoch, r.nextDigest])
      await verifyConsistency({
        first: reset.restored.size,
        second: next.size,
        firstRoot: reset.restored.root,
        secondRoot: next.root,
        path: r.proof.map(fromHex),
      })
    }
    for (const r of v.resets.invalid)
      expect(await codeOf(() => verifyLogReset(fromHex(r.hex), { resolveKey }))).toBe(r.reason)
  })
})
