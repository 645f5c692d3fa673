import { beforeAll, describe, expect, it } from 'vitest'
import type { CborKey, CborValue } from '../cbor/index.js'
import {
  T0,
  buildLog,
  checkpointOf,
  makeParties,
  type Parties,
} from '../../test/transparency-keys.js'
import { flip } from '../../test/transparency-reference.js'
import type { SignedCheckpoint } from './checkpoint.js'
import { assertCheckpointsConsistent, classifyCheckpoints } from './consistency.js'
import { signEnvelope, TRANSPARENCY_TYPE } from './envelope.js'
import { signForkStatement, verifyForkStatement } from './fork-statement.js'
import type { MerkleLog } from './log.js'
import { codeOf } from '../../test/code-of.js'

let p: Parties
let honest: MerkleLog
let forked: MerkleLog
let a10: SignedCheckpoint
let b10: SignedCheckpoint
let a12: SignedCheckpoint
let b20: SignedCheckpoint
let statement: Uint8Array


/** A fork statement over any payload, signed by the witness: for must-fail cases. */
async function signRaw(fields: Record<string, CborValue | undefined>): Promise<Uint8Array> {
  const base: Record<string, CborValue> = {
    v: 1,
    witness: 'digitalpost.dk',
    time: T0,
    kind: 'same-size',
    a: a10.bytes,
    b: b10.bytes,
  }
  const entries = Object.entries({ ...base, ...fields }).filter(
    (e): e is [string, CborValue] => e[1] !== undefined,
  )
  return (
    await signEnvelope(
      new Map<CborKey, CborValue>(entries),
      TRANSPARENCY_TYPE.forkStatement,
      p.witness.keys,
    )
  ).bytes
}

beforeAll(async () => {
  p = await makeParties()
  honest = await buildLog(20)
  forked = await buildLog(20, { rewrite: 3 })
  a10 = await checkpointOf(honest, p.log, 10, T0)
  b10 = await checkpointOf(forked, p.log, 10, T0 + 1)
  a12 = await checkpointOf(honest, p.log, 12, T0 + 2)
  b20 = await checkpointOf(forked, p.log, 20, T0 + 3)
  statement = await signForkStatement({
    evidence: { kind: 'same-size', a: a10, b: b10 },
    witnessId: p.witness.id,
    witnessKey: p.witness.keys,
    time: T0,
  })
})

