import { beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../bytes.js'
import { encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { signSign1 } from '../cose/sign1.js'
import {
  T0,
  buildLog,
  checkpointOf,
  makeParties,
  type Parties,
} from '../../test/transparency-keys.js'
import { flip } from '../../test/transparency-reference.js'
import {
  checkpointPayload,
  signCheckpoint,
  verifyCheckpoint,
  type SignedCheckpoint,
} from './checkpoint.js'
import { signEnvelope, TRANSPARENCY_TYPE } from './envelope.js'
import { EMPTY_ROOT } from './hash.js'
import { codeOf } from '../../test/code-of.js'

let p: Parties
let cp: SignedCheckpoint


/** A checkpoint-typed envelope over any payload, signed by the log: for must-fail cases. */
async function signRaw(fields: [CborKey, CborValue][]): Promise<Uint8Array> {
  return (await signEnvelope(new Map(fields), TRANSPARENCY_TYPE.checkpoint, p.log.keys)).bytes
}

function fields(over: Record<string, CborValue | undefined> = {}): [CborKey, CborValue][] {
  const base: Record<string, CborValue> = { v: 1, log: 'post.eg', size: 3, root: cp.root, time: T0 }
  return Object.entries({ ...base, ...over }).filter(
    (e): e is [string, CborValue] => e[1] !== undefined,
  )
}

beforeAll(async () => {
  p = await makeParties()
  cp = await checkpointOf(await buildLog(3), p.log, 3, T0)
})

describe('signed checkpoints', () => {
  it('verifies a checkpoint the log signed and returns what it states', async () => {
    const v = await verifyCheckpoint(cp.bytes, { resolveKey: p.resolve, logId: 'post.eg', now: T0 })
    expect(v).toMatchObject({ logId: 'post.eg', size: 3, time: T0 })
    expect(v.root).toEqual(cp.root)
    expect(v.kid).toEqual(p.log.keys.kid)
  })

  it('has as digest the SHA-256 of the canonical payload', async () => {
    expect(cp.digest).toEqual(await sha256(encodeCanonical(checkpointPayload(cp))))
  })

  it('is refused when any byte of it is changed', async () => {
    const codes = new Set<string>()
    for (let i = 0; i < cp.bytes.length; i++) {
      const code = await codeOf(() =>
        verifyCheckpoint(flip(cp.bytes, i), { resolveKey: p.resolve }),
      )
      expect(code, `byte ${i}`).not.toBe('accepted')
      codes.add(code)
    }
    expect([...codes].every((c) => c.startsWith('ERR_'))).toBe(true)
  })

  it("is refused when signed by a key that is not the log's, or by a key nobody knows", async () => {
    const byWitness = await signCheckpoint(
      { logId: 'post.eg', size: 3, root: cp.root, time: T0 },
      p.witness.keys,
    )
    expect(await codeOf(() => verifyCheckpoint(byWitness.bytes, { resolveKey: p.resolve }))).toBe(
      'ERR_KEY_NOT_FOUND',
    )
    const allRoles = (kid: Uint8Array) => p.resolve(kid, 'witness') ?? p.resolve(kid, 'log')
    expect(await codeOf(() => verifyCheckpoint(byWitness.bytes, { resolveKey: allRoles }))).toBe(
      'ERR_CHECKPOINT_INVALID',
    )
    expect(await codeOf(() => verifyCheckpoint(cp.bytes, { resolveKey: () => undefined }))).toBe(
      'ERR_KEY_NOT_FOUND',
    )
  })

  it('is refused when from another log than the one asked for, or from the future', async () => {
    expect(
      await codeOf(() =>
        verifyCheckpoint(cp.bytes, { resolveKey: p.resolve, logId: 'digitalpost.dk' }),
      ),
    ).toBe('ERR_CHECKPOINT_INVALID')
    expect(
      await codeOf(() => verifyCheckpoint(cp.bytes, { resolveKey: p.resolve, now: T0 - 301 })),
    ).toBe('ERR_CHECKPOINT_INVALID')
    expect(
      await codeOf(() => verifyCheckpoint(cp.bytes, { resolveKey: p.resolve, now: T0 - 300 })),
    ).toBe('accepted')
  })

  it('is refused when the payload breaks the format, though validly signed', async () => {
    const cases: [Record<string, CborValue | undefined>, string][] = [
      [{ v: 2 }, 'ERR_UNSUPPORTED_VERSION'],
      [{ extra: 1 }, 'ERR_CHECKPOINT_INVALID'],
      [{ time: undefined }, 'ERR_CHECKPOINT_INVALID'],
      [{ root: cp.root.slice(1) }, 'ERR_CHECKPOINT_INVALID'],
      [{ size: -1 }, 'ERR_CHECKPOINT_INVALID'],
      [{ size: 0 }, 'ERR_CHECKPOINT_INVALID'],
      [{ log: 'Post.EG' }, 'ERR_CHECKPOINT_INVALID'],
      [{ time: 253_402_300_800 }, 'ERR_CHECKPOINT_INVALID'],
      // Epoch 0 has one encoding: left out.
      [{ epoch: 0 }, 'ERR_CHECKPOINT_INVALID'],
      [{ epoch: 2 ** 32 }, 'ERR_CHECKPOINT_INVALID'],
      [{ epoch: 'one' }, 'ERR_CHECKPOINT_INVALID'],
    ]
    for (const [over, code] of cases) {
      expect(
        await codeOf(async () =>
          verifyCheckpoint(await signRaw(fields(over)), { resolveKey: p.resolve }),
        ),
        JSON.stringify(Object.keys(over)),
      ).toBe(code)
    }
    const empty = await signRaw(fields({ size: 0, root: EMPTY_ROOT }))
    expect((await verifyCheckpoint(empty, { resolveKey: p.resolve })).size).toBe(0)
  })

  it('is refused when it is another kind of signed object, or carries extra header parameters', async () => {
    const cosig = (
      await signEnvelope(checkpointPayload(cp), TRANSPARENCY_TYPE.cosignature, p.log.keys)
    ).bytes
    expect(await codeOf(() => verifyCheckpoint(cosig, { resolveKey: p.resolve }))).toBe(
      'ERR_CHECKPOINT_INVALID',
    )
    const payload = encodeCanonical(checkpointPayload(cp))
    const header = (extra: [CborKey, CborValue][]) =>
      new Map<CborKey, CborValue>([
        [4, p.log.keys.kid],
        [16, TRANSPARENCY_TYPE.checkpoint],
        ...extra,
      ])
    const withCty = await signSign1({
      payload,
      key: p.log.keys.privateKey,
      protectedHeader: header([[3, 'application/cbor']]),
    })
    expect(await codeOf(() => verifyCheckpoint(withCty, { resolveKey: p.resolve }))).toBe(
      'ERR_CHECKPOINT_INVALID',
    )
    const withUnprotected = await signSign1({
      payload,
      key: p.log.keys.privateKey,
      protectedHeader: header([]),
      unprotectedHeader: new Map([[5, new Uint8Array(12)]]),
    })
    expect(await codeOf(() => verifyCheckpoint(withUnprotected, { resolveKey: p.resolve }))).toBe(
      'ERR_CHECKPOINT_INVALID',
    )
    const plain = await signSign1({
      payload,
      key: p.log.keys.privateKey,
      protectedHeader: header([]),
    })
    expect((await verifyCheckpoint(plain, { resolveKey: p.resolve })).size).toBe(3)
    expect(
      await codeOf(() => verifyCheckpoint(new Uint8Array(2048), { resolveKey: p.resolve })),
    ).toBe('ERR_INPUT_TOO_LARGE')
    expect(
      await codeOf(() => verifyCheckpoint(Uint8Array.of(0xd2, 0x80), { resolveKey: p.resolve })),
    ).toBe('ERR_COSE_MALFORMED')
  })

  it('carries the epoch of a reset log, and leaves epoch 0 out of the payload', async () => {
    const at = { logId: 'post.eg', size: 3, root: cp.root, time: T0 }
    const e0 = await signCheckpoint({ ...at, epoch: 0 }, p.log.keys)
    expect(e0.bytes).toEqual(cp.bytes)
    expect((await verifyCheckpoint(cp.bytes, { resolveKey: p.resolve })).epoch).toBe(0)
    const e7 = await signCheckpoint({ ...at, epoch: 7 }, p.log.keys)
    expect(e7.epoch).toBe(7)
    const v = await verifyCheckpoint(e7.bytes, { resolveKey: p.resolve })
    expect(v.epoch).toBe(7)
    expect(v.digest).toEqual(e7.digest)
    expect(v.digest).not.toEqual(cp.digest)
  })

  it('refuses to sign a checkpoint the format cannot carry', async () => {
    const good = { logId: 'post.eg', size: 3, root: cp.root, time: T0 }
    expect(await codeOf(() => signCheckpoint({ ...good, size: 0 }, p.log.keys))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(await codeOf(() => signCheckpoint({ ...good, logId: 'nope' }, p.log.keys))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(await codeOf(() => signCheckpoint({ ...good, size: 2 ** 53 }, p.log.keys))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    for (const epoch of [-1, 1.5, 2 ** 32])
      expect(await codeOf(() => signCheckpoint({ ...good, epoch }, p.log.keys))).toBe(
        'ERR_INVALID_ARGUMENT',
      )
    expect(
      await codeOf(() =>
        signCheckpoint(good, { privateKey: p.log.keys.privateKey, kid: new Uint8Array(3) }),
      ),
    ).toBe('ERR_KEY_INVALID')
  })
})
