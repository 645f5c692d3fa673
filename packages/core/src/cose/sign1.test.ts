import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex, utf8 } from '../bytes.js'
import { CborTag, decodeStrict, encodeCanonical, type CborValue } from '../cbor/index.js'
import { signingKey, type SigningCurve } from '../../test/keys.js'
import { decodeSign1, signSign1, verifySign1 } from './sign1.js'
import { codeOf } from '../../test/code-of.js'

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const keys = { Ed25519: await signingKey('Ed25519'), 'P-256': await signingKey('P-256') }
const curves: SigningCurve[] = ['Ed25519', 'P-256']

/** Rebuilds a Sign1 with its parts changed (for tests that forge structures). */
function rebuild(bytes: Uint8Array, change: (parts: CborValue[]) => void): Uint8Array {
  const t = decodeStrict(bytes, { tags: new Set([18]) }) as CborTag
  const parts = [...(t.value as CborValue[])]
  change(parts)
  return encodeCanonical(new CborTag(18, parts))
}

describe('COSE_Sign1', () => {
  it('verifies what it signs, for any payload and external AAD, with Ed25519 and ES256', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...curves),
        fc.uint8Array({ maxLength: 256 }),
        fc.uint8Array({ maxLength: 32 }),
        async (c, payload, aad) => {
          const k = keys[c]
          const bytes = await signSign1({
            payload,
            key: k.privateKey,
            protectedHeader: new Map([[4, k.kid]]),
            externalAad: aad,
          })
          const d = await verifySign1(bytes, { key: k.publicKey, externalAad: aad })
          expect(toHex(d.payload)).toBe(toHex(payload))
          expect(d.alg).toBe(c === 'Ed25519' ? -8 : -7)
          expect(toHex(d.protectedHeader.get(4) as Uint8Array)).toBe(toHex(k.kid))
        },
      ),
      { numRuns: 20 },
    )
  })

  it('rejects a message with any single bit flipped, always with a typed error', async () => {
    for (const c of curves) {
      const k = keys[c]
      const bytes = await signSign1({ payload: utf8('hello'), key: k.privateKey })
      for (let i = 0; i < bytes.length * 8; i++) {
        const t = bytes.slice()
        t[i >> 3]! ^= 1 << (i & 7)
        const code = await codeOf(verifySign1(t, { key: k.publicKey }))
        expect(code, `bit ${i}`).toMatch(/^ERR_/)
      }
    }
  })

  it('rejects a signature made over different external AAD', async () => {
    const k = keys.Ed25519
    const bytes = await signSign1({ payload: utf8('x'), key: k.privateKey, externalAad: utf8('a') })
    expect(await codeOf(verifySign1(bytes, { key: k.publicKey, externalAad: utf8('b') }))).toBe(
      'ERR_SIGNATURE_INVALID',
    )
  })

  it('writes only low-S ES256 signatures and refuses the high-S twin unless asked to accept it', async () => {
    const k = keys['P-256']
    for (let i = 0; i < 8; i++) {
      const bytes = await signSign1({ payload: utf8(`m${i}`), key: k.privateKey })
      const sig = decodeSign1(bytes).signature
      const s = BigInt(`0x${toHex(sig.subarray(32))}`)
      expect(s <= P256_N >> 1n).toBe(true)
      const twin = fromHex(toHex(sig.subarray(0, 32)) + (P256_N - s).toString(16).padStart(64, '0'))
      const forged = rebuild(bytes, (p) => (p[3] = twin))
      expect(await codeOf(verifySign1(forged, { key: k.publicKey }))).toBe('ERR_SIGNATURE_INVALID')
      await verifySign1(forged, { key: k.publicKey, requireLowS: false })
    }
  })

  it('refuses a key that does not match the protected alg', async () => {
    const bytes = await signSign1({ payload: utf8('x'), key: keys.Ed25519.privateKey })
    expect(await codeOf(verifySign1(bytes, { key: keys['P-256'].publicKey }))).toBe(
      'ERR_KEY_INVALID',
    )
    expect(
      await codeOf(signSign1({ payload: utf8('x'), key: keys.Ed25519.privateKey, alg: 'ES256' })),
    ).toBe('ERR_KEY_INVALID')
  })

  it('refuses an unknown critical header and accepts one the caller understands', async () => {
    const k = keys.Ed25519
    const bytes = await signSign1({
      payload: utf8('x'),
      key: k.privateKey,
      protectedHeader: new Map<number, CborValue>([
        [2, [-65537]],
        [-65537, 1],
      ]),
    })
    expect(await codeOf(verifySign1(bytes, { key: k.publicKey }))).toBe('ERR_COSE_CRITICAL_UNKNOWN')
    await verifySign1(bytes, { key: k.publicKey, understood: [-65537] })
  })

  it('refuses crit outside the protected header, crit naming an absent label, and a label in both buckets', async () => {
    const k = keys.Ed25519
    const crit = await signSign1({
      payload: utf8('x'),
      key: k.privateKey,
      unprotectedHeader: new Map([[2, [4]]]),
    })
    expect(await codeOf(verifySign1(crit, { key: k.publicKey }))).toBe('ERR_COSE_MALFORMED')
    const absent = await signSign1({
      payload: utf8('x'),
      key: k.privateKey,
      protectedHeader: new Map([[2, [4]]]),
    })
    expect(await codeOf(verifySign1(absent, { key: k.publicKey, understood: [4] }))).toBe(
      'ERR_COSE_MALFORMED',
    )
    const both = await signSign1({
      payload: utf8('x'),
      key: k.privateKey,
      protectedHeader: new Map([[4, utf8('a')]]),
      unprotectedHeader: new Map([[4, utf8('a')]]),
    })
    expect(await codeOf(verifySign1(both, { key: k.publicKey }))).toBe('ERR_COSE_MALFORMED')
  })

  it('refuses an alg that is only in the unprotected header in the Barid profile', async () => {
    const k = keys.Ed25519
    const bytes = await signSign1({ payload: utf8('x'), key: k.privateKey })
    const moved = rebuild(bytes, (p) => {
      p[0] = new Uint8Array(0)
      p[1] = new Map([[1, -8]])
    })
    expect(await codeOf(verifySign1(moved, { key: k.publicKey }))).toBe('ERR_UNSUPPORTED_ALGORITHM')
  })

  it('refuses a detached (nil) payload and a message of the wrong length', async () => {
    const k = keys.Ed25519
    const bytes = await signSign1({ payload: utf8('x'), key: k.privateKey })
    expect(
      await codeOf(
        verifySign1(
          rebuild(bytes, (p) => (p[2] = null)),
          { key: k.publicKey },
        ),
      ),
    ).toBe('ERR_COSE_MALFORMED')
    expect(
      await codeOf(
        verifySign1(
          rebuild(bytes, (p) => p.pop()),
          { key: k.publicKey },
        ),
      ),
    ).toBe('ERR_COSE_MALFORMED')
  })

  it('answers random bytes with typed errors only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (b) => {
        expect(await codeOf(verifySign1(b, { key: keys.Ed25519.publicKey }))).toMatch(/^ERR_/)
        expect(
          await codeOf(verifySign1(Uint8Array.of(0xd2, ...b), { key: keys.Ed25519.publicKey })),
        ).toMatch(/^ERR_/)
      }),
      { numRuns: 300 },
    )
  })

  it('refuses input over the size limit before decoding it', async () => {
    const k = keys.Ed25519
    const bytes = await signSign1({ payload: new Uint8Array(2000), key: k.privateKey })
    expect(await codeOf(verifySign1(bytes, { key: k.publicKey, maxBytes: 1000 }))).toBe(
      'ERR_INPUT_TOO_LARGE',
    )
  })
})