describe('fork statements', () => {
  it('verify offline with the witness key and the log key only', async () => {
    const v = await verifyForkStatement(statement, { resolveKey: p.resolve })
    expect(v).toMatchObject({
      kind: 'same-size',
      logId: 'post.eg',
      witnessId: 'digitalpost.dk',
      time: T0,
    })
  })

  it('are refused when any byte is changed', async () => {
    for (let i = 0; i < statement.length; i += 1) {
      expect(
        await codeOf(() => verifyForkStatement(flip(statement, i), { resolveKey: p.resolve })),
        `byte ${i}`,
      ).not.toBe('accepted')
    }
  })

  it('are refused when the two checkpoints do not conflict as the kind says', async () => {
    const proof = (await honest.consistencyProof(10, 12)).path
    const cases: [Record<string, CborValue | undefined>, string][] = [
      [{ b: a10.bytes }, 'same root twice'],
      [{ b: a12.bytes }, 'consistent sizes called same-size'],
      [{ kind: 'rollback', b: a12.bytes }, 'growth called rollback'],
      [
        { kind: 'proof', b: a12.bytes, proof, prefix: a10.root },
        'a proof of consistency called a fork',
      ],
      [
        {
          kind: 'proof',
          b: b20.bytes,
          proof: (await forked.consistencyProof(10, 20)).path,
          prefix: a10.root,
        },
        'a prefix the path does not prove',
      ],
      [{ kind: 'proof', b: b20.bytes }, 'kind proof without a proof'],
      [{ proof: [], prefix: a10.root }, 'a proof on a same-size statement'],
    ]
    for (const [fields, what] of cases) {
      expect(
        await codeOf(async () =>
          verifyForkStatement(await signRaw(fields), { resolveKey: p.resolve }),
        ),
        what,
      ).toBe('ERR_WITNESS_STATEMENT_INVALID')
    }
    expect(
      await codeOf(async () =>
        verifyForkStatement(await signRaw({ kind: 'other' }), { resolveKey: p.resolve }),
      ),
    ).toBe('ERR_WITNESS_STATEMENT_INVALID')
    expect(
      await codeOf(async () =>
        verifyForkStatement(await signRaw({ extra: 1 }), { resolveKey: p.resolve }),
      ),
    ).toBe('ERR_WITNESS_STATEMENT_INVALID')
    expect(
      await codeOf(async () =>
        verifyForkStatement(await signRaw({ v: 2 }), { resolveKey: p.resolve }),
      ),
    ).toBe('ERR_UNSUPPORTED_VERSION')
    expect(
      await codeOf(async () =>
        verifyForkStatement(await signRaw({ witness: 'witness.example' }), {
          resolveKey: p.resolve,
        }),
      ),
    ).toBe('ERR_WITNESS_STATEMENT_INVALID')
  })

  it('accept a proof-kind statement whose path proves another root for the older size', async () => {
    const proof = (await forked.consistencyProof(10, 20)).path
    const relation = await classifyCheckpoints(a10, b20, proof)
    if (relation.status !== 'fork') throw new Error('not a fork')
    const bytes = await signForkStatement({
      evidence: relation.evidence,
      witnessId: p.witness.id,
      witnessKey: p.witness.keys,
      time: T0,
    })
    const v = await verifyForkStatement(bytes, { resolveKey: p.resolve })
    expect(v.kind).toBe('proof')
    expect(v.prefix).toEqual(await forked.root(10))
  })

  it('are refused when a checkpoint inside is not validly signed by the log', async () => {
    const forged = flip(b10.bytes, b10.bytes.length - 1)
    expect(
      await codeOf(async () =>
        verifyForkStatement(await signRaw({ b: forged }), { resolveKey: p.resolve }),
      ),
    ).toBe('ERR_SIGNATURE_INVALID')
  })

  it('are never signed for evidence that does not show a fork', async () => {
    const proof = (await honest.consistencyProof(10, 12)).path
    const sign = (evidence: Parameters<typeof signForkStatement>[0]['evidence']) =>
      codeOf(() =>
        signForkStatement({
          evidence,
          witnessId: p.witness.id,
          witnessKey: p.witness.keys,
          time: T0,
        }),
      )
    expect(await sign({ kind: 'same-size', a: a10, b: a10 })).toBe('ERR_WITNESS_STATEMENT_INVALID')
    expect(await sign({ kind: 'rollback', a: a10, b: a12 })).toBe('ERR_WITNESS_STATEMENT_INVALID')
    expect(await sign({ kind: 'proof', a: a10, b: a12, proof, prefix: a10.root })).toBe(
      'ERR_WITNESS_STATEMENT_INVALID',
    )
  })

  it('lets a verifier of evidence tell a consistent pair from a proven fork', async () => {
    await expect(
      assertCheckpointsConsistent(a12, a10, (await honest.consistencyProof(10, 12)).path),
    ).resolves.toBeUndefined()
    await expect(assertCheckpointsConsistent(a10, b10, [])).rejects.toMatchObject({
      code: 'ERR_LOG_INCONSISTENT',
      details: { kind: 'same-size' },
    })
    await expect(
      assertCheckpointsConsistent(b20, a10, (await forked.consistencyProof(10, 20)).path),
    ).rejects.toMatchObject({ code: 'ERR_LOG_INCONSISTENT', details: { kind: 'proof' } })
    const garbage = (await forked.consistencyProof(10, 20)).path.map((h) => flip(h, 5))
    await expect(assertCheckpointsConsistent(a10, b20, garbage)).rejects.toMatchObject({
      code: 'ERR_PROOF_INVALID',
    })
  })
})
