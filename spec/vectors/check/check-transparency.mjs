// vectors/transparency.json against spec 16.
import { decode, encode, fail } from './cbor.mjs'
import { equal, hex, kidOf, publicJwk, toHex } from './cose.mjs'
import { assert, assertEqual, vectors } from './harness.mjs'
import {
  EMPTY_ROOT,
  consistencyPath,
  inclusionPath,
  leafHash,
  mth,
  verifyCheckpoint,
  verifyConsistency,
  verifyCosignature,
  verifyForkStatement,
  verifyInclusion,
  verifyReset,
} from './transparency.mjs'

export function checkTransparency(r) {
  const j = vectors('transparency.json')
  r.check('transparency: every kid is the RFC 7638 thumbprint of its key', () => {
    for (const k of [...j.keys, ...(j.unlistedKeys ?? [])])
      assertEqual(toHex(kidOf(k.jwk)), k.kid, k.operator)
  })
  // The file's description: each key resolves only for its own role.
  const resolve = (kid, role) => {
    const k = j.keys.find((x) => x.kid === toHex(kid) && x.role === role)
    if (!k) fail('ERR_KEY_NOT_FOUND', `no ${role} key`)
    return { jwk: publicJwk(k.jwk), operator: k.operator }
  }
  const m = j.merkle
  const leaves = m.leaves.map((l) => leafHash(hex(l)))
  r.check('merkle: empty root', () => assertEqual(toHex(EMPTY_ROOT), m.emptyRoot, 'empty root'))
  const rootOf = new Map(m.roots.map((x) => [x.size, x.root]))
  for (const x of m.roots)
    r.check(`merkle root of ${x.size}`, () =>
      assertEqual(toHex(mth(leaves.slice(0, x.size))), x.root, 'root'),
    )
  for (const x of m.inclusion) {
    r.check(`merkle inclusion ${x.index} in ${x.size}`, () => {
      assertEqual(inclusionPath(x.index, leaves.slice(0, x.size)).map(toHex), x.path, 'path')
      verifyInclusion(leaves[x.index], x.index, x.size, x.path.map(hex), hex(rootOf.get(x.size)))
    })
  }
  for (const x of m.consistency) {
    r.check(`merkle consistency ${x.first} to ${x.second}`, () => {
      assertEqual(consistencyPath(x.first, leaves.slice(0, x.second)).map(toHex), x.path, 'path')
      verifyConsistency(
        x.first,
        x.second,
        x.path.map(hex),
        hex(rootOf.get(x.first)),
        hex(rootOf.get(x.second)),
      )
    })
  }
  for (const x of m.invalid) {
    r.refuses(`merkle invalid ${x.kind}: ${x.description}`, x.reason, () =>
      x.kind === 'inclusion'
        ? verifyInclusion(hex(x.leafHash), x.index, x.size, x.path.map(hex), hex(x.root))
        : verifyConsistency(
            x.first,
            x.second,
            x.path.map(hex),
            hex(x.firstRoot),
            hex(x.secondRoot),
          ),
    )
  }
  r.check('merkle wire forms (16.3 rule 5)', () => {
    const inc = decode(hex(m.wire.inclusionProof))
    const p = m.inclusion.find((x) => x.index === inc.get('index') && x.size === inc.get('size'))
    assert(p, 'an inclusion vector for the wire proof')
    assertEqual(
      toHex(
        encode(
          new Map([
            ['index', p.index],
            ['size', p.size],
            ['path', p.path.map(hex)],
          ]),
        ),
      ),
      m.wire.inclusionProof,
      'inclusion',
    )
    const con = decode(hex(m.wire.consistencyProof))
    const c = m.consistency.find(
      (x) => x.first === con.get('first') && x.second === con.get('second'),
    )
    assert(c, 'a consistency vector for the wire proof')
    assertEqual(
      toHex(
        encode(
          new Map([
            ['first', c.first],
            ['second', c.second],
            ['path', c.path.map(hex)],
          ]),
        ),
      ),
      m.wire.consistencyProof,
      'consistency',
    )
  })
  for (const v of j.checkpoints.valid) {
    r.check(`checkpoint ${v.description}`, () => {
      const c = verifyCheckpoint(hex(v.hex), resolve)
      assertEqual(
        { log: c.log, size: c.size, root: toHex(c.root), time: c.time, digest: toHex(c.digest) },
        { log: v.log, size: v.size, root: v.root, time: v.time, digest: v.digest },
        'checkpoint',
      )
      assertEqual(toHex(mth(leaves.slice(0, v.size))), v.root, 'root of the leaves')
    })
  }
  for (const v of j.checkpoints.invalid)
    r.refuses(`checkpoint invalid ${v.description}`, v.reason, () =>
      verifyCheckpoint(hex(v.hex), resolve),
    )
  for (const v of j.cosignatures.valid) {
    r.check(`cosignature ${v.description}`, () => {
      const c = verifyCosignature(hex(v.hex), hex(v.checkpoint), resolve)
      assertEqual([c.witness, c.time], [v.witness, v.time], 'cosignature')
    })
  }
  for (const v of j.cosignatures.invalid)
    r.refuses(`cosignature invalid ${v.description}`, v.reason, () =>
      verifyCosignature(hex(v.hex), hex(v.checkpoint), resolve),
    )
  for (const v of j.forkStatements.valid)
    r.check(`fork statement ${v.description}`, () =>
      assertEqual(verifyForkStatement(hex(v.hex), resolve).kind, v.kind, 'kind'),
    )
  for (const v of j.forkStatements.invalid)
    r.refuses(`fork statement invalid ${v.description}`, v.reason, () =>
      verifyForkStatement(hex(v.hex), resolve),
    )
  for (const v of j.resets.valid) {
    r.check('log reset, and the witness rule 16.12 rule 4', () => {
      const held = verifyCheckpoint(hex(v.held), resolve)
      const next = verifyCheckpoint(hex(v.next), resolve)
      assertEqual(toHex(next.digest), v.nextDigest, 'next digest')
      assert(next.epoch > held.epoch, 'next is of a later epoch')
      const reset = verifyReset(hex(v.hex), resolve, { log: next.log, epoch: next.epoch })
      assertEqual(
        [
          reset.log,
          reset.epoch,
          reset.time,
          reset.restored.size,
          toHex(reset.restored.root),
          reset.reason,
        ],
        [v.log, v.epoch, v.time, v.restored.size, v.restored.root, v.reason],
        'reset',
      )
      assert(next.size >= reset.restored.size, 'next.size >= restored.size')
      verifyConsistency(
        reset.restored.size,
        next.size,
        v.proof.map(hex),
        reset.restored.root,
        next.root,
      )
    })
  }
  for (const v of j.resets.invalid)
    r.refuses(`log reset invalid ${v.description}`, v.reason, () =>
      verifyReset(hex(v.hex), resolve),
    )
}
